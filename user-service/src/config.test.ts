import { expect, test } from "bun:test";
import { ConfigError } from "@event-mesh/service-kit";
import { readConfig } from "./config.ts";

test("without DATABASE_URL the store is SQLite; with one, Postgres with its pool and relay settings", () => {
  expect(readConfig({}).DATABASE_URL).toBeUndefined();
  const config = readConfig({
    DATABASE_URL: "postgres://mesh@db:5432/mesh",
    DATABASE_POOL_MAX: "4",
    RELAY_REBALANCE_MS: "250",
    OUTBOX_MAX_AGE_MS: "5000",
  });
  expect(config).toMatchObject({
    DATABASE_URL: "postgres://mesh@db:5432/mesh",
    DATABASE_POOL_MAX: 4,
    RELAY_REBALANCE_MS: 250,
    OUTBOX_MAX_AGE_MS: 5000,
  });
  expect(readConfig({}).OUTBOX_MAX_AGE_MS).toBe(60_000);
});

test("a DATABASE_URL that is not a postgres:// URL stops start-up naming the variable", () => {
  for (const value of ["mysql://db/x", "not a url"]) {
    let problems: string[] = [];
    try {
      readConfig({ DATABASE_URL: value, DATABASE_POOL_MAX: "0" });
    } catch (error) {
      if (error instanceof ConfigError) problems = error.problems;
    }
    expect(problems.some((line) => line.startsWith("DATABASE_URL"))).toBe(true);
    expect(problems.some((line) => line.startsWith("DATABASE_POOL_MAX"))).toBe(true);
  }
});
