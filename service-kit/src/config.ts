import * as v from "valibot";
import type { AuthOptions } from "./auth.ts";
import { parseBrokers } from "./brokers.ts";
import { DEV_MESH_TOKEN_KEY } from "./consistency-token.ts";
import { ConfigError } from "./errors.ts";
import { kafkaSecurityEnv, kafkaSecurityRules } from "./kafka-config.ts";
import type { MetricsExposure } from "./metrics-exposure.ts";

/** Environment variables, as `process.env` or `Bun.env` hand them over. */
export type Env = Record<string, string | undefined>;

/**
 * Parses the environment once. Returns the typed config, or throws `ConfigError` naming
 * every bad variable (one line each, values never echoed since some are secrets).
 */
export function loadConfig<S extends v.GenericSchema<Env, unknown>>(
  schema: S,
  env: Env,
): v.InferOutput<S> {
  // Empty strings count as unset, so `FOO= bun start` falls back to the default.
  const cleaned: Env = {};
  for (const [name, value] of Object.entries(env)) if (value !== "") cleaned[name] = value;
  const result = v.safeParse(schema, cleaned);
  if (result.success) return result.output;
  const problems = new Set<string>();
  for (const issue of result.issues) {
    // Name the variable only: `KAFKA_BROKERS`, not `KAFKA_BROKERS.0`.
    const name = v.getDotPath(issue)?.split(".")[0];
    problems.add(name ? `${name}: ${issue.message}` : issue.message);
  }
  throw new ConfigError([...problems]);
}

/** An integer from a string, within [min, max]. */
export function intVar(min: number, max: number) {
  return v.pipe(
    v.string(),
    v.regex(/^[0-9]+$/, `must be an integer from ${min} to ${max}`),
    v.transform(Number),
    v.number(),
    v.minValue(min, `must be an integer from ${min} to ${max}`),
    v.maxValue(max, `must be an integer from ${min} to ${max}`),
  );
}

/** An absolute http(s) URL. */
export const urlVar = v.pipe(
  v.string(),
  v.url("must be a URL such as http://127.0.0.1:3001"),
  v.regex(/^https?:\/\//, "must start with http:// or https://"),
);

/** Comma-separated `host:port` list, e.g. `127.0.0.1:19092,broker-2:9092`. */
export const brokersVar = v.pipe(
  v.string(),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    const parsed = parseBrokers(dataset.value);
    if (parsed.ok) return parsed.brokers;
    // Configuration errors never echo a value (a secret pasted into the wrong variable).
    addIssue({
      message: parsed.entry === undefined ? parsed.message : "must be a list of host:port",
    });
    return NEVER;
  }),
);

/** Per-service defaults of the shared variables. */
export interface CommonDefaults {
  /** Default PORT. */
  port: number;
  /** Default KAFKA_CLIENT_ID. */
  clientId: string;
}

/** Schema entries of the variables every service reads. */
export function commonEnv(defaults: CommonDefaults) {
  return {
    PORT: v.optional(intVar(1, 65535), String(defaults.port)),
    HOST: v.optional(v.pipe(v.string(), v.minLength(1)), "127.0.0.1"),
    DATA_DIR: v.optional(v.string(), "./.data"),
    LOG_LEVEL: v.optional(
      v.picklist(
        ["trace", "debug", "info", "warn", "error", "fatal", "silent"],
        "must be one of trace, debug, info, warn, error, fatal, silent",
      ),
      "info",
    ),
    NODE_ENV: v.optional(v.string(), "development"),
    AUTH_MODE: v.optional(v.picklist(["dev", "jwt"], "must be dev or jwt")),
    JWT_SECRET: v.optional(v.pipe(v.string(), v.minLength(32, "must be at least 32 characters"))),
    JWT_JWKS_URL: v.optional(urlVar),
    JWT_ISSUER: v.optional(v.string()),
    JWT_AUDIENCE: v.optional(v.string()),
    JWT_MAX_AGE: v.optional(intVar(0, 31_536_000), "86400"),
    /**
     * Keys of the X-Mesh-Token HMAC, shared by producers and gateways: tokens are signed with
     * the first and accepted under any (rotation: add the new key first, drop the old one later).
     */
    MESH_TOKEN_KEYS: v.optional(
      v.pipe(
        v.string(),
        v.transform((text) => text.split(",").map((key) => key.trim())),
        v.maxLength(8, "must list at most 8 keys"),
        v.everyItem((key) => key.length >= 32, "each key must be at least 32 characters"),
      ),
    ),
    /** `/metrics` on this port only (an internal listener), not on PORT. */
    METRICS_PORT: v.optional(intVar(1, 65535)),
    /** `/metrics` needs `Authorization: Bearer <METRICS_TOKEN>`. */
    METRICS_TOKEN: v.optional(
      v.pipe(v.string(), v.minLength(32, "must be at least 32 characters")),
    ),
    KAFKA_BROKERS: v.optional(brokersVar),
    KAFKA_CLIENT_ID: v.optional(v.string(), defaults.clientId),
    TOPIC_PREFIX: v.optional(
      v.pipe(
        v.string(),
        v.regex(/^[A-Za-z0-9._-]{0,100}$/, "must be letters, digits, '.', '_' or '-'"),
      ),
      "",
    ),
    TOPIC_PARTITIONS: v.optional(intVar(1, 1000), "3"),
    ...kafkaSecurityEnv,
  };
}

/** The auth variables as `commonEnv` parses them. */
export interface AuthEnv {
  NODE_ENV: string;
  AUTH_MODE?: "dev" | "jwt" | undefined;
  JWT_SECRET?: string | undefined;
  JWT_JWKS_URL?: string | undefined;
  JWT_ISSUER?: string | undefined;
  JWT_AUDIENCE?: string | undefined;
  JWT_MAX_AGE: number;
}

/** AUTH_MODE, defaulting to `jwt` in production and `dev` elsewhere. */
export function authMode(env: Pick<AuthEnv, "NODE_ENV" | "AUTH_MODE">): "dev" | "jwt" {
  return env.AUTH_MODE ?? (env.NODE_ENV === "production" ? "jwt" : "dev");
}

/**
 * The rules across auth variables, to put in the service's `v.pipe` after its object:
 * `dev` is refused in production, and `jwt` needs a secret or a JWKS URL.
 */
export function authRules<T>() {
  return v.rawCheck<T>(({ dataset, addIssue }) => {
    // Runs even when other variables are bad, so that every problem is reported at once;
    // the values are then unchecked, hence read one by one.
    const read = (name: string): string | undefined => {
      const value: unknown =
        typeof dataset.value === "object" && dataset.value !== null
          ? Reflect.get(dataset.value, name)
          : undefined;
      return typeof value === "string" ? value : undefined;
    };
    const nodeEnv = read("NODE_ENV") ?? "development";
    const mode = read("AUTH_MODE");
    if (nodeEnv === "production" && mode === "dev") {
      addIssue({ message: "AUTH_MODE: dev is refused when NODE_ENV=production" });
    }
    const keys =
      typeof dataset.value === "object" && dataset.value !== null
        ? Reflect.get(dataset.value, "MESH_TOKEN_KEYS")
        : undefined;
    if (nodeEnv === "production" && keys === undefined) {
      addIssue({
        message: "MESH_TOKEN_KEYS: required when NODE_ENV=production (the X-Mesh-Token key)",
      });
    }
    const resolved = mode ?? (nodeEnv === "production" ? "jwt" : "dev");
    if (resolved === "jwt" && !read("JWT_SECRET") && !read("JWT_JWKS_URL")) {
      addIssue({
        message: "JWT_SECRET: JWT_SECRET or JWT_JWKS_URL is required when AUTH_MODE=jwt",
      });
    }
  });
}

/**
 * The keys of X-Mesh-Token: MESH_TOKEN_KEYS, or in development the public development key
 * (production refuses to start without MESH_TOKEN_KEYS).
 */
export function meshTokenKeysOf(env: {
  MESH_TOKEN_KEYS?: readonly string[] | undefined;
}): readonly string[] {
  return env.MESH_TOKEN_KEYS ?? [DEV_MESH_TOKEN_KEY];
}

/** Where `/metrics` is served, from METRICS_PORT and METRICS_TOKEN. */
export function metricsExposure(env: {
  METRICS_PORT?: number | undefined;
  METRICS_TOKEN?: string | undefined;
}): MetricsExposure {
  return { port: env.METRICS_PORT, token: env.METRICS_TOKEN };
}

/** The `auth()` options from a parsed config. */
export function authOptions(env: AuthEnv): AuthOptions {
  return {
    mode: authMode(env),
    secret: env.JWT_SECRET,
    jwksUrl: env.JWT_JWKS_URL,
    issuer: env.JWT_ISSUER,
    audience: env.JWT_AUDIENCE,
    maxAgeSeconds: env.JWT_MAX_AGE,
  };
}

/**
 * A service's environment schema: the common variables (with its defaults), its own entries,
 * and the auth rules.
 */
export function serviceEnv<const E extends v.ObjectEntries>(defaults: CommonDefaults, entries: E) {
  const schema = v.object({ ...commonEnv(defaults), ...entries });
  return v.pipe(
    schema,
    authRules<v.InferOutput<typeof schema>>(),
    kafkaSecurityRules<v.InferOutput<typeof schema>>(),
  );
}
