import { dlqTopic } from "@event-mesh/contracts";
import type { MeshProducer } from "@event-mesh/kafka-kit";
import type { DeadLetter, DeadLetterSink } from "./index.ts";

/**
 * Dead letters to `<topic>.dlq`: the original key, value and headers, plus `dlq_reason`,
 * `dlq_code`, `dlq_topic`, `dlq_partition` and `dlq_offset`, so the message can be replayed.
 */
export class KafkaDeadLetters implements DeadLetterSink {
  constructor(private readonly producer: MeshProducer) {}

  async write(letters: readonly DeadLetter[]): Promise<void> {
    const messages = letters.map((letter) => {
      const topic = letter.topic ?? "unknown";
      const headers = new Map<string | Uint8Array, string | Uint8Array>();
      for (const [name, value] of letter.headers) headers.set(name, value);
      headers.set("dlq_reason", letter.reason);
      headers.set("dlq_code", letter.code);
      headers.set("dlq_topic", topic);
      headers.set("dlq_partition", String(letter.partition ?? -1));
      headers.set("dlq_offset", String(letter.offset ?? -1n));
      return {
        topic: dlqTopic(topic),
        ...(letter.key ? { key: letter.key } : {}),
        ...(letter.value === null ? {} : { value: letter.value }),
        headers,
      };
    });
    await this.producer.send({ messages });
  }
}
