import { encode, makeEvent } from "@event-mesh/contracts";
import type { MeshProducer } from "@event-mesh/kafka-kit";
import type { RecordOptions, UsageIncrement, UsageMeter, UsageMetric } from "./index.ts";
import type { UsageTally } from "./tally.ts";

/**
 * Increments waiting for a send, summed per tenant and metric as they are recorded, and the one
 * promise every caller of them waits on. So a flood of searches while a send hangs holds an
 * entry per tenant and metric, not one per search.
 */
interface Queued {
  sums: Map<string, UsageIncrement>;
  done: PromiseWithResolvers<void>;
  /** When the first of them was queued (performance.now()). */
  since: number;
  /** A caller waits on them to answer someone: they go out without a linger. */
  urgent: boolean;
}

function newQueue(): Queued {
  const done = Promise.withResolvers<void>();
  // Each caller handles the outcome; this keeps a send that fails with no caller left quiet.
  done.promise.catch(() => {});
  return { sums: new Map(), done, since: performance.now(), urgent: false };
}

/** Adds increments to sums kept per tenant and metric, in the order each pair first appears. */
function addSummed(sums: Map<string, UsageIncrement>, increments: readonly UsageIncrement[]) {
  for (const increment of increments) {
    const key = `${increment.tenantId}\u0000${increment.metric}`;
    const known = sums.get(key);
    if (known) known.amount += increment.amount;
    else sums.set(key, { ...increment });
  }
}

/**
 * Kafka mode: every increment is published as `billing.usage.incremented` on `billing.events`
 * (with the topic prefix), for the billing consumer and for every gateway replica: each one reads
 * the whole topic into its `UsageTally` (usage/reader.ts), so `GET /usage` answers the total of
 * all replicas on any of them, a moment after the search or the batch (its linger and the time
 * to read the event back).
 *
 * One send at a time: increments recorded while a send is in flight wait for it and then go out
 * together, summed per tenant and metric, in one send. Each caller still waits until its own
 * increments are published (or the send that carried them failed), as with a send of its own:
 * the callers of one send share its promise.
 *
 * The linger (`lingerMs`, USAGE_LINGER_MS): increments recorded with `linger` (the Kafka
 * source's batches, whose offsets are committed only after their usage is published; searches,
 * answered without waiting for their count) wait up to `lingerMs` from the first of them, so
 * that one send carries all of that time. Others (HTTP ingest, whose caller is answered after
 * its usage) go out at once and take the lingering ones along. Under a steady load this is the
 * difference between a produce request, and a fetch by each replica's usage reader, per batch
 * and per search, and ten a second (bench/README.md, round 8).
 */
export class KafkaUsage implements UsageMeter {
  #queued: Queued | null = null;
  #sending = false;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly producer: MeshProducer,
    private readonly tally: UsageTally,
    private readonly options: { topicPrefix: string; source: string; lingerMs?: number },
  ) {}

  record(increments: readonly UsageIncrement[], options?: RecordOptions): Promise<void> {
    this.#queued ??= newQueue();
    const queued = this.#queued;
    addSummed(queued.sums, increments);
    // Without a linger (0), a lingering queue's wait is already over: #schedule sends at once.
    if (!options?.linger) queued.urgent = true;
    this.#schedule();
    return queued.done.promise;
  }

  /** Sends what lingers now; resolves once it is published (or its send failed). */
  async flush(): Promise<void> {
    if (!this.#queued) return;
    const done = this.record([]);
    await done.catch(() => {});
  }

  /** Starts the next send now (urgent), or when the queue's linger ends. */
  #schedule(): void {
    const queued = this.#queued;
    if (this.#sending || !queued) return;
    const wait = queued.urgent
      ? 0
      : queued.since + (this.options.lingerMs ?? 0) - performance.now();
    if (wait <= 0) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      void this.#sendQueued();
    } else {
      this.#timer ??= setTimeout(() => {
        this.#timer = undefined;
        this.#schedule();
      }, wait);
    }
  }

  /** Sends what is queued; then schedules what was queued meanwhile. */
  async #sendQueued(): Promise<void> {
    const queued = this.#queued;
    if (!queued) return;
    this.#sending = true;
    this.#queued = null;
    try {
      if (queued.sums.size > 0) await this.#send([...queued.sums.values()]);
      queued.done.resolve();
    } catch (error) {
      queued.done.reject(error ?? new Error("usage send failed"));
    }
    this.#sending = false;
    this.#schedule();
  }

  async #send(increments: readonly UsageIncrement[]): Promise<void> {
    const occurredAt = new Date().toISOString();
    const messages = increments.map(({ tenantId, metric, amount }) =>
      encode(
        makeEvent("billing.usage.incremented", {
          tenantId,
          source: this.options.source,
          data: { tenantId, metric, amount, occurredAt },
        }),
        { topicPrefix: this.options.topicPrefix },
      ),
    );
    await this.producer.send({ messages });
  }

  async totals(tenantId: string): Promise<Record<UsageMetric, number>> {
    return this.tally.totals(tenantId);
  }
}
