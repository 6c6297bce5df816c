// No Docker engine runs here, so this checks what can be checked without one: compose.yaml
// parses, every built service has its Dockerfile, every variable it sets is one the service
// reads, and the ports line up.
import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { GatewayEnv } from "../ai-gateway/src/config.ts";
import { UserServiceEnv } from "../user-service/src/config.ts";

const root = join(import.meta.dir, "..");
const compose = parse(readFileSync(join(root, "compose.yaml"), "utf8"));
const readsEnv = {
  "user-service": Object.keys(UserServiceEnv.pipe[0].entries),
  "ai-gateway": Object.keys(GatewayEnv.pipe[0].entries),
};

describe("compose.yaml", () => {
  test("parses and runs Redpanda, its console, Qdrant 1.19 and both services", () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      ["ai-gateway", "console", "qdrant", "redpanda", "user-service"].sort(),
    );
    expect(compose.services.qdrant.image).toMatch(/^qdrant\/qdrant:v1\.19\./);
    expect(compose.services.redpanda.command.join(" ")).toContain("--mode=dev-container");
  });

  for (const name of ["user-service", "ai-gateway"] as const) {
    describe(name, () => {
      const service = compose.services[name];
      const dockerfile = join(
        root,
        service.build.context,
        service.build.dockerfile ?? "Dockerfile",
      );
      const text = existsSync(dockerfile) ? readFileSync(dockerfile, "utf8") : "";

      test("is built from the Dockerfile on oven/bun:1.4.5, as a non-root user, with a /readyz healthcheck", () => {
        expect(existsSync(dockerfile)).toBe(true);
        expect(text).toMatch(/^FROM oven\/bun:1\.4\.5$/m);
        expect(text).toMatch(/^USER bun$/m);
        expect(text).toMatch(/^HEALTHCHECK[\s\S]*\/readyz/m);
        expect(service.build.args.SERVICE).toBe(name);
        expect(existsSync(join(root, name, "src", "main.ts"))).toBe(true);
      });

      test("sets only environment variables the service reads", () => {
        const unknown = Object.keys(service.environment).filter(
          (variable) => !readsEnv[name].includes(variable),
        );
        expect(unknown).toEqual([]);
      });

      test("publishes the port the service listens on and the Dockerfile exposes", () => {
        const port = String(service.environment.PORT);
        expect(service.ports).toEqual([`127.0.0.1:${port}:${port}`]);
        // The image listens on, exposes and health-checks the PORT its build argument names.
        expect(String(service.build.args.PORT)).toBe(port);
        expect(text).toMatch(/^ENV .*PORT=\$PORT/m);
        expect(text).toMatch(/^EXPOSE \$PORT$/m);
      });
    });
  }

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
});
