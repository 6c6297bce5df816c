import type { Database } from "bun:sqlite";

interface Outcome {
  ok: boolean;
  value: unknown;
}

interface Job {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: the write transactions that concurrent requests queue within one turn of the
 * event loop run together in one SQLite transaction, each inside its own savepoint, and every
 * caller is answered only after the shared COMMIT.
 *
 * Why: a COMMIT costs far more than the few inserts of a create (it appends the WAL frames and
 * updates the WAL index; measured at about 70 % of a create), so under load one COMMIT per
 * request caps the service. A piece of work that throws is rolled back to its savepoint alone
 * and only its caller sees the error; a failing COMMIT fails every caller of the group, and
 * none of their writes is stored.
 *
 * Savepoints are only taken when needed: the group first runs without them (a SAVEPOINT and a
 * RELEASE per piece of work cost about 30 % of a create in the store), and only if some work
 * throws is everything rolled back and run again, each piece in its own savepoint. So work must
 * not act outside the database, or must be harmless to repeat (a create draws a new id).
 */
export class GroupCommit {
  readonly #db: Database;
  readonly #onCommit: () => void;
  #queue: Job[] = [];
  #scheduled = false;

  /** `onCommit` runs after each successful COMMIT (wakes the relay). */
  constructor(db: Database, onCommit: () => void) {
    this.#db = db;
    this.#onCommit = onCommit;
  }

  /** Runs `work` in a transaction shared with the other work queued in this turn. */
  run<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#scheduled = false;
    const jobs = this.#queue;
    this.#queue = [];
    let outcomes: Outcome[];
    try {
      outcomes = this.#together(jobs);
    } catch (error) {
      // Alone in its transaction, the work's error is its own (or the COMMIT's): nothing to redo.
      if (jobs.length === 1) {
        jobs[0]?.reject(error);
        return;
      }
      try {
        outcomes = this.#isolated(jobs);
      } catch (error) {
        for (const job of jobs) job.reject(error);
        return;
      }
    }
    this.#onCommit();
    jobs.forEach((job, i) => {
      const outcome = outcomes[i];
      if (outcome?.ok) job.resolve(outcome.value);
      else job.reject(outcome?.value);
    });
  }

  /** Every job in one transaction; throws (and stores nothing) if any of them throws. */
  #together(jobs: Job[]): Outcome[] {
    const outcomes: Outcome[] = [];
    this.#db
      .transaction(() => {
        for (const job of jobs) outcomes.push({ ok: true, value: job.work() });
      })
      .immediate();
    return outcomes;
  }

  /** Every job in its own savepoint of one transaction: a job that throws is undone alone. */
  #isolated(jobs: Job[]): Outcome[] {
    // A transaction function called inside another one runs as a savepoint (bun:sqlite).
    const one = this.#db.transaction((job: Job) => job.work());
    const outcomes: Outcome[] = [];
    this.#db
      .transaction(() => {
        for (const job of jobs) {
          try {
            outcomes.push({ ok: true, value: one(job) });
          } catch (error) {
            outcomes.push({ ok: false, value: error });
          }
        }
      })
      .immediate();
    return outcomes;
  }
}
