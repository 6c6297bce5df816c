import { describeError, StartError } from "@event-mesh/service-kit";

/**
 * Runs a start-up step that needs a dependency; a failure becomes one `StartError` line (what
 * failed, why, what to do) instead of a client library's stack trace.
 */
export async function startStep(step: () => Promise<unknown>, what: string, hint: string) {
  try {
    await step();
  } catch (error) {
    if (error instanceof StartError) throw error;
    throw new StartError(`${what}: ${describeError(error)}; ${hint}`);
  }
}
