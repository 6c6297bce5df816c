import { afterAll, setDefaultTimeout } from "bun:test";
import { runEndTasks } from "./run-end.ts";

// bunfig.toml's `[test] timeout` is ignored by Bun 1.4.5 (tests still stop at 5 s); set from
// a preload, the default applies to every test file. Kafka and process tests wait on real I/O.
setDefaultTimeout(60_000);

// Preloaded by bunfig.toml: an afterAll here runs once, after every test file of the run.
afterAll(runEndTasks);
