// No Docker engine runs here, so this checks what can be checked without one: compose.yaml
// parses, every built service is built from the one Dockerfile with its SERVICE and PORT, every
// variable it sets is one the service reads, and the ports line up. test/dockerfile.test.ts
// runs the build stage's steps without Docker and checks what each image holds.
import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { GatewayEnv } from "../ai-gateway/src/config.ts";
import { TaskServiceEnv } from "../task-service/src/config.ts";
import { UserServiceEnv } from "../user-service/src/config.ts";
import { envOf, imageSteps } from "./dockerfile.ts";

const root = join(import.meta.dir, "..");
const compose = parse(readFileSync(join(root, "compose.yaml"), "utf8"));
const readsEnv = {
  "user-service": Object.keys(UserServiceEnv.pipe[0].entries),
  "task-service": Object.keys(TaskServiceEnv.pipe[0].entries),
  "ai-gateway": Object.keys(GatewayEnv.pipe[0].entries),
};

describe("compose.yaml", () => {
  test("parses and runs Redpanda, its console, Qdrant 1.19, Postgres and the services", () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      [
        "ai-gateway",
        "console",
        "postgres",
        "qdrant",
        "redpanda",
        "task-service",
        "user-service",
        "user-service-2",
      ].sort(),
    );
    expect(compose.services.qdrant.image).toMatch(/^qdrant\/qdrant:v1\.19\./);
    expect(compose.services.redpanda.command.join(" ")).toContain("--mode=dev-container");
  });

  for (const name of ["user-service", "task-service", "ai-gateway"] as const) {
    describe(name, () => {
      const service = compose.services[name];
      const text = readFileSync(join(root, "Dockerfile"), "utf8");
      const steps = imageSteps(name);
      const port = String(service.environment.PORT);

      test("is built from the Dockerfile with its SERVICE and PORT, in two stages on oven/bun:1.4.5, as a non-root user, with a /readyz healthcheck", () => {
        expect(service.build).toEqual({ context: ".", args: { SERVICE: name, PORT: port } });
        const bases = steps.filter((step) => step.op === "FROM").map((step) => step.args);
        expect(bases).toEqual(["oven/bun:1.4.5 AS build", "oven/bun:1.4.5"]);
        // No digest could be looked up here: the comment says so and how to pin one.
        expect(text).toMatch(/digest/);
        expect(steps.filter((step) => step.op === "USER" && step.stage === 1)).toEqual([
          { op: "USER", args: "bun", stage: 1 },
        ]);
        const healthcheck = steps.find((step) => step.op === "HEALTHCHECK")?.args ?? "";
        expect(healthcheck).toContain("/readyz");
        expect(healthcheck).toContain("process.env.PORT");
        expect(steps.findLast((step) => step.op === "WORKDIR")?.args).toBe(`/app/${name}`);
        expect(steps.at(-1)).toEqual({ op: "CMD", args: '["bun", "src/main.ts"]', stage: 1 });
      });

      test("installs only this service's production dependencies and copies no test, bench or script but the pruning one", () => {
        const install = steps.filter(
          (step) => step.op === "RUN" && step.args.includes("bun install"),
        );
        expect(install).toHaveLength(1);
        expect(install[0]?.args).toContain(
          `bun install --frozen-lockfile --production --omit=peer --filter "@event-mesh/${name}"`,
        );
        const copied = steps
          .filter((step) => step.op === "COPY" && !step.args.startsWith("--from"))
          .flatMap((step) => step.args.split(/\s+/).slice(0, -1));
        expect(
          copied.filter(
            (path) =>
              /(^|\/)test(\/|$)|\.test\.ts$|bench/.test(path) ||
              (path.startsWith("scripts") && path !== "scripts/docker-keep.ts"),
          ),
        ).toEqual([]);
        const prune = steps.find((step) => step.op === "RUN" && step.args.includes("docker-keep"));
        expect(prune?.args).toContain(`bun scripts/docker-keep.ts "${name}"`);
      });

      test("sets only environment variables the service reads", () => {
        const unknown = Object.keys(service.environment).filter(
          (variable) => !readsEnv[name].includes(variable),
        );
        expect(unknown).toEqual([]);
        expect(
          Object.keys(envOf(steps)).filter((variable) => !readsEnv[name].includes(variable)),
        ).toEqual([]);
      });

      test("takes PORT at run time with its usual port as default, and publishes it", () => {
        const args = steps.filter((step) => step.op === "ARG").map((step) => step.args);
        expect([...new Set(args)].sort()).toEqual(["PORT", "SERVICE"]);
        expect(envOf(steps).PORT).toBe(port);
        expect(steps.find((step) => step.op === "EXPOSE")?.args).toBe(port);
        expect(service.ports).toEqual([`127.0.0.1:${port}:${port}`]);
      });
    });
  }

  test("one Dockerfile for every service (no per-service copies), .dockerignore keeps tests out", () => {
    for (const name of ["user-service", "task-service", "ai-gateway"])
      expect(existsSync(join(root, name, "Dockerfile"))).toBe(false);
    const ignored = readFileSync(join(root, ".dockerignore"), "utf8").split("\n");
    for (const pattern of ["**/node_modules", "**/test", "**/*.test.ts", "bench", ".git"])
      expect(ignored).toContain(pattern);
  });

  test("the user-service's Kafka and the gateway's Kafka and Qdrant point at the compose services", () => {
    const gateway = compose.services["ai-gateway"].environment;
    expect(compose.services["user-service"].environment.KAFKA_BROKERS).toBe("redpanda:9092");
    expect(gateway.KAFKA_BROKERS).toBe("redpanda:9092");
    expect(gateway.QDRANT_URL).toBe("http://qdrant:6333");
    expect(compose.services.qdrant.ports).toContain("127.0.0.1:6333:6333");
  });

  test("publishes every port on 127.0.0.1 only", () => {
    const published = Object.values<{ ports?: string[] }>(compose.services).flatMap(
      (service) => service.ports ?? [],
    );
    expect(published.length).toBeGreaterThan(0);
    expect(published.filter((port) => !port.startsWith("127.0.0.1:"))).toEqual([]);
  });

  // `${NAME:?message}` makes compose refuse to start while NAME is unset or empty.
  const required = (name: string) => new RegExp(`^\\$\\{${name}:\\?[^}]*${name}[^}]*\\}$`);

  test("ships no ingest token: compose refuses to start without INGEST_TOKEN", () => {
    const gateway = compose.services["ai-gateway"].environment;
    expect(gateway.INGEST_TOKEN).toMatch(required("INGEST_TOKEN"));
    expect(readFileSync(join(root, "compose.yaml"), "utf8")).not.toContain("change-me");
  });

  test("Qdrant requires an API key, which the gateway sends, and is health-checked before the gateway starts", () => {
    const qdrant = compose.services.qdrant;
    expect(qdrant.environment.QDRANT__SERVICE__API_KEY).toMatch(required("QDRANT_API_KEY"));
    expect(compose.services["ai-gateway"].environment.QDRANT_API_KEY).toBe(
      qdrant.environment.QDRANT__SERVICE__API_KEY,
    );
    expect(qdrant.healthcheck.test.join(" ")).toContain("/readyz");
    expect(compose.services["ai-gateway"].depends_on.qdrant.condition).toBe("service_healthy");
  });

  test("two user-service replicas share one Postgres, pinned by exact tag", () => {
    expect(compose.services.postgres.image).toMatch(/^postgres:\d+\.\d+$/);
    const [one, two] = [compose.services["user-service"], compose.services["user-service-2"]];
    expect(one.environment.DATABASE_URL).toMatch(/^postgres:\/\/.*@postgres:5432\//);
    expect(two.environment).toEqual(one.environment);
    expect(two.build).toEqual(one.build);
    expect(two.ports).toEqual(["127.0.0.1:3003:3000"]);
    expect(compose.services.postgres.environment.POSTGRES_PASSWORD).toMatch(
      required("POSTGRES_PASSWORD"),
    );
    for (const replica of [one, two]) {
      expect(replica.depends_on.postgres.condition).toBe("service_healthy");
    }
  });

  test("task-service has its own database on the same Postgres server, created on first start", () => {
    const tasks = compose.services["task-service"].environment;
    const users = compose.services["user-service"].environment;
    const server = (url: string) => url.replace(/\/[^/]*$/, "");
    expect(server(tasks.DATABASE_URL)).toBe(server(users.DATABASE_URL));
    expect(tasks.DATABASE_URL).toMatch(/@postgres:5432\/tasks$/);
    expect(users.DATABASE_URL).not.toMatch(/\/tasks$/);
    const init = compose.services.postgres.volumes.find((volume: string) =>
      volume.includes("docker-entrypoint-initdb.d"),
    );
    const file = join(root, init.split(":")[0]);
    expect(readFileSync(file, "utf8")).toContain("CREATE DATABASE tasks;");
    expect(tasks.USER_SERVICE_URL).toBe("http://user-service:3000");
    expect(tasks.KAFKA_BROKERS).toBe("redpanda:9092");
  });
});
