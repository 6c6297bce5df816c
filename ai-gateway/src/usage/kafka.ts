import { encode, makeEvent } from "@event-mesh/contracts";
import type { MeshProducer } from "@event-mesh/kafka-kit";
import type { UsageIncrement, UsageMeter, UsageMetric } from "./index.ts";
import type { UsageTally } from "./tally.ts";

/**
 * Kafka mode: every increment is published as `billing.usage.incremented` on `billing.events`
 * (with the topic prefix), for the billing consumer and for every gateway replica: each one reads
 * the whole topic into its `UsageTally` (usage/reader.ts), so `GET /usage` answers the total of
 * all replicas on any of them, a moment after the search (the time to read the event back).
 */
export class KafkaUsage implements UsageMeter {
  constructor(
    private readonly producer: MeshProducer,
    private readonly tally: UsageTally,
    private readonly options: { topicPrefix: string; source: string },
  ) {}

  async record(increments: readonly UsageIncrement[]): Promise<void> {
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
