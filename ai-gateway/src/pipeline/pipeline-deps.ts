// What the pipeline takes and answers: incoming items, its dependencies, a batch's outcome.
import type { DecodeResult, MeshEvent, Registry } from "@event-mesh/contracts";
import type { MeshMessage } from "@event-mesh/kafka-kit";
import type { Logger } from "@event-mesh/service-kit";
import type { DeadLetterSink } from "../dead-letters/index.ts";
import type { EmbeddingCache } from "../embedders/cache.ts";
import type { Embedder } from "../embedders/index.ts";
import type { WrittenEntity } from "../freshness/waiters.ts";
import type { GatewayMetrics } from "../metrics.ts";
import type { UsageMeter } from "../usage/index.ts";
import type { QuotaDay } from "../usage/quota.ts";
import type { ChunkSettings } from "../vectors/chunks.ts";
import type { VectorStore } from "../vectors/index.ts";
import type { QuotaView } from "./embed-step.ts";

/** A message from Kafka, still to decode (the fields the pipeline reads). */
export interface KafkaIncoming {
  source: "kafka";
  message: Pick<
    MeshMessage,
    "topic" | "partition" | "offset" | "key" | "value" | "headers" | "timestamp"
  >;
}

/** An event from the HTTP ingest, already decoded by `decodeHttp`; `raw` is what was sent. */
export interface HttpIncoming {
  source: "http";
  result: DecodeResult;
  raw: string;
}

/** One item of a batch. */
export type Incoming = KafkaIncoming | HttpIncoming;

/** Anything that records `tenant.created` events. */
export interface TenantRecorder {
  record(events: readonly MeshEvent<"tenant.created">[]): Promise<void>;
}

/** Anything that erases tenants and what was derived from one entity (erasure/eraser.ts). */
export interface PipelineEraser {
  eraseTenant(tenantId: string, requestedBy: string): Promise<unknown>;
  isErased(tenantId: string): boolean;
  provisioned(tenantIds: readonly string[]): void;
  eraseSubject(tenantId: string, collection: string, entityId: string): unknown;
}

/** What the pipeline needs. */
export interface PipelineDeps {
  embedder: Embedder;
  store: VectorStore;
  deadLetters: DeadLetterSink;
  usage: UsageMeter;
  tenants: TenantRecorder;
  /** Unset → `tenant.deleted` is ignored and deletes erase only the point (tests). */
  eraser?: PipelineEraser | undefined;
  metrics: GatewayMetrics;
  logger: Logger;
  /** Vectors already computed; unset → every text is embedded. */
  cache?: EmbeddingCache | undefined;
  /** EMBEDDING_CACHE_SCOPE: per tenant (default) or shared across tenants. */
  cacheScope?: "tenant" | "shared" | undefined;
  /** How long texts are chunked (CHUNK_CHARS, …); unset → every text is embedded whole. */
  chunks?: ChunkSettings | undefined;
  /** Daily embeddings per tenant: read for the quota, recorded after each batch. */
  quota?: (QuotaView & { record(counts: ReadonlyMap<string, QuotaDay>): void }) | undefined;
  /** TOPIC_PREFIX, for `decode`. */
  topicPrefix: string;
  /** Backoff of retried steps, in ms. */
  retry?: { baseMs: number; maxMs: number };
  /** The event types decoded and how each is indexed; default `EVENT_REGISTRY`. */
  registry?: Registry | undefined;
}

/** What a processed batch did. */
export interface BatchOutcome {
  stored: number;
  deadLettered: number;
  stale: number;
  /** Every entity written, stale ones too (the store holds a newer version of those). */
  written: WrittenEntity[];
  /** Settles once the batch's usage is recorded (at once, unless `meterLater` was asked). */
  metered: Promise<void>;
}

/** The pipeline's state, for `/readyz`. */
export type PipelineHealth =
  | { ok: true }
  | { ok: false; step: string; error: string; since: string };
