/**
 * Reads valibot schemas as plain data (no valibot import: this folder has no dependency on it):
 * every regular expression inside them, and every leaf field a client can put a string in.
 */

const isNode = (value: unknown): value is object => typeof value === "object" && value !== null;
/** A property of a schema node, whatever the node's type. */
const get = (node: unknown, key: string): unknown =>
  isNode(node) ? Reflect.get(node, key) : undefined;
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** Every RegExp anywhere in a schema: `v.regex`, and valibot's own (`v.email`, timestamps…). */
export function regexesIn(root: unknown): RegExp[] {
  const found: RegExp[] = [];
  const seen = new Set<unknown>();
  const visit = (value: unknown) => {
    if (value instanceof RegExp) found.push(value);
    else if (isNode(value) && !seen.has(value)) {
      seen.add(value);
      for (const inner of Object.values(value)) visit(inner);
    }
  };
  visit(root);
  return found;
}

/** A leaf field of a schema and whether it takes any string at all. */
export interface LeafField {
  /** Keys from the root, e.g. `["limit"]`. */
  path: string[];
  /** True when some string is refused here (a length, pattern, literal or picklist). */
  constrained: boolean;
}

/** Takes any string: a plain `v.string()`, possibly piped with metadata only. */
function takesAnyString(node: unknown): boolean {
  const type = get(node, "type");
  if (type === "union") return list(get(node, "options")).some(takesAnyString);
  if (type === "optional" || type === "nullable" || type === "nullish") {
    return takesAnyString(get(node, "wrapped"));
  }
  return (
    type === "string" && !list(get(node, "pipe")).some((item) => get(item, "kind") === "validation")
  );
}

/** Every leaf field, objects and arrays walked into (an array's item is at index `0`). */
export function leafFields(node: unknown, path: string[] = []): LeafField[] {
  switch (get(node, "type")) {
    case "object":
    case "strict_object":
    case "loose_object": {
      const entries = get(node, "entries");
      return Object.entries(isNode(entries) ? entries : {}).flatMap(([key, inner]) =>
        leafFields(inner, [...path, key]),
      );
    }
    case "optional":
    case "nullable":
    case "nullish":
      return leafFields(get(node, "wrapped"), path);
    case "array":
      return leafFields(get(node, "item"), [...path, "0"]);
    default:
      return [{ path, constrained: !takesAnyString(node) }];
  }
}

/** `value` put at `path` in a copy of `base`. */
export function withField(base: unknown, path: string[], value: unknown): unknown {
  const [key, ...rest] = path;
  if (key === undefined) return value;
  // An array's item (index `0`, as `leafFields` names it) goes into an array, not an object.
  const object = Array.isArray(base)
    ? [...base]
    : isNode(base)
      ? { ...base }
      : /^\d+$/.test(key)
        ? []
        : {};
  return Object.assign(object, {
    [key]: withField(Reflect.get(object, key), rest, value),
  });
}

const SIZE = 256 * 1024;
const fill = (unit: string, tail: string) =>
  unit.repeat(Math.ceil(SIZE / unit.length)).slice(0, SIZE - tail.length) + tail;

/**
 * 256 KiB strings that make backtracking patterns work hardest: long runs a star can share
 * with its neighbour, ended by the one character that makes the match fail. The old name
 * pattern took about 100 s on the first; a linear one takes well under a millisecond.
 */
export const WORST_CASES: Record<string, string> = {
  "letters, then a control character": fill("a", "\u0001"),
  "spaces, then a control character": fill(" ", "\u0001"),
  "digits, then a letter": fill("0", "x"),
  "dotted labels, then '!'": fill("a.", "!"),
  "'@'-separated words, then a newline": fill("a@", "\n"),
  "valibot's message separator, then a newline": fill(" but received ", "\n"),
};
