import { describeError, StartError } from "./errors.ts";

/**
 * Runs a start-up step that needs a dependency (every service's one way to fail start-up); a
 * failure becomes one `StartError` line (what failed, why, what to do) instead of a client library's stack trace. `reason` may name the
 * failure better (a cluster that refused the credential), replacing the whole line.
 */
export async function startStep<T>(
  step: () => Promise<T>,
  what: string,
  hint: string,
  reason: (error: unknown) => string | null = () => null,
): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof StartError) throw error;
    throw new StartError(reason(error) ?? `${what}: ${describeError(error)}; ${hint}`);
  }
}
