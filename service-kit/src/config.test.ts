import { expect, test } from "bun:test";
import * as v from "valibot";
import { authOptions, loadConfig, meshTokenKeysOf, serviceEnv, urlVar } from "./config.ts";
import { DEV_MESH_TOKEN_KEY } from "./consistency-token.ts";
import { configProblems } from "./testing.ts";

const Env = serviceEnv(
  { port: 3000, clientId: "user-service" },
  { GATEWAY_URL: v.optional(urlVar, "http://127.0.0.1:3001") },
);

const KEY = "k".repeat(32);
const problems = (env: Record<string, string>) => configProblems(Env, env);

test("fills every default when the environment is empty", () => {
  const config = loadConfig(Env, {});
  expect(config).toMatchObject({
    PORT: 3000,
    HOST: "127.0.0.1",
    DATA_DIR: "./.data",
    LOG_LEVEL: "info",
    KAFKA_CLIENT_ID: "user-service",
    TOPIC_PREFIX: "",
    TOPIC_PARTITIONS: 3,
    GATEWAY_URL: "http://127.0.0.1:3001",
  });
  expect(config.KAFKA_BROKERS).toBeUndefined();
  expect(authOptions(config).mode).toBe("dev");
});

test("parses numbers and the broker list", () => {
  const config = loadConfig(Env, {
    PORT: "8080",
    KAFKA_BROKERS: " a:1, b:2 ,",
    TOPIC_PARTITIONS: "6",
  });
  expect(config.PORT).toBe(8080);
  expect(config.TOPIC_PARTITIONS).toBe(6);
  expect(config.KAFKA_BROKERS).toEqual(["a:1", "b:2"]);
});

test("treats an empty variable as unset", () => {
  expect(loadConfig(Env, { PORT: "", HOST: "" }).PORT).toBe(3000);
});

test("names every bad variable at once, without echoing values", () => {
  const found = problems({
    PORT: "80a",
    LOG_LEVEL: "loud",
    KAFKA_BROKERS: "nohost",
    GATEWAY_URL: "ftp://x",
    JWT_SECRET: "short-secret-value",
  });
  expect(found.map((line) => line.split(":")[0])).toEqual([
    "PORT",
    "LOG_LEVEL",
    "JWT_SECRET",
    "KAFKA_BROKERS",
    "GATEWAY_URL",
  ]);
  expect(found.join("\n")).not.toContain("short-secret-value");
});

test("KAFKA_BROKERS is checked as the Kafka helpers check it: ports 1–65535, IPv6 in brackets", () => {
  expect(loadConfig(Env, { KAFKA_BROKERS: "[::1]:9092" }).KAFKA_BROKERS).toEqual(["[::1]:9092"]);
  expect(problems({ KAFKA_BROKERS: "a:0" })).toEqual([
    "KAFKA_BROKERS: must be a list of host:port",
  ]);
  expect(problems({ KAFKA_BROKERS: " , " })).toEqual([
    "KAFKA_BROKERS: must list at least one host:port",
  ]);
});

test("refuses AUTH_MODE=dev in production", () => {
  expect(
    problems({
      NODE_ENV: "production",
      AUTH_MODE: "dev",
      JWT_SECRET: "x".repeat(32),
      MESH_TOKEN_KEYS: KEY,
    }),
  ).toEqual(["AUTH_MODE: dev is refused when NODE_ENV=production"]);
});

test("defaults to jwt in production, which needs a key", () => {
  expect(problems({ NODE_ENV: "production" })).toEqual([
    "MESH_TOKEN_KEYS: required when NODE_ENV=production (the X-Mesh-Token key)",
    "JWT_SECRET: JWT_SECRET or JWT_JWKS_URL is required when AUTH_MODE=jwt",
  ]);
  const config = loadConfig(Env, {
    NODE_ENV: "production",
    JWT_JWKS_URL: "https://id.test/jwks",
    MESH_TOKEN_KEYS: KEY,
  });
  expect(authOptions(config)).toMatchObject({ mode: "jwt", jwksUrl: "https://id.test/jwks" });
});

test("bounds token age to a day unless JWT_MAX_AGE says otherwise (0 turns it off)", () => {
  const jwt = { AUTH_MODE: "jwt", JWT_SECRET: "x".repeat(32) };
  expect(authOptions(loadConfig(Env, jwt)).maxAgeSeconds).toBe(86_400);
  expect(authOptions(loadConfig(Env, { ...jwt, JWT_MAX_AGE: "900" })).maxAgeSeconds).toBe(900);
  expect(authOptions(loadConfig(Env, { ...jwt, JWT_MAX_AGE: "0" })).maxAgeSeconds).toBe(0);
  expect(problems({ ...jwt, JWT_MAX_AGE: "1h" })).toEqual([
    "JWT_MAX_AGE: must be an integer from 0 to 31536000",
  ]);
});

test("MESH_TOKEN_KEYS: a list of keys of 32+ characters; the development key only outside production", () => {
  expect(meshTokenKeysOf(loadConfig(Env, {}))).toEqual([DEV_MESH_TOKEN_KEY]);
  const rotated = loadConfig(Env, { MESH_TOKEN_KEYS: `${KEY}, ${"n".repeat(40)}` });
  expect(meshTokenKeysOf(rotated)).toEqual([KEY, "n".repeat(40)]);
  expect(problems({ MESH_TOKEN_KEYS: `${KEY},short` })).toEqual([
    "MESH_TOKEN_KEYS: each key must be at least 32 characters",
  ]);
  expect(problems({ NODE_ENV: "production", JWT_SECRET: "x".repeat(32) })).toEqual([
    "MESH_TOKEN_KEYS: required when NODE_ENV=production (the X-Mesh-Token key)",
  ]);
});
