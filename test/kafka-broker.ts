/**
 * The one way Kafka tests find a broker. KAFKA_BROKERS wins; otherwise the local Apache Kafka
 * broker (scripts/kafka.ts) is started once per `bun test` run, and stopped at the end only if
 * a test run started it and no other run still uses it. Without Java (or without Maven and jars)
 * the Kafka tests skip with one line; REQUIRE_KAFKA=1 turns that into a failure.
 */
import { describe, test } from "bun:test";
import { dropLease, markTestOwned, otherLeases, takeLease } from "../scripts/kafka/leases.ts";
import {
  BROKER_ADDRESS,
  brokerStatus,
  KafkaSetupError,
  startBroker,
  stopBroker,
} from "../scripts/kafka.ts";
import { parseBrokers } from "../service-kit/src/brokers.ts";
import { atRunEnd } from "./run-end.ts";

type Availability = { brokers: string[]; local: boolean } | { brokers: null; reason: string };

let availability: Promise<Availability> | null = null;
let skipNoted = false;

/** The broker list for Kafka tests, or null when no broker can be had (tests then skip). */
export async function kafkaBrokers(): Promise<string[] | null> {
  return (await availabilityOnce()).brokers;
}

/**
 * `describe` for tests that need Kafka: `fn` gets the broker list. Await it at the top level
 * of the test file: `await describeKafka("…", (brokers) => { test(…) })`.
 */
export async function describeKafka(name: string, fn: (brokers: string[]) => void): Promise<void> {
  const found = await availabilityOnce();
  if (found.brokers) {
    const { brokers } = found;
    describe(name, () => fn(brokers));
  } else if (process.env.REQUIRE_KAFKA === "1") {
    describe(name, () => {
      test("has a Kafka broker (REQUIRE_KAFKA=1)", () => {
        throw new Error(`REQUIRE_KAFKA=1 but no Kafka broker: ${found.reason}`);
      });
    });
  } else {
    if (!skipNoted) console.warn(`[kafka] Kafka tests skipped: ${found.reason}`);
    skipNoted = true;
    // Not describe.skip(name, fn): that would run fn without brokers, and list its hooks as tests.
    test.skip(`${name} (needs a Kafka broker)`, () => {});
  }
}

/** A topic (or group id) name no other test or run uses: `<prefix>-<time>-<random>`. */
export function randomTopic(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${crypto.randomUUID().slice(0, 8)}`;
}

/**
 * Why the local broker cannot be restarted by this run, or null when it can: only the broker
 * of scripts/kafka.ts (pid file), and only while no other test run uses it. Prints the reason
 * once when Kafka tests run but this one cannot.
 */
export async function restartBlocker(): Promise<string | null> {
  const found = await availabilityOnce();
  if (!found.brokers) return found.reason;
  const others = found.local ? otherLeases() : [];
  let reason: string | null = null;
  if (!found.local) {
    reason = `${found.brokers.join(",")} is not the pid-file broker of scripts/kafka.ts`;
  } else if (others.length > 0) {
    reason = `other test runs use the broker (pids ${others.join(", ")})`;
  }
  if (reason) console.warn(`[kafka] broker restart test skipped: ${reason}`);
  return reason;
}

/** Stops the local broker and starts it again on the same data folder. */
export async function restartLocalBroker(): Promise<void> {
  await stopBroker();
  await startBroker();
}

/** Gives back this run's lease on the local broker; runs at the end of the run. */
async function releaseKafka(): Promise<void> {
  const { stopped } = await dropLease();
  if (stopped) console.log(`[kafka] stopped the broker a test run started at ${BROKER_ADDRESS}`);
}

/** Memoized: the broker is looked for (and started) once per `bun test` process. */
function availabilityOnce(): Promise<Availability> {
  if (!availability) availability = resolveBrokers();
  return availability;
}

async function resolveBrokers(): Promise<Availability> {
  const fromEnv = process.env.TEST_KAFKA_BROKERS?.trim(); // KAFKA_BROKERS, kept by preload.ts
  if (fromEnv) {
    const parsed = parseBrokers(fromEnv);
    if (!parsed.ok) throw new Error(`KAFKA_BROKERS: ${parsed.message}`);
    // KAFKA_BROKERS may name the broker of `bun run kafka:start` (as CI does).
    const local = parsed.brokers.includes(BROKER_ADDRESS) && (await brokerStatus()).pid !== null;
    if (local) lease();
    return { brokers: parsed.brokers, local };
  }
  // The lease comes first: a run that ends meanwhile must see this one as a user.
  lease();
  try {
    // Java and Maven are needed only to start a broker, not to use one already answering.
    const result = await startBroker({ log: (line) => console.log(`[kafka] ${line}`) });
    if (result.started) markTestOwned();
    return { brokers: result.brokers, local: result.pid !== null };
  } catch (error) {
    if (error instanceof KafkaSetupError) return { brokers: null, reason: error.message };
    throw error;
  }
}

function lease(): void {
  takeLease();
  atRunEnd(releaseKafka);
}
