import { expect, test } from "bun:test";
import { StartError } from "./errors.ts";
import { createLogger } from "./logger.ts";
import { serve } from "./serve.ts";

const logger = createLogger({ name: "test", level: "silent" });

test("says which variable to set when the port is taken", () => {
  const taken = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("") });
  try {
    const start = () =>
      serve({
        fetch: () => new Response(""),
        port: taken.port ?? 0,
        hostname: "127.0.0.1",
        logger,
        handleSignals: false,
      });
    expect(start).toThrow(StartError);
    expect(start).toThrow(`port ${taken.port} is already in use; set PORT`);
  } finally {
    taken.stop(true);
  }
});

test("shutdown finishes the in-flight request, refuses new ones, runs onShutdown, exits 0", async () => {
  const steps: string[] = [];
  let release = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  let arrived = () => {};
  const inFlight = new Promise<void>((resolve) => {
    arrived = resolve;
  });
  const running = serve({
    fetch: async () => {
      arrived();
      await held;
      steps.push("answered");
      return new Response("done");
    },
    port: 0,
    hostname: "127.0.0.1",
    logger,
    handleSignals: false,
    onShutdown: async () => {
      steps.push("onShutdown");
    },
    exit: (code) => steps.push(`exit ${code}`),
  });
  const slow = fetch(running.url).then((response) => response.text());
  await inFlight;
  const stopped = running.shutdown("test");
  await expect(fetch(running.url)).rejects.toThrow();
  release();
  expect(await slow).toBe("done");
  await stopped;
  expect(steps).toEqual(["answered", "onShutdown", "exit 0"]);
});

test("a hung onShutdown does not keep the process from exiting", async () => {
  const exits: number[] = [];
  const running = serve({
    fetch: () => new Response(""),
    port: 0,
    hostname: "127.0.0.1",
    logger,
    handleSignals: false,
    shutdownTimeoutMs: 20,
    onShutdown: () => new Promise(() => {}),
    exit: (code) => exits.push(code),
  });
  await running.shutdown("test");
  expect(exits).toEqual([0]);
});
