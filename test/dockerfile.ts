/**
 * Reading the services' Dockerfiles without Docker: their instructions, the workspace packages a
 * service needs, and a dry run of the build stage (its COPY and RUN steps in a temp folder), so
 * the tests can check what the image would hold and start the service from it.
 */
import { cpSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

export const ROOT = join(import.meta.dir, "..");

/** One instruction: `COPY a b` → { op: "COPY", args: "a b", stage: 0 }. */
export interface Instruction {
  op: string;
  args: string;
  /** 0 for the first FROM's stage, 1 for the next… */
  stage: number;
}

/** The instructions of a Dockerfile, continuation lines joined, comments dropped. */
export function instructions(text: string): Instruction[] {
  const joined = text.replace(/\\\n/g, " ");
  const result: Instruction[] = [];
  let stage = -1;
  for (const line of joined.split("\n")) {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith("#")) continue;
    const [op = "", ...rest] = trimmed.split(/\s+/);
    if (op.toUpperCase() === "FROM") stage++;
    result.push({ op: op.toUpperCase(), args: rest.join(" "), stage });
  }
  return result;
}

/** The workspace folders a package needs (itself included), following `workspace:` deps. */
export function workspaceClosure(folder: string): string[] {
  const root = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
    workspaces: string[];
  };
  const byName = new Map<string, string>();
  for (const dir of root.workspaces) byName.set(manifest(dir).name, dir);
  const seen = new Set<string>();
  const visit = (dir: string) => {
    if (seen.has(dir)) return;
    seen.add(dir);
    for (const [name, range] of Object.entries(manifest(dir).dependencies ?? {})) {
      const target = byName.get(name);
      if (range.startsWith("workspace:") && target) visit(target);
    }
  };
  visit(folder);
  return [...seen].sort();
}

function manifest(dir: string): { name: string; dependencies?: Record<string, string> } {
  return JSON.parse(readFileSync(join(ROOT, dir, "package.json"), "utf8"));
}

/** The ENV assignments of a stage (`ENV A=1 B=2`). */
export function envOf(steps: Instruction[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const step of steps.filter((each) => each.op === "ENV"))
    for (const pair of step.args.split(/\s+/)) {
      const [key = "", ...value] = pair.split("=");
      env[key] = value.join("=");
    }
  return env;
}

/**
 * Runs the build stage's WORKDIR, COPY and RUN steps with `/app` mapped to `into`: COPY takes
 * from the repository (the whole folder, tests too, as a context without .dockerignore would),
 * RUN goes through `sh -c` there. Returns the folder the image would hold under /app.
 */
export async function dryBuild(steps: Instruction[], into: string): Promise<string> {
  let workdir = into;
  for (const step of steps.filter((each) => each.stage === 0)) {
    if (step.op === "WORKDIR") workdir = join(into, step.args.replace(/^\/app\/?/, ""));
    if (step.op === "COPY") {
      const parts = step.args.split(/\s+/);
      const destination = parts.pop() ?? ".";
      for (const source of parts) {
        const target = destination.endsWith("/")
          ? join(workdir, destination, source.split("/").pop() ?? "")
          : join(workdir, destination);
        mkdirSync(dirname(target), { recursive: true });
        cpSync(join(ROOT, source), target, {
          recursive: true,
          filter: (path) => !path.includes("/node_modules"),
        });
      }
    }
    if (step.op === "RUN") {
      mkdirSync(workdir, { recursive: true });
      const child = Bun.spawn(["sh", "-c", step.args], {
        cwd: workdir,
        stdout: "pipe",
        stderr: "pipe",
      });
      const [out, err, code] = await Promise.all([
        new Response(child.stdout).text(),
        new Response(child.stderr).text(),
        child.exited,
      ]);
      if (code !== 0) throw new Error(`RUN ${step.args} exited ${code}\n${out}${err}`);
    }
  }
  return into;
}
