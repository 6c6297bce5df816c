import { dlqTopic, EVENT_REGISTRY, type Registry, topicsOf } from "@event-mesh/contracts";
import { Admin, type GenericError } from "@platformatic/kafka";
import { connectionOptions, type KafkaSecurity } from "./security.ts";

/**
 * Every topic of the registry and its dead-letter topic, with an optional prefix (tests, shared
 * clusters).
 */
export function contractTopics(prefix = "", registry: Registry = EVENT_REGISTRY): string[] {
  return topicsOf(registry).flatMap((topic) => [
    `${prefix}${topic}`,
    dlqTopic(`${prefix}${topic}`),
  ]);
}

/** What ensureTopics found. */
export interface EnsureTopicsResult {
  created: string[];
  existing: string[];
}

/** The admin client of the topic helpers. */
function topicsAdmin(brokers: string[], security: KafkaSecurity | undefined): Admin {
  return new Admin({
    clientId: "event-mesh-topics",
    bootstrapBrokers: brokers,
    ...connectionOptions(security),
  });
}

/**
 * Creates the topics that do not exist yet with `partitions` partitions. Existing topics are
 * left as they are (their partition count included), so calling it at every start is safe.
 */
export async function ensureTopics(options: {
  brokers: string[];
  topics: readonly string[];
  partitions?: number;
  /** Replication factor; -1 (default) lets the broker apply its default.replication.factor. */
  replicas?: number;
  security?: KafkaSecurity | undefined;
}): Promise<EnsureTopicsResult> {
  const admin = topicsAdmin(options.brokers, options.security);
  try {
    const present = new Set(await listSettled(admin));
    const wanted = [...new Set(options.topics)];
    const result: EnsureTopicsResult = { created: [], existing: [] };
    // One request per topic, so that a topic created meanwhile by another process (or by the
    // broker's auto-create) is told apart from the ones this call created.
    const outcomes = await Promise.all(
      wanted.map(async (topic) => {
        if (present.has(topic)) return { topic, created: false };
        try {
          await admin.createTopics({
            topics: [topic],
            partitions: options.partitions ?? 3,
            replicas: options.replicas ?? -1,
          });
          return { topic, created: true };
        } catch (error) {
          if (onlyAlreadyExists(error)) return { topic, created: false };
          throw error;
        }
      }),
    );
    for (const { topic, created } of outcomes)
      (created ? result.created : result.existing).push(topic);
    // CreateTopics answers before every metadata cache knows the topics: a consumer joining
    // right away could still be told "Unknown topic". Return only once metadata lists them all.
    if (result.created.length > 0) await untilVisible(admin, wanted);
    return result;
  } finally {
    await admin.close();
  }
}

/**
 * Runs `attempt` until it answers a value, for at most `deadlineMs`, `pauseMs` apart: no value
 * yet, or an error that `retriable` accepts, is tried again; past the deadline the last error (or
 * `timeout()`) is thrown.
 */
async function retrying<T>(
  attempt: () => Promise<T | undefined>,
  retriable: (error: unknown) => boolean,
  deadlineMs: number,
  pauseMs: number,
  timeout: () => Error,
): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    try {
      const value = await attempt();
      if (value !== undefined) return value;
    } catch (error) {
      if (!retriable(error) || Date.now() > end) throw error;
    }
    if (Date.now() > end) throw timeout();
    await Bun.sleep(pauseMs);
  }
}

/** Polls metadata until every topic has its partitions, for at most `deadlineMs`. */
async function untilVisible(admin: Admin, topics: string[], deadlineMs = 30_000): Promise<void> {
  await retrying(
    async () => {
      const metadata = await admin.metadata({ topics });
      const all = topics.every((topic) => (metadata.topics.get(topic)?.partitionsCount ?? 0) > 0);
      return all || undefined;
    },
    () => true,
    deadlineMs,
    100,
    () => new Error(`topics not visible after ${deadlineMs} ms: ${topics}`),
  );
}

/**
 * Lists the topics. A topic another process has just created has no partition leader for a
 * moment, and the metadata request fails with LEADER_NOT_AVAILABLE (replicas started at once
 * meet it): that is waited out, up to `deadlineMs`; any other error is thrown at once.
 */
function listSettled(admin: Admin, deadlineMs = 30_000): Promise<string[]> {
  return retrying(
    () => admin.listTopics(),
    (error) => leaves(error).some((leaf) => apiIdOf(leaf) === "LEADER_NOT_AVAILABLE"),
    deadlineMs,
    200,
    () => new Error(`topics not listed after ${deadlineMs} ms`),
  );
}

/** The leaves of a (nested) client error: the error itself when it nests none. */
function leaves(error: unknown): unknown[] {
  const nested = error instanceof Error ? (error as Partial<AggregateError>).errors : undefined;
  return Array.isArray(nested) && nested.length > 0 ? nested.flatMap(leaves) : [error];
}

/** A client error's API error code (TOPIC_ALREADY_EXISTS, LEADER_NOT_AVAILABLE, …). */
const apiIdOf = (error: unknown) =>
  error instanceof Error ? (error as Partial<GenericError>).apiId : undefined;

/** True when every leaf of a (nested) client error is TOPIC_ALREADY_EXISTS. */
function onlyAlreadyExists(error: unknown): boolean {
  return (
    error instanceof Error &&
    leaves(error).every((leaf) => apiIdOf(leaf) === "TOPIC_ALREADY_EXISTS")
  );
}

/** The partition count of each topic that exists (missing topics are left out). */
export async function partitionCounts(options: {
  brokers: string[];
  topics: readonly string[];
  security?: KafkaSecurity | undefined;
}): Promise<Map<string, number>> {
  const admin = topicsAdmin(options.brokers, options.security);
  try {
    const present = new Set(await listSettled(admin));
    const topics = options.topics.filter((topic) => present.has(topic));
    const metadata = await admin.metadata({ topics });
    return new Map(
      topics.map((topic) => [topic, metadata.topics.get(topic)?.partitionsCount ?? 0]),
    );
  } finally {
    await admin.close();
  }
}
