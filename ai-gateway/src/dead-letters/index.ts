/** A message that could not be decoded, with where it came from and why it was refused. */
export interface DeadLetter {
  /** Which source it came in through. */
  source: "kafka" | "http";
  /** Decoder error code, e.g. `invalid_json`. */
  code: string;
  /** Decoder message naming the problem. */
  reason: string;
  /** Kafka origin (Kafka source only). */
  topic?: string;
  partition?: number;
  offset?: bigint;
  /** The original key, value and headers, byte for byte (HTTP: the event JSON as sent). */
  key?: Uint8Array | null;
  value: Uint8Array | string | null;
  headers: [string, Uint8Array | string][];
}

/** Where dead letters go. Resolves once they are durable. */
export interface DeadLetterSink {
  write(letters: readonly DeadLetter[]): Promise<void>;
}

/** Sends each dead letter to the sink of its source (Kafka → DLQ topic, HTTP → table). */
export function routeDeadLetters(
  sinks: Partial<Record<DeadLetter["source"], DeadLetterSink>>,
): DeadLetterSink {
  return {
    async write(letters) {
      for (const source of ["kafka", "http"] as const) {
        const mine = letters.filter((letter) => letter.source === source);
        if (mine.length === 0) continue;
        const sink = sinks[source];
        if (!sink) throw new Error(`no dead-letter sink for source ${source}`);
        await sink.write(mine);
      }
    },
  };
}
