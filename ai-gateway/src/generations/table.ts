import type { Database } from "bun:sqlite";
import { addMissingColumns } from "../db.ts";
import { GatewayError } from "../errors.ts";
import type { Collection } from "../vectors/index.ts";
import { parseTexts, sameTexts, type TextRules } from "./texts.ts";

/** Where a generation is in its life. */
export type GenerationState = "building" | "current" | "previous" | "retired";

/** What a generation's vectors are made by: a change of any field is a new generation. */
export interface GenerationSpec {
  /** The embedder's label, e.g. `hashing` or `openai:text-embedding-3-small`. */
  embedder: string;
  /** Vector length. */
  dims: number;
  /** Each collection's text rule (`textRulesOf`); default: none named, which matches any. */
  texts?: TextRules;
}

/** Whether two specs embed with one model at one length (their vectors are interchangeable). */
export const sameModel = (a: GenerationSpec, b: GenerationSpec) =>
  a.embedder === b.embedder && a.dims === b.dims;

/** Whether a generation made under `stamped` is what `wanted` asks for: model, length, texts. */
export const sameSpec = (stamped: GenerationSpec, wanted: GenerationSpec) =>
  sameModel(stamped, wanted) && sameTexts(stamped.texts ?? {}, wanted.texts ?? {});

/** One generation, as stored. */
export interface Generation extends GenerationSpec {
  texts: TextRules;
  id: number;
  state: GenerationState;
  /** Entities written by the builder, and how many the source holds (0 until known). */
  done: number;
  total: number;
  /** ms since the epoch. */
  createdAt: number;
  /** When it last became current or stopped being current. */
  switchedAt: number | null;
}

interface Row {
  id: number;
  embedder: string;
  dims: number;
  texts: string;
  state: GenerationState;
  done: number;
  total: number;
  created_at: number;
  switched_at: number | null;
}

const asGeneration = (row: Row): Generation => ({
  id: row.id,
  embedder: row.embedder,
  dims: row.dims,
  texts: parseTexts(row.texts),
  state: row.state,
  done: row.done,
  total: row.total,
  createdAt: row.created_at,
  switchedAt: row.switched_at,
});

/**
 * The physical collection of a generation. Generation 1 keeps the plain name, so vectors stored
 * before generations existed are generation 1 as they are, with nothing to migrate.
 */
export function physical(collection: Collection, generation: number): Collection {
  return generation === 1 ? collection : `${collection}__g${generation}`;
}

/**
 * The generations and which one is current, in the gateway's SQLite file. At most one row is
 * `current`, one `building` and one `previous` (kept for rollback); switching is one transaction,
 * so a reader sees the old or the new current one, never none or two.
 */
export class GenerationTable {
  constructor(private readonly db: Database) {
    db.run(`CREATE TABLE IF NOT EXISTS vector_generations (
      id INTEGER PRIMARY KEY, embedder TEXT NOT NULL, dims INTEGER NOT NULL,
      state TEXT NOT NULL CHECK (state IN ('building', 'current', 'previous', 'retired')),
      done INTEGER NOT NULL DEFAULT 0, total INTEGER NOT NULL DEFAULT 0,
      created_at INTEGER NOT NULL, switched_at INTEGER)`);
    // Text rules per collection (JSON), stamped since text changes go through generations; a
    // generation made before has '' and is stamped with the configured rules at start.
    addMissingColumns(db, "vector_generations", { texts: "TEXT NOT NULL DEFAULT ''" });
    // Progress per tenant, so that `/stats` shows a tenant its own entities, not everyone's.
    db.run(`CREATE TABLE IF NOT EXISTS vector_generation_tenants (
      generation INTEGER NOT NULL, tenant_id TEXT NOT NULL, done INTEGER NOT NULL,
      PRIMARY KEY (generation, tenant_id)) WITHOUT ROWID`);
  }

  all(): Generation[] {
    return this.db
      .query<Row, []>("SELECT * FROM vector_generations ORDER BY id")
      .all()
      .map(asGeneration);
  }

  /** Forgets a tenant's build progress (its erase). */
  forgetTenant(tenantId: string): void {
    this.db.query("DELETE FROM vector_generation_tenants WHERE tenant_id = ?").run(tenantId);
  }

  inState(state: GenerationState): Generation | null {
    const row = this.db
      .query<Row, [string]>("SELECT * FROM vector_generations WHERE state = ? ORDER BY id DESC")
      .get(state);
    return row ? asGeneration(row) : null;
  }

  byId(id: number): Generation | null {
    const row = this.db
      .query<Row, [number]>("SELECT * FROM vector_generations WHERE id = ?")
      .get(id);
    return row ? asGeneration(row) : null;
  }

  /** The current generation; the first start makes `spec` generation 1, current. */
  ensureCurrent(spec: GenerationSpec, now = Date.now()): Generation {
    const current = this.inState("current");
    if (current) return current;
    this.db
      .query(
        "INSERT INTO vector_generations (embedder, dims, texts, state, created_at) VALUES (?, ?, ?, 'current', ?)",
      )
      .run(spec.embedder, spec.dims, JSON.stringify(spec.texts ?? {}), now);
    return this.inState("current") as Generation;
  }

  /** Starts building `spec`; an unfinished building generation of the same spec is resumed. */
  begin(spec: GenerationSpec, now = Date.now()): Generation {
    return this.db.transaction(() => {
      const building = this.inState("building");
      if (building && sameSpec(building, spec)) {
        this.stamp(building.id, spec.texts ?? {});
        return this.byId(building.id) as Generation;
      }
      if (building) {
        throw new GatewayError(
          "store_failed",
          `generation ${building.id} (${building.embedder}, ${building.dims}) is still building`,
        );
      }
      this.db
        .query(
          "INSERT INTO vector_generations (embedder, dims, texts, state, created_at) VALUES (?, ?, ?, 'building', ?)",
        )
        .run(spec.embedder, spec.dims, JSON.stringify(spec.texts ?? {}), now);
      return this.inState("building") as Generation;
    })();
  }

  /**
   * Adds the text rules of collections generation `id` was not stamped for (a newly declared
   * collection, or every one of a generation made before stamps), keeping those it has.
   */
  stamp(id: number, texts: TextRules): void {
    const row = this.byId(id);
    if (!row || Object.keys(texts).every((collection) => collection in row.texts)) return;
    const merged = JSON.stringify({ ...texts, ...row.texts });
    this.db.query("UPDATE vector_generations SET texts = ? WHERE id = ?").run(merged, id);
  }

  /** Adds what a batch of the build wrote for each tenant; `reset` first: a build (re)starts. */
  tenantProgress(id: number, counts: ReadonlyMap<string, number>, reset = false): void {
    const add = this.db.query(
      `INSERT INTO vector_generation_tenants (generation, tenant_id, done) VALUES (?, ?, ?)
       ON CONFLICT (generation, tenant_id) DO UPDATE SET done = done + excluded.done`,
    );
    this.db.transaction(() => {
      if (reset)
        this.db.query("DELETE FROM vector_generation_tenants WHERE generation = ?").run(id);
      for (const [tenantId, done] of counts) add.run(id, tenantId, done);
    })();
  }

  /** What the build of generation `id` wrote for `tenantId` so far. */
  tenantDone(id: number, tenantId: string): number {
    return (
      this.db
        .query<{ done: number }, [number, string]>(
          "SELECT done FROM vector_generation_tenants WHERE generation = ? AND tenant_id = ?",
        )
        .get(id, tenantId)?.done ?? 0
    );
  }

  progress(id: number, done: number, total: number): void {
    this.db
      .query("UPDATE vector_generations SET done = ?, total = ? WHERE id = ?")
      .run(done, total, id);
  }

  /**
   * Makes the building generation `id` current, the current one previous, and an older previous
   * one retired, in one transaction. False when `id` is not building (already switched).
   */
  promote(id: number, now = Date.now()): boolean {
    return this.db.transaction(() => {
      if (this.byId(id)?.state !== "building") return false;
      this.db.run("UPDATE vector_generations SET state = 'retired' WHERE state = 'previous'");
      this.db
        .query(
          "UPDATE vector_generations SET state = 'previous', switched_at = ? WHERE state = 'current'",
        )
        .run(now);
      this.db
        .query("UPDATE vector_generations SET state = 'current', switched_at = ? WHERE id = ?")
        .run(now, id);
      return true;
    })();
  }

  /** Swaps current and previous back; null when there is no previous generation to go back to. */
  rollback(now = Date.now()): Generation | null {
    return this.db.transaction(() => {
      const previous = this.inState("previous");
      const current = this.inState("current");
      if (!previous || !current) return null;
      const swap = this.db.query(
        "UPDATE vector_generations SET state = ?, switched_at = ? WHERE id = ?",
      );
      swap.run("previous", now, current.id);
      swap.run("current", now, previous.id);
      return this.byId(previous.id);
    })();
  }

  /** Makes `id` current as the shared pointer says: a finished build, or a rollback elsewhere. */
  follow(id: number, now = Date.now()): void {
    const state = this.byId(id)?.state;
    if (state === "building") this.promote(id, now);
    else if (state === "previous") this.rollback(now);
  }

  /** Retires a previous generation kept longer than `keepMs`; the ids retired. */
  expire(keepMs: number, now = Date.now()): number[] {
    const previous = this.inState("previous");
    if (!previous || (previous.switchedAt ?? 0) + keepMs > now) return [];
    this.db.query("UPDATE vector_generations SET state = 'retired' WHERE id = ?").run(previous.id);
    return [previous.id];
  }
}
