import { encode, makeEvent } from "@event-mesh/contracts";
import type { MeshProducer } from "@event-mesh/kafka-kit";
import type { UsageIncrement, UsageMeter, UsageMetric } from "./index.ts";

/**
 * Kafka mode: every increment is published as `billing.usage.incremented` on `billing.events`
 * (with the topic prefix) for the billing consumer; totals are kept in the local tally too, so
 * `GET /usage` answers without a billing service. The tally covers this instance only.
 */
export class KafkaUsage implements UsageMeter {
  constructor(
    private readonly producer: MeshProducer,
    private readonly local: UsageMeter,
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
    await this.local.record(increments);
  }

  totals(tenantId: string): Promise<Record<UsageMetric, number>> {
    return this.local.totals(tenantId);
  }
}
