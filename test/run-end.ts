/**
 * Work to do once, after every test file of a `bun test` run (test/preload.ts runs it), e.g.
 * stopping a broker or a service the run started. Kept apart from test/kafka-broker.ts so that
 * runs without Kafka tests never load the Kafka client.
 */
const tasks: Array<() => Promise<void>> = [];

/** Registers `task` to run at the end of the run; later registrations run first. */
export function atRunEnd(task: () => Promise<void>): void {
  tasks.push(task);
}

/** Runs the registered tasks, last first; a failing task does not stop the others. */
export async function runEndTasks(): Promise<void> {
  const errors: unknown[] = [];
  for (const task of tasks.splice(0).reverse()) {
    await task().catch((error: unknown) => errors.push(error));
  }
  if (errors.length > 0) throw new AggregateError(errors, "end-of-run tasks failed");
}
