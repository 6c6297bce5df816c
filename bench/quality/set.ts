// The labelled set of bench:quality, written for this project: 80 users and 190 tasks of one
// tenant, 200 queries in four kinds. Deterministic: the same entities and queries on every run.
//   paraphrase  60  a task by other words than its title (bench/quality/paraphrase.ts)
//   exact       60  an invoice number, a SKU, an order reference (tasks) or an e-mail (users)
//   filtered    50  a paraphrase query with a filter on status or assignee
//   long        30  a passage deep inside a 4,000-character description (bench/quality/long-text.ts)

import { FILLER, LONG } from "./long-text.ts";
import { PARAPHRASE } from "./paraphrase.ts";

export type TaskStatus = "open" | "in_progress" | "completed";

export interface QualityUser {
  id: string;
  name: string;
  email: string;
}

export interface QualityTask {
  id: string;
  title: string;
  description: string;
  status: TaskStatus;
  assignee: string;
}

export type QueryKind = "paraphrase" | "exact" | "filtered" | "long";

export interface QualityQuery {
  kind: QueryKind;
  type: "users" | "tasks";
  q: string;
  /** Equality filters on declared fields (tasks: status, assignee). */
  filter?: Partial<Record<"status" | "assignee", string>>;
  /** The entity id a good search ranks first. */
  expected: string;
  /**
   * Entities that differ from `expected` only in what the query does not name (the twins made for
   * the filtered queries: same title and description, another status or assignee). Without a
   * filter no search can tell them apart, so ranking one of them counts as finding `expected`.
   */
  same?: string[];
}

export interface QualitySet {
  users: QualityUser[];
  tasks: QualityTask[];
  queries: QualityQuery[];
}

/** A small deterministic generator (mulberry32), so the set is the same everywhere. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = [
  "Ana",
  "Bram",
  "Chloé",
  "Dmitri",
  "Elif",
  "Farah",
  "Gunnar",
  "Hana",
  "Idris",
  "Jana",
];
const LAST = ["Okafor", "Lindqvist", "Moreau", "Ivanova", "Yilmaz", "Haddad", "Berg", "Sato"];
const DOMAINS = ["northwind.example", "contoso.example", "fabrikam.example", "tailspin.example"];
const STATUSES: readonly TaskStatus[] = ["open", "in_progress", "completed"];

/** Builds the set; `seed` changes only the random parts (statuses, assignees, numbers). */
export function qualitySet(seed = 7): QualitySet {
  const random = rng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const users: QualityUser[] = [];
  for (const last of LAST) {
    for (const first of FIRST) {
      const n = users.length;
      const email = `${first.toLowerCase().normalize("NFD").replace(/\p{M}/gu, "")}.${last.toLowerCase()}${n}@${DOMAINS[n % DOMAINS.length]}`;
      users.push({ id: `q-user-${n}`, name: `${first} ${last}`, email });
    }
  }
  const tasks: QualityTask[] = [];
  const queries: QualityQuery[] = [];
  const task = (title: string, description: string): QualityTask => {
    const created: QualityTask = {
      id: `q-task-${tasks.length}`,
      title,
      description,
      status: pick(STATUSES),
      assignee: pick(users).id,
    };
    tasks.push(created);
    return created;
  };

  // Paraphrases, and the same queries again with a filter that the target satisfies: half on
  // its status (a third of the tasks qualify), half on its assignee (about one in eighty).
  const paraphrased = PARAPHRASE.map(([title, description, query]) => {
    const created = task(title, description);
    const unfiltered: QualityQuery = {
      kind: "paraphrase",
      type: "tasks",
      q: query,
      expected: created.id,
    };
    queries.push(unfiltered);
    return { created, query, unfiltered };
  });
  paraphrased.slice(0, 50).forEach(({ created, query }, i) => {
    const filter = i % 2 === 0 ? { status: created.status } : { assignee: created.assignee };
    queries.push({ kind: "filtered", type: "tasks", q: query, filter, expected: created.id });
  });
  // Twins that differ from a filtered target only in the filtered field: without the filter
  // they tie with it, so only a search that applies the filter inside retrieval ranks right.
  paraphrased.slice(0, 50).forEach(({ created, unfiltered }, i) => {
    const twin = task(created.title, created.description);
    if (i % 2 === 0) twin.status = STATUSES.find((s) => s !== created.status) ?? "open";
    else twin.assignee = users.find((u) => u.id !== created.assignee)?.id ?? twin.assignee;
    // The unfiltered paraphrase query finds either: their scores tie (an assignee is not
    // embedded) or nearly (a status word is), and each store breaks the tie its own way.
    unfiltered.same = [twin.id];
  });

  // Exact tokens: texts that differ only in an identifier, found by the identifier alone.
  const used = new Set<string>();
  const unique = (make: () => string) => {
    for (;;) {
      const value = make();
      if (!used.has(value)) {
        used.add(value);
        return value;
      }
    }
  };
  const digits = (n: number) => String(Math.floor(random() * 10 ** n)).padStart(n, "0");
  for (let i = 0; i < 15; i++) {
    const number = unique(() => `INV-2024-${digits(4)}`);
    const created = task(
      `Reconcile invoice ${number} with the bank statement`,
      "Amounts differ by a few cents.",
    );
    queries.push({ kind: "exact", type: "tasks", q: number, expected: created.id });
  }
  for (let i = 0; i < 15; i++) {
    const sku = unique(
      () => `SKU-${String.fromCharCode(65 + Math.floor(random() * 26))}${digits(4)}`,
    );
    const created = task(
      `Restock ${sku} in the Leeds warehouse`,
      "Below the reorder point since Friday.",
    );
    queries.push({ kind: "exact", type: "tasks", q: sku, expected: created.id });
  }
  for (let i = 0; i < 10; i++) {
    const order = unique(() => `ORD-${digits(6)}`);
    const created = task(`Refund order ${order} for a damaged parcel`, "The customer sent photos.");
    queries.push({ kind: "exact", type: "tasks", q: order, expected: created.id });
  }
  for (let i = 0; i < 20; i++) {
    const user = users[(i * 7) % users.length] as QualityUser;
    queries.push({ kind: "exact", type: "users", q: user.email, expected: user.id });
  }

  // Long descriptions: the passage at 1,500 to 3,800 characters of about 4,000.
  LONG.forEach(([title, passage, query], i) => {
    const at = 1_500 + Math.floor(((i * 2_300) / LONG.length) % 2_300);
    let before = "";
    while (before.length < at) before += `${pick(FILLER)} `;
    let after = "";
    while (before.length + passage.length + after.length < 4_000) after += ` ${pick(FILLER)}`;
    const description = `${before}${passage}${after}`.slice(0, 4_000);
    const created = task(title, description);
    queries.push({ kind: "long", type: "tasks", q: query, expected: created.id });
  });

  return { users, tasks, queries };
}
