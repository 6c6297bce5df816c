// The ingest pipeline: one batch from decode to store write and metering, each step retried.
import { describeError, retry } from "@event-mesh/service-kit";
import type { DeadLetter } from "../dead-letters/index.ts";
import { GatewayError } from "../errors.ts";
import type { UsageIncrement } from "../usage/index.ts";
import type { PointDelete, PointUpsert } from "../vectors/index.ts";
import { planChunks } from "./chunk-step.ts";
import { decodeItems, letterOf } from "./decode.ts";
import { embedChanges } from "./embed-step.ts";
import type {
  BatchOutcome,
  Incoming,
  PipelineDeps,
  PipelineEraser,
  PipelineHealth,
} from "./pipeline-deps.ts";
import { type EntityChange, planBatch } from "./plan.ts";

export type * from "./pipeline-deps.ts";

/**
 * decode → dead-letter → coalesce → embed (one call; texts refused for good are dead-lettered)
 * → one bulk write per collection → meter.
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

  /**
   * Processes one batch. With `meterLater`, the usage of the batch is recorded with a linger and
   * `metered` settles when it is (the caller acknowledges only then); without, `process` itself
   * waits for it.
   */
  async process(
    items: readonly Incoming[],
    options: { meterLater?: boolean } = {},
  ): Promise<BatchOutcome> {
    const { metrics, store, registry } = this.#deps;
    metrics.batchSize.observe(items.length);
    const { events, letters } = decodeItems(items, this.#deps.topicPrefix, registry);
    await this.#deadLetter(letters, "dead-lettered undecodable messages");

    const plan = planBatch(
      events.map(({ event }) => event),
      registry,
    );
    // Erases first: the plan already dropped the batch's changes that came before each one.
    const eraser = this.#deps.eraser;
    for (const event of eraser ? plan.erasures : []) {
      const by = `${event.source} ${event.id}`;
      await this.#retrying("erase", () =>
        (eraser as PipelineEraser).eraseTenant(event.tenantId, by),
      );
    }
    if (plan.tenants.length > 0) {
      await this.#retrying("tenants", () => this.#deps.tenants.record(plan.tenants));
      eraser?.provisioned(plan.tenants.map((event) => event.tenantId));
    }
    // An erased tenant's event that reached the transport after its erase (another relay's
    // shard, a replay) would bring its data back: dropped until it is provisioned again.
    const planned = eraser
      ? plan.changes.filter((change) => !eraser.isErased(change.tenantId))
      : plan.changes;
    const dropped = plan.changes.length - planned.length;
    if (dropped > 0) this.#deps.logger.warn({ dropped }, "dropped changes of erased tenants");
    // Long texts are embedded chunk by chunk (through the cache, each chunk its own text).
    const chunking = planChunks(
      planned.filter((change) => change.action === "upsert"),
      this.#deps.chunks,
    );
    const embedded = await embedChanges(chunking.toEmbed, {
      ...this.#deps,
      retrying: (step, work) => this.#retrying(step, work),
      signal: this.#stop.signal,
    });
    const { counts } = embedded;
    const assembled = chunking.assemble(embedded.vectorOf, embedded.refused);
    const refused = [...chunking.refused, ...assembled.refused];
    const itemOf = new Map(events.map(({ event, item }) => [event, item]));
    await this.#deadLetter(
      refused.map(({ change, code, reason }) => {
        const item = itemOf.get(change.event);
        if (!item) throw new Error("a planned change has no incoming item");
        return letterOf(item, code, reason);
      }),
      "dead-lettered events the embedder refused, over their tenant's quota or too long",
    );
    // A refused upsert is not written: the entity keeps its previous state.
    const changes = planned.filter((c) => c.action === "delete" || assembled.upserts.has(c));

    let stale = 0;
    // One write per collection the batch touches (the registry names them).
    for (const collection of new Set(changes.map((change) => change.collection))) {
      const mine = changes.filter((change) => change.collection === collection);
      if (mine.length === 0) continue;
      const ops = {
        upserts: mine.filter((c) => c.action === "upsert").map((c) => upsertOf(assembled, c)),
        deletes: mine.filter((c) => c.action === "delete").map(toDelete),
      };
      const started = performance.now();
      const result = await this.#retrying("store", () => store.write(collection, ops));
      metrics.storeSeconds.observe({ collection }, (performance.now() - started) / 1000);
      if (result.stale > 0) metrics.stale.inc({ collection }, result.stale);
      stale += result.stale;
    }
    // Subject erasure: what was derived from a deleted entity besides its point.
    for (const change of eraser ? changes : []) {
      if (change.action === "delete")
        eraser?.eraseSubject(change.tenantId, change.collection, change.entityId);
    }

    // Billed: embeddings computed, not those the cache answered (with a shared cache, those too).
    const increments: UsageIncrement[] = [...counts]
      .filter(([, { computed }]) => computed > 0)
      .map(([tenantId, { computed }]) => ({ tenantId, metric: "embeddings", amount: computed }));
    const linger = options.meterLater === true;
    const metered =
      increments.length > 0
        ? this.#retrying("usage", () => this.#deps.usage.record(increments, { linger }))
        : Promise.resolve();
    // Awaited by the caller's acknowledgement, or here; never left unhandled meanwhile.
    metered.catch(() => {});
    if (!linger) await metered;
    const quota = this.#deps.quota;
    if (quota && counts.size > 0) await this.#retrying("usage", async () => quota.record(counts));

    const now = Date.now();
    for (const { event, source } of events) {
      metrics.events.inc({ type: event.type, source });
      const age = (now - Date.parse(event.time)) / 1000;
      if (Number.isFinite(age))
        metrics.freshnessSeconds.observe({ type: event.type }, Math.max(0, age));
    }
    const deadLettered = letters.length + refused.length;
    const written = changes.map(({ collection, tenantId, entityId, version }) => ({
      collection,
      tenantId,
      entityId,
      version,
    }));
    return { stored: changes.length - stale, deadLettered, stale, written, metered };
  }

  /** Writes dead letters (retrying), counts and logs them. */
  async #deadLetter(letters: readonly DeadLetter[], what: string): Promise<void> {
    if (letters.length === 0) return;
    await this.#retrying("dead_letters", () => this.#deps.deadLetters.write(letters));
    for (const letter of letters)
      this.#deps.metrics.deadLetters.inc({ code: letter.code, source: letter.source });
    this.#deps.logger.warn(
      { count: letters.length, reasons: letters.slice(0, 5).map((l) => `${l.code}: ${l.reason}`) },
      what,
    );
  }

  /** Runs `work` until it succeeds; while it fails, `/readyz` says which step and why. */
  async #retrying<T>(step: string, work: () => Promise<T>): Promise<T> {
    let failures = 0;
    const result = await retry(work, {
      backoff: this.#deps.retry ?? { baseMs: 100, maxMs: 10_000 },
      signal: this.#stop.signal,
      stopped: () => new GatewayError("shutting_down", `stopped while ${step} was failing`),
      hintedMs: (error) => (error instanceof GatewayError ? (error.retryAfterMs ?? 0) : 0),
      onFailure: (error, attempt, delayMs) => {
        failures = attempt;
        this.#failing = {
          step,
          // Answered by /readyz: the message without causes, which can carry addresses.
          error: describeError(error, { causes: false }),
          since: this.#failing?.since ?? new Date().toISOString(),
        };
        this.#deps.metrics.retries.inc({ step });
        this.#deps.logger.warn(
          { step, attempt, delayMs, err: describeError(error) },
          "pipeline step failed; retrying",
        );
      },
    });
    if (this.#failing?.step === step) {
      this.#deps.logger.info({ step, attempts: failures + 1 }, "dependency recovered");
      this.#failing = null;
    }
    return result;
  }
}

function upsertOf(
  assembled: { upserts: ReadonlyMap<EntityChange, PointUpsert> },
  change: EntityChange,
): PointUpsert {
  const upsert = assembled.upserts.get(change);
  if (!upsert)
    throw new GatewayError("embedder_bad_response", "embedder returned fewer vectors than texts");
  return upsert;
}

function toDelete(change: EntityChange): PointDelete {
  return {
    id: change.pointId,
    tenantId: change.tenantId,
    entityId: change.entityId,
    version: change.version,
  };
}
