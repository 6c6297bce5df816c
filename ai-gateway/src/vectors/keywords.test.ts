import { expect, test } from "bun:test";
import { documentSparse, ftsQuery, querySparse, tokenize } from "./keywords.ts";

test("splits invoice numbers and e-mails into words, folding case and accents", () => {
  expect(tokenize("Paid INV-2024-0042 to Zoë <zoe@tenant-a.dev>")).toEqual([
    "paid",
    "inv",
    "2024",
    "0042",
    "to",
    "zoe",
    "zoe",
    "tenant",
    "a",
    "dev",
  ]);
});

test("an FTS5 query quotes every word, so none is read as FTS5 syntax", () => {
  expect(ftsQuery('NEAR(a b) OR "x" col:*')).toBe('"near" OR "a" OR "b" OR "or" OR "x" OR "col"');
  expect(ftsQuery("?!…")).toBeNull();
});

test("sparse vectors: the same word has the same index in a document and a query", () => {
  const doc = documentSparse("deploy the billing service, then deploy again");
  const query = querySparse("billing deploy");
  expect(new Set(doc.indices).size).toBe(doc.indices.length);
  for (const index of query.indices) expect(doc.indices).toContain(index);
  // A repeated word weighs more than a single one, but less than twice as much (saturation).
  const [deploy, billing] = [querySparse("deploy").indices[0], querySparse("billing").indices[0]];
  const w = (index: number | undefined) => doc.values[doc.indices.indexOf(index ?? -1)] ?? 0;
  expect(w(deploy)).toBeGreaterThan(w(billing));
  expect(w(deploy)).toBeLessThan(2 * w(billing));
  expect(w(billing)).toBeGreaterThan(0);
});
