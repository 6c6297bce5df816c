// Managed Kafka: both services through a SASL_SSL listener (TLS with a CA of
// our own, SCRAM or PLAIN), and a wrong password refused at start-up with one line. A SECOND
// broker, with its own data folder and ports, so the shared test broker is never touched.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { startBroker, stopBroker } from "../scripts/kafka/broker.ts";
import { brokerPaths } from "../scripts/kafka/config.ts";
import { startService } from "../scripts/lib/service-process.ts";
import { createMany, search } from "./e2e/api.ts";
import {
  freePort,
  pointsReaching,
  stackConfig,
  startGateway,
  startUserService,
  stopAll,
  tail,
} from "./e2e/stack.ts";
import { describeKafka } from "./kafka-broker.ts";

const USER = "mesh";
const PASSWORD = `pw-${crypto.randomUUID()}`;

await describeKafka("services on a SASL_SSL listener (a second, separate broker)", () => {
  const dataDir = join(
    brokerPaths().dataDir,
    "..",
    `sasl-${process.pid}-${Date.now().toString(36)}`,
  );
  const ports = { broker: freePort(), controller: freePort() };
  const saslPort = freePort();
  const options = {
    dataDir,
    ports,
    saslSsl: { port: saslPort, username: USER, password: PASSWORD },
  };
  const address = `127.0.0.1:${saslPort}`;

  beforeAll(async () => {
    await startBroker(options);
  }, 180_000);
  afterAll(async () => {
    await stopAll();
    await stopBroker(options);
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  /** The variables of a managed cluster, as a user would set them. */
  const managed = (mechanism: string, password = PASSWORD): Record<string, string> => ({
    KAFKA_SASL_MECHANISM: mechanism,
    KAFKA_SASL_USERNAME: USER,
    KAFKA_SASL_PASSWORD: password,
    KAFKA_TLS: "true",
    KAFKA_TLS_CA_FILE: join(dataDir, "tls", "ca.pem"),
  });

  test("both services work through SASL_SSL (SCRAM-SHA-256 and PLAIN): users created are found", async () => {
    const config = stackConfig([address]);
    const gateway = await startGateway(config, managed("SCRAM-SHA-256"));
    const users = await startUserService(config, managed("PLAIN"));
    const tenant = `sasl-${crypto.randomUUID().slice(0, 6)}`;
    const created = await createMany(users.url, tenant, 20);
    const explain = () => tail([users, gateway]);
    expect(await pointsReaching(gateway.url, tenant, 20, 60_000, explain)).toBe(20);
    const first = created[0];
    if (!first) throw new Error("no user");
    expect((await search(gateway.url, tenant, first.name, 3)).map((hit) => hit.id)).toContain(
      first.id,
    );
    // The password is a secret: in no log line of either service.
    expect([...gateway.lines, ...users.lines].some((line) => line.includes(PASSWORD))).toBe(false);
  }, 180_000);

  for (const name of ["ai-gateway", "user-service"] as const) {
    test(`${name} refuses a wrong password at start-up with one line naming kafka and the reason`, async () => {
      const config = stackConfig([address]);
      const lines: string[] = [];
      const service = startService({
        name,
        port: freePort(),
        env: {
          AUTH_MODE: "dev",
          NODE_ENV: "test",
          DATA_DIR: name === "ai-gateway" ? config.gatewayDir : config.userDir,
          KAFKA_BROKERS: address,
          TOPIC_PREFIX: config.topicPrefix,
          ...managed("SCRAM-SHA-512", "not-the-password"),
        },
        log: (line) => lines.push(line),
      });
      const code = await Promise.race([
        service.exited,
        Bun.sleep(60_000).then(() => service.kill9()),
      ]);
      expect(code).toBe(1);
      expect(lines).toEqual(["kafka: authentication failed (SASL SCRAM-SHA-512) for user mesh"]);
    }, 90_000);
  }
});
