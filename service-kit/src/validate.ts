import type { StandardSchemaV1 } from "@standard-schema/spec";
import type { Env, ValidationTargets } from "hono";
import { validator } from "hono-openapi";
import { type FieldIssue, invalidInput } from "./errors.ts";

/**
 * valibot's generic messages, made readable for API clients: a strict object's unknown key,
 * a missing key, a wrong type.
 */
function readable(message: string): string {
  if (/^Invalid key: Expected never/.test(message)) return "is not a known field";
  if (/^Invalid key: .* but received undefined$/.test(message)) return "is required";
  const type = /^Invalid type: Expected (.+) but received (.+)$/.exec(message);
  if (type) return `must be ${type[1]} (got ${type[2]})`;
  return message;
}

/** Standard Schema issues as `{ path, message }`, path dotted (`items.0.name`). */
export function toFieldIssues(issues: readonly StandardSchemaV1.Issue[]): FieldIssue[] {
  return issues.map((issue) => ({
    path: (issue.path ?? [])
      .map((segment) => String(typeof segment === "object" ? segment.key : segment))
      .join("."),
    message: readable(issue.message),
  }));
}

/**
 * hono-openapi's validator (so the schema lands in /openapi.json) with our error body:
 * 400 `invalid_input` naming each field at fault.
 */
export function validate<
  S extends StandardSchemaV1,
  T extends keyof ValidationTargets,
  E extends Env = Env,
  P extends string = string,
>(target: T, schema: S) {
  return validator<S, T, E, P>(target, schema, (result) => {
    if (!result.success) {
      throw invalidInput(
        toFieldIssues(result.error),
        `invalid ${target === "json" ? "body" : target}`,
      );
    }
  });
}
