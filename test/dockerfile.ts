/**
 * Reading the Dockerfile without Docker: each service's instructions (the build arguments
 * compose.yaml gives it written in), the workspace packages a service needs, and a dry run of the build stage (its COPY and RUN steps in a temp folder), so
 * the tests can check what the image would hold and start the service from it.
 */
import { cpSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parse } from "yaml";
import { workspaceClosure as closure } from "../scripts/docker-keep.ts";

export const ROOT = join(import.meta.dir, "..");

/** One instruction: `COPY a b` → { op: "COPY", args: "a b", stage: 0 }. */
export interface Instruction {
  op: string;
  args: string;
  /** 0 for the first FROM's stage, 1 for the next… */
  stage: number;
}

/**
 * The instructions of a Dockerfile, continuation lines joined, comments dropped, and the build
 * arguments `args` written in where `${NAME}` names them (as `docker build --build-arg` does).
 */
export function instructions(text: string, args: Record<string, string> = {}): Instruction[] {
  const joined = text
    .replace(/\\\n/g, " ")
    .replace(/\$\{([A-Z_]+)\}/g, (whole, name: string) => args[name] ?? whole);
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

/** The build arguments compose.yaml gives a service's image (SERVICE, PORT). */
export function buildArgs(service: string): Record<string, string> {
  const compose = parse(readFileSync(join(ROOT, "compose.yaml"), "utf8"));
  const args: Record<string, unknown> = compose.services[service]?.build?.args ?? {};
  return Object.fromEntries(Object.entries(args).map(([key, value]) => [key, String(value)]));
}

/** The service's image: the one Dockerfile's instructions with its build arguments. */
export function imageSteps(service: string): Instruction[] {
  return instructions(readFileSync(join(ROOT, "Dockerfile"), "utf8"), buildArgs(service));
}

/** The workspace folders a package needs (itself included), following `workspace:` deps. */
export function workspaceClosure(folder: string): string[] {
  return closure(folder, ROOT);
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
