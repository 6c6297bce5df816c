import { ConfigError, StartError } from "./errors.ts";

/**
 * Runs a service's start-up: a bad configuration or a failed start prints its one message and
 * exits 1 (no stack trace: the message names the variable to fix); anything else is a bug and
 * is thrown as it is.
 */
export async function runMain(start: () => Promise<unknown>): Promise<void> {
  try {
    await start();
  } catch (error) {
    if (error instanceof ConfigError || error instanceof StartError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}
