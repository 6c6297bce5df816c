import type { JsonSchema, OverrideActionContext } from "@valibot/to-json-schema";

/**
 * What `\w`, `\d` and `\s` mean in JavaScript. Other regex dialects that read the document
 * (Python's, in clients and fuzzers) take them to include Unicode letters, digits and spaces,
 * so the pattern would admit strings that valibot refuses.
 */
const CLASSES: Record<string, string> = {
  "\\w": "A-Za-z0-9_",
  "\\d": "0-9",
  "\\s": "\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff",
};

/** `source` with `\w`, `\d` and `\s` spelled out, inside and outside character classes. */
export function portablePattern(source: string): string {
  let out = "";
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const char = source[i];
    if (char === "\\") {
      const escaped = source.slice(i, i + 2);
      const expansion = CLASSES[escaped];
      out += expansion === undefined ? escaped : inClass ? expansion : `[${expansion}]`;
      i++;
      continue;
    }
    if (char === "[" && !inClass) inClass = true;
    else if (char === "]" && inClass) inClass = false;
    out += char;
  }
  return out;
}

/** Schemas whose `pattern` is an e-mail action's regex (a later `regex` action joins it). */
const fromEmail = new WeakSet<JsonSchema>();

/**
 * to-json-schema renders `v.email()` as `format: email`, which means another rule to every
 * reader (Python's checks the local part's length, valibot does not): state valibot's own regex
 * as `pattern` instead. Every pattern is made portable.
 */
function overrideAction({ valibotAction, jsonSchema, errors }: OverrideActionContext) {
  const requirement: unknown = Reflect.get(valibotAction, "requirement");
  const type = valibotAction.type;
  if ((type === "email" || type === "rfc_email") && requirement instanceof RegExp) {
    delete jsonSchema.format;
    if (jsonSchema.pattern === undefined) {
      jsonSchema.pattern = portablePattern(requirement.source);
      fromEmail.add(jsonSchema);
    }
    return undefined;
  }
  if (type === "regex" && requirement instanceof RegExp && fromEmail.has(jsonSchema)) {
    // JSON Schema has one pattern per string: both rules, the e-mail one as a lookahead.
    if (errors?.every((error) => error.includes("in combination"))) {
      fromEmail.delete(jsonSchema);
      const pattern = `(?=${jsonSchema.pattern})${portablePattern(requirement.source)}`;
      return { ...jsonSchema, pattern };
    }
  }
  if (typeof jsonSchema.pattern === "string")
    jsonSchema.pattern = portablePattern(jsonSchema.pattern);
  return undefined;
}

/**
 * How a validator's valibot schema becomes OpenAPI: the input a client sends (a query's
 * `limit` is the string before `transform(Number)`), and a constraint JSON Schema cannot state
 * (a `v.check`) stops the generation rather than leave the document looser than the server.
 * Write such rules with convertible actions (`minEntries`, `regex`) so that the document and
 * the validation are one schema.
 */
export const REQUEST_SCHEMA_OPTIONS = {
  options: { typeMode: "input", errorMode: "throw", overrideAction },
} as const;

/** A response's schema: what the server sends (after transforms), with the same patterns. */
export const RESPONSE_SCHEMA_OPTIONS = { options: { typeMode: "output", overrideAction } } as const;
