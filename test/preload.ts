import { afterAll, beforeEach, expect, setDefaultTimeout } from "bun:test";
import { runEndTasks } from "./run-end.ts";

// bunfig.toml's `[test] timeout` is ignored by Bun 1.4.5 (tests still stop at 5 s); set from
// a preload, the default applies to every test file. Kafka and process tests wait on real I/O.
setDefaultTimeout(60_000);

// KAFKA_BROKERS, QDRANT_URL and DATABASE_URL given to `bun test` are for the tests (test/kafka-broker.ts,
// the live Qdrant tests, test/pg-server.ts), not for the services they spawn: a service that inherited them would
// silently switch to Kafka or Qdrant mode. Keep them under TEST_* names and clear the originals.
for (const name of ["KAFKA_BROKERS", "QDRANT_URL", "QDRANT_API_KEY", "DATABASE_URL"]) {
  const value = process.env[name];
  if (value !== undefined) process.env[`TEST_${name}`] ??= value;
  delete process.env[name];
}

// Preloaded by bunfig.toml: an afterAll here runs once, after every test file of the run.
afterAll(runEndTasks);

// Every test must assert something a user would notice: one that returns early, or only calls
// code without checking it, fails here ("received 0 assertions") instead of passing unseen. A
// test that cannot run says so with the runner's skip.
beforeEach(() => {
  expect.hasAssertions();
});
