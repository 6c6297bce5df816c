import {
  ConfigError,
  type Env,
  intVar,
  loadConfig,
  serviceEnv,
  urlVar,
} from "@event-mesh/service-kit";
import * as v from "valibot";
import { parseTenantLimits, TenantLimits } from "./limits/tenant-limits.ts";

/**
 * Vector hits below this cosine are left out (in hybrid mode, before the fusion) unless the
 * request sets `minScore`. With the hashing embedder 0 means no shared word or trigram, so 0.1
 * keeps a typo (`alise` → Alice, 0.20) and drops unrelated entities (0.00 and below). A
 * request's `minScore` floors the score of its mode (0..1 in hybrid and keyword, fusion.ts).
 */
export const DEFAULT_MIN_SCORE = 0.1;

/**
 * The one reader of the environment. Every variable, with its default; a bad value stops
 * start-up with a line naming it (`ConfigError`). Secrets have no default.
 */
export const GatewayEnv = serviceEnv(
  { port: 3001, clientId: "ai-gateway" },
  {
    /** A deployment's own entity declarations (YAML), beside the built-in mesh.entities.yaml. */
    MESH_ENTITIES: v.optional(v.pipe(v.string(), v.minLength(1))),
    /** Bearer token of `POST /events`; unset → the ingest endpoint is off. */
    INGEST_TOKEN: v.optional(v.pipe(v.string(), v.minLength(1))),
    /** Largest ingest body, bytes. */
    INGEST_MAX_BYTES: v.optional(intVar(1024, 64 * 1024 * 1024), String(8 * 1024 * 1024)),
    /** Most events in one ingest request; more is a 413. At least the relay's RELAY_BATCH_MAX. */
    INGEST_MAX_EVENTS: v.optional(intVar(1, 100_000), "10000"),
    /** Dead letters kept in the SQLite table (HTTP ingest): the newest this many... */
    DLQ_MAX_ROWS: v.optional(intVar(1, 100_000_000), "100000"),
    /** ...and none older than this many days. */
    DLQ_MAX_AGE_DAYS: v.optional(intVar(1, 3650), "30"),
    /** Consumer group; unset → `${TOPIC_PREFIX}ai-gateway` (see readConfig). */
    KAFKA_GROUP_ID: v.optional(v.pipe(v.string(), v.minLength(1))),
    /**
     * Kafka mode: offsets of the event and usage topics are committed at most this often, one
     * commit per partition per interval (sources/offset-commits.ts); 0 commits after each batch.
     */
    KAFKA_COMMIT_INTERVAL_MS: v.optional(intVar(0, 60_000), "200"),
    /**
     * Kafka mode: the usage of batches from the topics and of searches is published on the
     * billing topic at most this long after it was counted, together (usage/kafka.ts); 0: at once.
     */
    USAGE_LINGER_MS: v.optional(intVar(0, 10_000), "100"),
    BATCH_MAX: v.optional(intVar(1, 10_000), "256"),
    /**
     * Longest wait for a batch to fill, from its first event. 5, not 20: at 3,000 creates/s in
     * bench:e2e, 201 → searchable p50 fell from 72–78 to 22–26 ms; a flood fills BATCH_MAX first.
     */
    BATCH_WAIT_MS: v.optional(intVar(0, 60_000), "5"),
    /** Batches that may wait beside the one being stored before sources are paused. */
    MAX_PENDING_BATCHES: v.optional(intVar(1, 64), "2"),
    RETRY_BASE_MS: v.optional(intVar(1, 60_000), "100"),
    RETRY_MAX_MS: v.optional(intVar(1, 600_000), "10000"),
    EMBEDDING_DIMS: v.optional(intVar(8, 8192), "384"),
    EMBEDDINGS_URL: v.optional(urlVar),
    EMBEDDINGS_MODEL: v.optional(v.pipe(v.string(), v.minLength(1)), "text-embedding-3-small"),
    EMBEDDINGS_API_KEY: v.optional(v.string()),
    EMBEDDINGS_BATCH_MAX: v.optional(intVar(1, 10_000), "256"),
    /** Time one embeddings request gets, ms; requests are sized to a quarter of it (batch-window.ts). */
    EMBEDDINGS_TIMEOUT_MS: v.optional(intVar(10, 600_000), "30000"),
    /** Longest text sent to the embeddings server, characters; longer ones are cut. */
    EMBEDDINGS_MAX_CHARS: v.optional(intVar(16, 1_000_000), "2048"),
    /**
     * A long text field's text (registry `longTextFields`) past this many characters is split
     * into chunks of at most this many, each embedded and stored as a point of its entity.
     */
    CHUNK_CHARS: v.optional(intVar(100, 100_000), "400"),
    /** Characters each chunk shares with the one before it; less than CHUNK_CHARS. */
    CHUNK_OVERLAP: v.optional(intVar(0, 50_000), "100"),
    /** More chunks than this for one entity: the event is dead-lettered (`too_many_chunks`). */
    MAX_CHUNKS_PER_ENTITY: v.optional(intVar(1, 1024), "64"),
    /** Vectors kept in the embedding cache (least recently used go first); 0 turns it off. */
    EMBEDDING_CACHE_MAX_ENTRIES: v.optional(intVar(0, 100_000_000), "200000"),
    /**
     * `tenant`: cache entries per tenant (a hit never tells one tenant what another indexed);
     * `shared`: one entry per text across tenants, each hit metered like a miss.
     */
    EMBEDDING_CACHE_SCOPE: v.optional(
      v.picklist(["tenant", "shared"], "must be tenant or shared"),
      "tenant",
    ),
    /** Cache entries unused for this many days are dropped. */
    EMBEDDING_CACHE_MAX_AGE_DAYS: v.optional(intVar(1, 3650), "30"),
    /** `true`: batches are filled round robin across tenants; `false`: in arrival order. */
    FAIR_BATCHING: v.optional(
      v.pipe(
        v.picklist(["true", "false"], "must be true or false"),
        v.transform((text) => text === "true"),
      ),
      "true",
    ),
    /** `*:searchesPerSecond=20,eventsPerSecond=500,embeddingsPerDay=100000;tenant-a:…`. */
    TENANT_LIMITS: v.optional(
      v.pipe(
        v.string(),
        v.rawTransform(({ dataset, addIssue, NEVER }) => {
          const parsed = parseTenantLimits(dataset.value);
          if (typeof parsed === "string") {
            addIssue({ message: parsed });
            return NEVER;
          }
          return parsed;
        }),
        v.instance(TenantLimits),
      ),
      "",
    ),
    /** Hours the previous vector generation is kept (written to, for rollback) after a switch. */
    GENERATION_KEEP_HOURS: v.optional(intVar(0, 8760), "24"),
    QDRANT_URL: v.optional(urlVar),
    /** Codes a tenant needs before sqlite-vec searches its codes in memory (sqlite-vec-codes.ts). */
    SQLITE_VEC_INDEX_AT: v.optional(intVar(1, 100_000_000), "1024"),
    /** Memory the tenants' in-memory codes may hold, MiB (code-cache.ts); 0 keeps none. */
    SQLITE_VEC_INDEX_MB: v.optional(intVar(0, 1_048_576), "256"),
    QDRANT_API_KEY: v.optional(v.string()),
    /** On SIGTERM: bound for finishing requests, and for finishing the batches in hand, ms. */
    SHUTDOWN_TIMEOUT_MS: v.optional(intVar(100, 600_000), "10000"),
    /** Prepended to every Qdrant collection name (`test-1-` → `test-1-users`), like TOPIC_PREFIX. */
    QDRANT_COLLECTION_PREFIX: v.optional(
      v.pipe(
        v.string(),
        v.regex(/^[A-Za-z0-9._-]{0,100}$/, "must be letters, digits, '.', '_' or '-'"),
      ),
      "",
    ),
    /** Hits scoring below it are left out of searches that set no `minScore`. */
    SEARCH_MIN_SCORE: v.optional(
      v.pipe(
        v.string(),
        v.regex(/^-?[0-9](\.[0-9]{1,6})?$/, "must be a number from -1 to 1"),
        v.transform(Number),
        v.minValue(-1, "must be a number from -1 to 1"),
        v.maxValue(1, "must be a number from -1 to 1"),
      ),
      String(DEFAULT_MIN_SCORE),
    ),
    /** Time each `/readyz` probe gets, ms. */
    READY_TIMEOUT_MS: v.optional(intVar(10, 60_000), "2000"),
    /** Bearer token of `/admin/*` (reconcile), and what the gateway sends to the sources' `/admin/*`. */
    OPERATOR_TOKEN: v.optional(
      v.pipe(v.string(), v.minLength(32, "must be at least 32 characters")),
    ),
    /** Producers to reconcile with: `user-service=http://127.0.0.1:3000,task-service=…`. */
    RECONCILE_SOURCES: v.optional(
      v.pipe(
        v.string(),
        v.regex(
          /^([a-z0-9-]+=https?:\/\/[^,\s]+)?(,[a-z0-9-]+=https?:\/\/[^,\s]+)*$/,
          "must be name=http://host:port pairs separated by commas",
        ),
        v.transform((value) =>
          Object.fromEntries(
            value
              .split(",")
              .filter(Boolean)
              .map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)]),
          ),
        ),
      ),
      "",
    ),
    /** Most source entities one reconcile run compares; the rest waits for the next run. */
    RECONCILE_MAX_ENTITIES: v.optional(intVar(1, 100_000_000), "1000000"),
    /** A repairing reconcile run every this many ms; 0 = off. */
    RECONCILE_INTERVAL_MS: v.optional(intVar(0, 604_800_000), "0"),
    /** Longest a search with a consistency token waits for its write, ms; past it, a 504. */
    SEARCH_WAIT_MAX_MS: v.optional(intVar(1, 60_000), "5000"),
    /** While searches wait, how often the store is re-read for writes of other replicas, ms. */
    SEARCH_WAIT_RECHECK_MS: v.optional(intVar(5, 10_000), "100"),
    /** Searches of one tenant that may wait for their writes at once; beyond, a 429. */
    SEARCH_WAITERS_PER_TENANT: v.optional(intVar(1, 1_000_000), "100"),
    /** Searches that may wait for their writes at once on this replica; beyond, a 429. */
    SEARCH_WAITERS_MAX: v.optional(intVar(1, 1_000_000), "1000"),
    /** A rerank endpoint of the common shape (Cohere, Jina, TEI); unset → no reranking. */
    RERANK_URL: v.optional(urlVar),
    /** Model sent to the rerank endpoint. */
    RERANK_MODEL: v.optional(v.pipe(v.string(), v.minLength(1))),
    /** Bearer key of the rerank endpoint. */
    RERANK_API_KEY: v.optional(v.string()),
    /** How many of the fused hits are reranked (at least the search's `limit` is asked for). */
    RERANK_CANDIDATES: v.optional(intVar(2, 1000), "50"),
    /** Time the reranker gets per search, ms; past it the fused order is answered. */
    RERANK_TIMEOUT_MS: v.optional(intVar(10, 60_000), "2000"),
  },
);

/** The parsed configuration, with the group id resolved. */
export type GatewayConfig = Omit<v.InferOutput<typeof GatewayEnv>, "KAFKA_GROUP_ID"> & {
  KAFKA_GROUP_ID: string;
};

/**
 * Parses `env`; throws `ConfigError` naming every bad variable. The default group id carries
 * the topic prefix: two deployments on one broker (different prefixes) then form two groups
 * instead of one group whose members read different topics.
 */
export function readConfig(env: Env): GatewayConfig {
  const parsed = loadConfig(GatewayEnv, env);
  // A chunk longer than the embeddings server reads would be cut; an overlap as long as a
  // chunk would never move on.
  const problems = [
    ...(parsed.CHUNK_OVERLAP >= parsed.CHUNK_CHARS
      ? [`CHUNK_OVERLAP: must be less than CHUNK_CHARS (${parsed.CHUNK_CHARS})`]
      : []),
    ...(parsed.CHUNK_CHARS > parsed.EMBEDDINGS_MAX_CHARS
      ? [`CHUNK_CHARS: must be at most EMBEDDINGS_MAX_CHARS (${parsed.EMBEDDINGS_MAX_CHARS})`]
      : []),
  ];
  if (problems.length > 0) throw new ConfigError(problems);
  return { ...parsed, KAFKA_GROUP_ID: parsed.KAFKA_GROUP_ID ?? `${parsed.TOPIC_PREFIX}ai-gateway` };
}

/** What a route may take beyond the waits it is configured with (store, encoding), ms. */
const ROUTE_MARGIN_MS = 5_000;

/**
 * The longest a gateway route may take before it answers 504, ms: a search may wait
 * SEARCH_WAIT_MAX_MS for its write, then EMBEDDINGS_TIMEOUT_MS for the query's vector; `/readyz`
 * READY_TIMEOUT_MS. The server's idle timeout follows it (service-kit `serve`).
 */
export function requestTimeoutMs(config: GatewayConfig): number {
  const embed = config.EMBEDDINGS_URL ? config.EMBEDDINGS_TIMEOUT_MS : 0;
  const rerank = config.RERANK_URL ? config.RERANK_TIMEOUT_MS : 0;
  return (
    Math.max(config.SEARCH_WAIT_MAX_MS + embed + rerank, config.READY_TIMEOUT_MS) + ROUTE_MARGIN_MS
  );
}

/** How long texts are chunked (vectors/chunks.ts), from CHUNK_CHARS and its neighbours. */
export function chunkSettings(config: GatewayConfig) {
  return {
    chars: config.CHUNK_CHARS,
    overlap: config.CHUNK_OVERLAP,
    maxChunks: config.MAX_CHUNKS_PER_ENTITY,
  };
}
