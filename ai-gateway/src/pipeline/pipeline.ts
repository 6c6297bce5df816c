import {
  type AnyMeshEvent,
  type DecodeResult,
  decode,
  type MeshEvent,
} from "@event-mesh/contracts";
import type { MeshMessage } from "@event-mesh/kafka-kit";
import { type Logger, nextDelay, sleep } from "@event-mesh/service-kit";
import type { DeadLetter, DeadLetterSink } from "../dead-letters/index.ts";
import type { Embedder } from "../embedders/index.ts";
import { describe, GatewayError } from "../errors.ts";
import type { GatewayMetrics } from "../metrics.ts";
import type { UsageIncrement, UsageMeter } from "../usage/index.ts";
import {
  COLLECTIONS,
  type PointDelete,
  type PointUpsert,
  type VectorStore,
} from "../vectors/index.ts";
import { type EntityChange, planBatch } from "./plan.ts";

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

/** What the pipeline needs. */
export interface PipelineDeps {
  embedder: Embedder;
  store: VectorStore;
  deadLetters: DeadLetterSink;
  usage: UsageMeter;
  tenants: TenantRecorder;
  metrics: GatewayMetrics;
  logger: Logger;
  /** TOPIC_PREFIX, for `decode`. */
  topicPrefix: string;
  /** Backoff of retried steps, in ms. */
  retry?: { baseMs: number; maxMs: number };
}

/** What a processed batch did. */
export interface BatchOutcome {
  stored: number;
  deadLettered: number;
  stale: number;
}

/** The pipeline's state, for `/readyz`. */
export type PipelineHealth =
  | { ok: true }
  | { ok: false; step: string; error: string; since: string };

/**
 * decode → dead-letter → coalesce → embed (one call) → one bulk write per collection → meter.
 * Every step with a dependency retries with capped, jittered backoff until it succeeds or the
 * pipeline is stopped; the caller acknowledges (commits, answers 2xx) only after `process`.
 */
export class Pipeline {
  readonly #deps: PipelineDeps;
  readonly #stop = new AbortController();
  #failing: { step: string; error: string; since: string } | null = null;

  constructor(deps: PipelineDeps) {
    this.#deps = deps;
  }

  health(): PipelineHealth {
    return this.#failing ? { ok: false, ...this.#failing } : { ok: true };
  }

  /** Stops retrying: a batch stuck on a dead dependency rejects with `shutting_down`. */
  stop(): void {
    this.#stop.abort();
  }

  async process(items: readonly Incoming[]): Promise<BatchOutcome> {
    const { metrics, embedder, store } = this.#deps;
    metrics.batchSize.observe(items.length);
    const { events, letters } = this.#decode(items);
    if (letters.length > 0) {
      await this.#retrying("dead_letters", () => this.#deps.deadLetters.write(letters));
      for (const letter of letters)
        metrics.deadLetters.inc({ code: letter.code, source: letter.source });
      this.#deps.logger.warn(
        {
          count: letters.length,
          reasons: letters.slice(0, 5).map((l) => `${l.code}: ${l.reason}`),
        },
        "dead-lettered undecodable messages",
      );
    }

    const plan = planBatch(events.map((e) => e.event));
    const upserts = plan.changes.filter((change) => change.action === "upsert");
    let vectors: Float32Array[] = [];
    if (upserts.length > 0) {
      const started = performance.now();
      vectors = await this.#retrying("embed", () => embedder.embed(upserts.map((c) => c.text)));
      metrics.embedSeconds.observe((performance.now() - started) / 1000);
    }
    const vectorOf = new Map(upserts.map((change, i) => [change, vectors[i]]));

    let stale = 0;
    for (const collection of COLLECTIONS) {
      const mine = plan.changes.filter((change) => change.collection === collection);
      if (mine.length === 0) continue;
      const ops = {
        upserts: mine.filter((c) => c.action === "upsert").map((c) => toUpsert(c, vectorOf.get(c))),
        deletes: mine.filter((c) => c.action === "delete").map(toDelete),
      };
      const started = performance.now();
      const result = await this.#retrying("store", () => store.write(collection, ops));
      metrics.storeSeconds.observe({ collection }, (performance.now() - started) / 1000);
      if (result.stale > 0) metrics.stale.inc({ collection }, result.stale);
      stale += result.stale;
    }
    if (plan.tenants.length > 0)
      await this.#retrying("tenants", () => this.#deps.tenants.record(plan.tenants));

    const increments = meter(upserts);
    if (increments.length > 0)
      await this.#retrying("usage", () => this.#deps.usage.record(increments));

    const now = Date.now();
    for (const { event, source } of events) {
      metrics.events.inc({ type: event.type, source });
      const age = (now - Date.parse(event.time)) / 1000;
      if (Number.isFinite(age))
        metrics.freshnessSeconds.observe({ type: event.type }, Math.max(0, age));
    }
    return { stored: plan.changes.length - stale, deadLettered: letters.length, stale };
  }

  #decode(items: readonly Incoming[]) {
    const events: { event: AnyMeshEvent; source: Incoming["source"] }[] = [];
    const letters: DeadLetter[] = [];
    for (const item of items) {
      if (item.source === "http") {
        if (item.result.ok) events.push({ event: item.result.event, source: "http" });
        else {
          const { code, message } = item.result.error;
          letters.push({ source: "http", code, reason: message, value: item.raw, headers: [] });
        }
        continue;
      }
      const { message } = item;
      const result = decode(message, { topicPrefix: this.#deps.topicPrefix });
      if (result.ok) {
        events.push({ event: result.event, source: "kafka" });
        continue;
      }
      letters.push({
        source: "kafka",
        code: result.error.code,
        reason: result.error.message,
        topic: message.topic,
        partition: message.partition,
        offset: message.offset,
        key: message.key ?? null,
        value: message.value ?? null,
        headers: [...message.headers.entries()].map(([name, value]) => [
          name.toString("utf8"),
          value,
        ]),
      });
    }
    return { events, letters };
  }

  /** Runs `work` until it succeeds; while it fails, `/readyz` says which step and why. */
  async #retrying<T>(step: string, work: () => Promise<T>): Promise<T> {
    const backoff = this.#deps.retry ?? { baseMs: 100, maxMs: 10_000 };
    for (let attempt = 0; ; attempt++) {
      if (this.#stop.signal.aborted)
        throw new GatewayError("shutting_down", `stopped while ${step} was failing`);
      try {
        const result = await work();
        if (this.#failing?.step === step) {
          this.#deps.logger.info({ step, attempts: attempt + 1 }, "dependency recovered");
          this.#failing = null;
        }
        return result;
      } catch (error) {
        this.#failing = {
          step,
          error: describe(error),
          since: this.#failing?.since ?? new Date().toISOString(),
        };
        this.#deps.metrics.retries.inc({ step });
        const hinted = error instanceof GatewayError ? (error.retryAfterMs ?? 0) : 0;
        const delay = Math.max(hinted, nextDelay(attempt, backoff));
        this.#deps.logger.warn(
          { step, attempt: attempt + 1, delayMs: delay, err: describe(error) },
          "pipeline step failed; retrying",
        );
        await sleep(delay, this.#stop.signal);
      }
    }
  }
}

function toUpsert(change: EntityChange, vector: Float32Array | undefined): PointUpsert {
  if (!vector)
    throw new GatewayError("embedder_bad_response", "embedder returned fewer vectors than texts");
  return {
    id: change.pointId,
    tenantId: change.tenantId,
    entityId: change.entityId,
    version: change.version,
    vector,
    data: change.data,
  };
}

function toDelete(change: EntityChange): PointDelete {
  return {
    id: change.pointId,
    tenantId: change.tenantId,
    entityId: change.entityId,
    version: change.version,
  };
}

/** One `embeddings` increment per tenant: the number of texts embedded for it. */
function meter(upserts: readonly EntityChange[]): UsageIncrement[] {
  const perTenant = new Map<string, number>();
  for (const change of upserts)
    perTenant.set(change.tenantId, (perTenant.get(change.tenantId) ?? 0) + 1);
  return [...perTenant].map(([tenantId, amount]) => ({ tenantId, metric: "embeddings", amount }));
}
