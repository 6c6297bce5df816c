import { describeError } from "../../service-kit/src/errors.ts";

// `bun run dev`'s look at the dependencies it was pointed at: a broker or a Qdrant that does not
// answer is one line before anything starts, not a service's start-up failure.

/** Checks KAFKA_BROKERS (unless --kafka starts one) and QDRANT_URL; `fatal` ends the run. */
export async function checkDependencies(
  fatal: (line: string) => never,
  security: Parameters<typeof import("../../kafka-kit/src/index.ts").probeBrokers>[2],
): Promise<void> {
  if (process.env.KAFKA_BROKERS && !process.argv.includes("--kafka")) {
    const { probeBrokers } = await import("../../kafka-kit/src/index.ts");
    const { parseBrokers } = await import("../../service-kit/src/brokers.ts");
    const parsed = parseBrokers(process.env.KAFKA_BROKERS);
    if (!parsed.ok) fatal(`invalid configuration: KAFKA_BROKERS: ${parsed.message}`);
    const probe = await probeBrokers(parsed.brokers, 5_000, security);
    if (!probe.ok && probe.refused) fatal(probe.refused);
    if (!probe.ok) {
      fatal(
        `no Kafka broker answers at KAFKA_BROKERS=${process.env.KAFKA_BROKERS} (${probe.message}); start one (bun run dev:kafka) or unset KAFKA_BROKERS`,
      );
    }
  }
  if (process.env.QDRANT_URL) {
    const url = process.env.QDRANT_URL;
    const answered = await fetch(url, { signal: AbortSignal.timeout(5_000) }).then(
      () => null,
      describeError,
    );
    if (answered !== null) {
      fatal(
        `Qdrant does not answer at QDRANT_URL=${url} (${answered}); start it or unset QDRANT_URL`,
      );
    }
  }
}
