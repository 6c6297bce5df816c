import type { Database } from "bun:sqlite";
import { collectionsOf, filterFieldsOf, gatewayTopics, type Registry } from "@event-mesh/contracts";
import type { KafkaSecurity } from "@event-mesh/kafka-kit";
import { describeError, type Logger } from "@event-mesh/service-kit";
import { chunkSettings, type GatewayConfig } from "../config.ts";
import { createEmbedder } from "../embedders/create.ts";
import { HashingEmbedder } from "../embedders/hashing.ts";
import type { Embedder } from "../embedders/index.ts";
import { GatewayError } from "../errors.ts";
import { QdrantStore } from "../vectors/qdrant.ts";
import { SqliteVecStore } from "../vectors/sqlite-vec.ts";
import { buildGeneration, type SnapshotSource } from "./builder.ts";
import { Generations } from "./generations.ts";
import { kafkaSnapshot } from "./kafka-snapshot.ts";
import { qdrantPointer } from "./qdrant-pointer.ts";
import { storedSnapshot } from "./stored-snapshot.ts";
import { type GenerationSpec, GenerationTable, sameModel } from "./table.ts";
import { changedTexts, textRulesOf } from "./texts.ts";

/** How often the table is re-read (a rollback from `bun run reembed`) and old ones expired. */
const REFRESH_MS = 5_000;

/** The embedder of an older generation: the same server, that generation's model and length. */
function embedderOf(config: GatewayConfig, logger: Logger) {
  return (spec: GenerationSpec): Embedder => {
    if (spec.embedder === "hashing") return new HashingEmbedder(spec.dims);
    const model = spec.embedder.match(/^openai:(.+)$/)?.[1];
    if (!model || !config.EMBEDDINGS_URL) {
      throw new GatewayError(
        "embedder_failed",
        `generation made by ${spec.embedder} needs EMBEDDINGS_URL to be searched until the switch`,
      );
    }
    return createEmbedder(
      { ...config, EMBEDDINGS_MODEL: model, EMBEDDING_DIMS: spec.dims },
      logger,
    );
  };
}

/**
 * Generations over the configured store. A configured model unlike the current generation's
 * starts a build in the background (Kafka mode: the topics from the beginning, in a group of its
 * own); searches stay on the current generation until the build is done.
 */
export function startGenerations(
  config: GatewayConfig,
  deps: { db: Database; configured: Embedder; logger: Logger; registry: Registry },
) {
  const { db, logger } = deps;
  const table = new GenerationTable(db);
  const generations = new Generations({
    table,
    configured: deps.configured,
    texts: textRulesOf(deps.registry, chunkSettings(config)),
    embedderOf: embedderOf(config, logger),
    open: async (row, collections) => {
      const store = config.QDRANT_URL
        ? new QdrantStore({
            url: config.QDRANT_URL,
            apiKey: config.QDRANT_API_KEY,
            collectionPrefix: config.QDRANT_COLLECTION_PREFIX,
            filterFields: [...new Set([...filterFieldsOf(deps.registry).values()].flat())],
          })
        : new SqliteVecStore(db, {
            indexAt: config.SQLITE_VEC_INDEX_AT,
            cacheBytes: config.SQLITE_VEC_INDEX_MB * 1024 * 1024,
          });
      await store.init(row.dims, collections);
      return store;
    },
    pointer: config.QDRANT_URL
      ? qdrantPointer({
          url: config.QDRANT_URL,
          apiKey: config.QDRANT_API_KEY,
          prefix: config.QDRANT_COLLECTION_PREFIX,
          collections: collectionsOf(deps.registry),
        })
      : undefined,
  });
  const stop = new AbortController();
  let building: Promise<void> = Promise.resolve();

  /** Kafka: the topics from the beginning; sqlite-vec: the current generation's stored data. */
  const sourceOf = (
    id: number,
    kafka: { groupId: string; security: KafkaSecurity | undefined } | undefined,
  ): SnapshotSource | null => {
    if (config.KAFKA_BROKERS && kafka) {
      return kafkaSnapshot({
        brokers: config.KAFKA_BROKERS,
        clientId: `${config.KAFKA_CLIENT_ID}-reembed`,
        security: kafka.security,
        groupId: `${kafka.groupId}-reembed-g${id}`,
        topics: gatewayTopics(deps.registry).map((topic) => `${config.TOPIC_PREFIX}${topic}`),
        topicPrefix: config.TOPIC_PREFIX,
        registry: deps.registry,
      });
    }
    if (config.QDRANT_URL) return null;
    const current = generations.current().row.id;
    return storedSnapshot({
      db,
      generation: current,
      collections: collectionsOf(deps.registry),
      registry: deps.registry,
    });
  };

  /**
   * Starts the build of the building generation, if there is one and a source to read. `kafka`:
   * the live group (the build's group is named after it) — Kafka mode only.
   */
  const build = (kafka?: { groupId: string; security: KafkaSecurity | undefined }): void => {
    const target = generations.building();
    if (!target) return;
    const source = sourceOf(target.row.id, kafka);
    if (!source) {
      logger.warn(
        { generation: target.row.id },
        "a new generation gets live events only: embedded Qdrant has no source to replay",
      );
      return;
    }
    const from = generations.current().row;
    logger.info(
      {
        generation: target.row.id,
        embedder: target.row.embedder,
        ...(sameModel(from, target.row)
          ? { textsChanged: changedTexts(from.texts, target.row.texts) }
          : {}),
      },
      "re-embedding",
    );
    building = buildGeneration(generations, table, source, {
      signal: stop.signal,
      chunks: chunkSettings(config),
      registry: deps.registry,
    })
      .then((outcome) => logger.info(outcome, "re-embedding done; generation switched"))
      .catch((error) => {
        if (!stop.signal.aborted) {
          logger.error({ err: describeError(error) }, "re-embedding failed; restart to resume");
        }
      });
  };

  const keepMs = config.GENERATION_KEEP_HOURS * 3_600_000;
  const timer = setInterval(() => {
    table.expire(keepMs);
    generations
      .refresh()
      .catch((error) =>
        logger.warn({ err: describeError(error) }, "reading the generations failed"),
      );
  }, REFRESH_MS);
  timer.unref();

  return {
    generations,
    table,
    build,
    async close(): Promise<void> {
      clearInterval(timer);
      stop.abort();
      await building;
    },
  };
}
