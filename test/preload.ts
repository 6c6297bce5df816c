import { afterAll } from "bun:test";
import { runEndTasks } from "./run-end.ts";

// Preloaded by bunfig.toml: an afterAll here runs once, after every test file of the run.
afterAll(runEndTasks);
