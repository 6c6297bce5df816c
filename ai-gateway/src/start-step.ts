import { describeError, StartError } from "@event-mesh/service-kit";

/**
 * Runs a start-up step that needs a dependency; a failure becomes one `StartError` line (what
 * failed, why, what to do) instead of a client library's stack trace. `reason` may name the
 * failure better (a cluster that refused the credential), replacing the whole line.
 */
export async function startStep(
  step: () => Promise<unknown>,
  what: string,
  hint: string,
  reason: (error: unknown) => string | null = () => null,
): Promise<void> {
  try {
    await step();
  } catch (error) {
    if (error instanceof StartError) throw error;
    throw new StartError(reason(error) ?? `${what}: ${describeError(error)}; ${hint}`);
  }
}
