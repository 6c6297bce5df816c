// What each collection's embedded texts are made from, as a digest a generation is stamped with.
import { createHash } from "node:crypto";
import type { Registry } from "@event-mesh/contracts";
import type { ChunkSettings } from "../vectors/chunks.ts";

/** Per collection, a digest of its text rule: which fields are embedded, which are chunked, how. */
export type TextRules = Readonly<Record<string, string>>;

/**
 * The digest of every collection's text rule: its upsert types' text fields (in order) and long
 * text fields, and the chunk settings when any field is long. Two registries that embed the
 * same text for a collection give it the same digest; a changed field list or chunk size does
 * not. Types without `textFields` (a rule written in code that names none) count by name only.
 */
export function textRulesOf(registry: Registry, chunks: ChunkSettings): TextRules {
  const parts = new Map<string, string[]>();
  for (const [type, spec] of Object.entries(registry).sort(([a], [b]) => a.localeCompare(b))) {
    const rule = spec.gateway;
    if (rule.action !== "upsert") continue;
    const long = rule.longTextFields ?? [];
    const chunking = long.length > 0 ? `${chunks.chars}/${chunks.overlap}` : "";
    const part = `${type}:${(rule.textFields ?? []).join(",")}|${long.join(",")}|${chunking}`;
    parts.set(rule.collection, [...(parts.get(rule.collection) ?? []), part]);
  }
  const digest = (lines: string[]) =>
    createHash("sha256").update(lines.join("\n")).digest("hex").slice(0, 16);
  return Object.fromEntries([...parts].map(([collection, lines]) => [collection, digest(lines)]));
}

/** The collections whose text rule differs between `stamped` and `wanted` (both name them). */
export function changedTexts(stamped: TextRules, wanted: TextRules): string[] {
  return Object.keys(wanted).filter(
    (collection) => collection in stamped && stamped[collection] !== wanted[collection],
  );
}

/**
 * Whether vectors made under `stamped` hold the texts `wanted` asks for: no collection both name
 * changed. A collection only one names is no difference: a newly declared collection starts
 * empty in every generation, and a dropped one is no longer read.
 */
export const sameTexts = (stamped: TextRules, wanted: TextRules): boolean =>
  changedTexts(stamped, wanted).length === 0;

/** Reads a stamp as stored (JSON; the empty stamp of a generation made before stamps is {}). */
export function parseTexts(stored: string): TextRules {
  if (stored === "") return {};
  const parsed: unknown = JSON.parse(stored);
  return typeof parsed === "object" && parsed !== null ? (parsed as TextRules) : {};
}
