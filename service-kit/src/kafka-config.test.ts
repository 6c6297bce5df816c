import { expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig, serviceEnv } from "./config.ts";
import { kafkaSecurity } from "./kafka-config.ts";
import { configProblems } from "./testing.ts";

const Env = serviceEnv({ port: 3000, clientId: "test" }, {});

const problems = (env: Record<string, string>) => configProblems(Env, env);

const dir = mkdtempSync(join(tmpdir(), "kafka-config-"));
const ca = join(dir, "ca.pem");
writeFileSync(ca, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");

test("no security variables → plaintext, no SASL", () => {
  expect(kafkaSecurity(loadConfig(Env, {}))).toBeUndefined();
});

test("SASL_SSL: mechanism, user, password and the CA file's contents", () => {
  const config = loadConfig(Env, {
    KAFKA_SASL_MECHANISM: "SCRAM-SHA-256",
    KAFKA_SASL_USERNAME: "mesh",
    KAFKA_SASL_PASSWORD: "s3cret",
    KAFKA_TLS: "true",
    KAFKA_TLS_CA_FILE: ca,
  });
  expect(kafkaSecurity(config)).toEqual({
    sasl: { mechanism: "SCRAM-SHA-256", username: "mesh", password: "s3cret" },
    tls: {
      ca: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
      cert: undefined,
      key: undefined,
    },
  });
});

test("each inconsistent or bad variable is named, and the password is never echoed", () => {
  const found = problems({
    KAFKA_SASL_MECHANISM: "GSSAPI",
    KAFKA_SASL_PASSWORD: "s3cret-value",
    KAFKA_TLS: "yes",
    KAFKA_TLS_CA_FILE: join(dir, "missing.pem"),
    KAFKA_TLS_CERT_FILE: ca,
  });
  expect(found).toEqual(
    expect.arrayContaining([
      "KAFKA_SASL_MECHANISM: must be PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512",
      "KAFKA_TLS: must be true or false",
      "KAFKA_TLS_CA_FILE: cannot read the file (ENOENT)",
    ]),
  );
  expect(found.join("\n")).not.toContain("s3cret-value");
  expect(
    problems({ KAFKA_SASL_MECHANISM: "PLAIN", KAFKA_TLS_CA_FILE: ca, KAFKA_TLS_CERT_FILE: ca }),
  ).toEqual([
    "KAFKA_SASL_USERNAME: is required when KAFKA_SASL_MECHANISM is set",
    "KAFKA_SASL_PASSWORD: is required when KAFKA_SASL_MECHANISM is set",
    "KAFKA_TLS_CA_FILE: needs KAFKA_TLS=true",
    "KAFKA_TLS_CERT_FILE: needs KAFKA_TLS=true",
    "KAFKA_TLS_KEY_FILE: KAFKA_TLS_CERT_FILE and KAFKA_TLS_KEY_FILE go together",
  ]);
  expect(problems({ KAFKA_SASL_USERNAME: "mesh" })).toEqual([
    "KAFKA_SASL_USERNAME: needs KAFKA_SASL_MECHANISM",
  ]);
});
