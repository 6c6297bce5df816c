import { encode, makeEvent } from "@event-mesh/contracts";
import type { MeshProducer } from "@event-mesh/kafka-kit";
import type { UsageIncrement, UsageMeter, UsageMetric } from "./index.ts";
import type { UsageTally } from "./tally.ts";

/** Increments waiting for the send in flight, and the callers that wait for them. */
interface Queued {
  increments: UsageIncrement[];
  settle: ((error?: unknown) => void)[];
}

/** The increments summed per tenant and metric, in the order each pair first appears. */
export function summed(increments: readonly UsageIncrement[]): UsageIncrement[] {
  const byKey = new Map<string, UsageIncrement>();
  for (const increment of increments) {
    const key = `${increment.tenantId}\u0000${increment.metric}`;
    const known = byKey.get(key);
    if (known) known.amount += increment.amount;
    else byKey.set(key, { ...increment });
  }
  return [...byKey.values()];
}

/**
 * Kafka mode: every increment is published as `billing.usage.incremented` on `billing.events`
 * (with the topic prefix), for the billing consumer and for every gateway replica: each one reads
 * the whole topic into its `UsageTally` (usage/reader.ts), so `GET /usage` answers the total of
 * all replicas on any of them, a moment after the search (the time to read the event back).
 *
 * One send at a time: increments recorded while a send is in flight wait for it and then go out
 * together, summed per tenant and metric, in one send. Each caller still waits until its own
 * increments are published (or the send that carried them failed), as with a send of its own.
 * When many searches record at once, that is one request to the broker instead of one each; at
 * 500–2,000 creates/s few sends overlapped, and nothing changed measurably (bench/README.md,
 * round 7).
 */
export class KafkaUsage implements UsageMeter {
  #queued: Queued | null = null;
  #sending = false;

  constructor(
    private readonly producer: MeshProducer,
    private readonly tally: UsageTally,
    private readonly options: { topicPrefix: string; source: string },
  ) {}

  record(increments: readonly UsageIncrement[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#queued ??= { increments: [], settle: [] };
      this.#queued.increments.push(...increments);
      this.#queued.settle.push((error) => (error === undefined ? resolve() : reject(error)));
      if (!this.#sending) void this.#sendQueued();
    });
  }

  /** Sends what is queued, then what was queued meanwhile, until nothing is left. */
  async #sendQueued(): Promise<void> {
    this.#sending = true;
    for (let queued = this.#queued; queued !== null; queued = this.#queued) {
      this.#queued = null;
      let failure: unknown;
      try {
        await this.#send(summed(queued.increments));
      } catch (error) {
        failure = error ?? new Error("usage send failed");
      }
      for (const settle of queued.settle) settle(failure);
    }
    this.#sending = false;
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
