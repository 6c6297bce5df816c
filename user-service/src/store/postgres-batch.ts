import { outboxRow } from "@event-mesh/outbox-kit";
import type { SQL } from "bun";
import { userChanged } from "../users/events.ts";
import type { User } from "./index.ts";

interface Job {
  user: User;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for creates without an Idempotency-Key: the creates queued within one turn of
 * the event loop go to Postgres as one statement (their users and outbox rows, multi-row), so
 * they share one round trip and one WAL flush. When that statement fails (a taken e-mail, say),
 * each create of the group runs again on its own, so only the one at fault sees the error.
 */
export class CreateBatcher {
  private queue: Job[] = [];
  private scheduled = false;

  constructor(
    private readonly sql: SQL,
    private readonly one: (user: User) => Promise<void>,
    private readonly maxBatch = 500,
  ) {}

  /** Resolves once `user` and its event are committed. */
  add(user: User): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ user, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    while (this.queue.length > 0) void this.run(this.queue.splice(0, this.maxBatch));
  }

  private async run(jobs: Job[]): Promise<void> {
    const [first] = jobs;
    if (jobs.length === 1 && first) {
      await this.one(first.user).then(first.resolve, first.reject);
      return;
    }
    const users = jobs.map(({ user }) => ({
      tenant_id: user.tenantId,
      id: user.id,
      email: user.email,
      name: user.name,
      created_at: user.createdAt,
      updated_at: user.updatedAt,
      version: 1,
    }));
    const events = jobs.map(({ user }) => outboxRow(userChanged("user.created", user)));
    try {
      await this.sql`
        WITH created AS (INSERT INTO users ${this.sql(users)})
        INSERT INTO outbox ${this.sql(events)}`;
    } catch {
      await Promise.all(jobs.map((job) => this.one(job.user).then(job.resolve, job.reject)));
      return;
    }
    for (const job of jobs) job.resolve();
  }
}
