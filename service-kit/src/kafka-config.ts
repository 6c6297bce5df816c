import { readFileSync } from "node:fs";
import * as v from "valibot";

/** A PEM file named by a variable, read once at start-up. */
export interface PemFile {
  path: string;
  pem: string;
}

/** A path whose file is read at parse time; an unreadable one is an issue naming the variable. */
const pemFileVar = v.pipe(
  v.string(),
  v.rawTransform<string, PemFile>(({ dataset, addIssue, NEVER }) => {
    try {
      const pem = readFileSync(dataset.value, "utf8");
      if (!pem.includes("-----BEGIN ")) {
        addIssue({ message: "is not a PEM file (no -----BEGIN line)" });
        return NEVER;
      }
      return { path: dataset.value, pem };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
      addIssue({ message: `cannot read the file (${code})` });
      return NEVER;
    }
  }),
);

/** Schema entries of the Kafka security variables (both services, part of `commonEnv`). */
export const kafkaSecurityEnv = {
  /** SASL mechanism; set → SASL with KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD. */
  KAFKA_SASL_MECHANISM: v.optional(
    v.picklist(
      ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"],
      "must be PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512",
    ),
  ),
  KAFKA_SASL_USERNAME: v.optional(v.string()),
  /** Secret: never echoed, never logged. */
  KAFKA_SASL_PASSWORD: v.optional(v.string()),
  /** `true` → TLS to the brokers (SSL, or SASL_SSL with a mechanism). */
  KAFKA_TLS: v.optional(
    v.pipe(
      v.picklist(["true", "false", "1", "0"], "must be true or false"),
      v.transform((text) => text === "true" || text === "1"),
    ),
    "false",
  ),
  /** CA bundle that signed the brokers' certificates; unset → the system's roots. */
  KAFKA_TLS_CA_FILE: v.optional(pemFileVar),
  /** Client certificate and its key, for clusters that ask for one (mTLS). */
  KAFKA_TLS_CERT_FILE: v.optional(pemFileVar),
  KAFKA_TLS_KEY_FILE: v.optional(pemFileVar),
};

/** The security variables as parsed. */
export interface KafkaSecurityEnv {
  KAFKA_SASL_MECHANISM?: "PLAIN" | "SCRAM-SHA-256" | "SCRAM-SHA-512" | undefined;
  KAFKA_SASL_USERNAME?: string | undefined;
  KAFKA_SASL_PASSWORD?: string | undefined;
  KAFKA_TLS: boolean;
  KAFKA_TLS_CA_FILE?: PemFile | undefined;
  KAFKA_TLS_CERT_FILE?: PemFile | undefined;
  KAFKA_TLS_KEY_FILE?: PemFile | undefined;
}

/**
 * The rules across the security variables: a mechanism needs a user and a password (and they
 * need a mechanism), the TLS files need KAFKA_TLS=true, a certificate needs its key.
 */
export function kafkaSecurityRules<T>() {
  return v.rawCheck<T>(({ dataset, addIssue }) => {
    const set = (name: string): boolean =>
      typeof dataset.value === "object" &&
      dataset.value !== null &&
      Reflect.get(dataset.value, name) !== undefined;
    if (set("KAFKA_SASL_MECHANISM")) {
      for (const name of ["KAFKA_SASL_USERNAME", "KAFKA_SASL_PASSWORD"])
        if (!set(name))
          addIssue({ message: `${name}: is required when KAFKA_SASL_MECHANISM is set` });
    } else {
      for (const name of ["KAFKA_SASL_USERNAME", "KAFKA_SASL_PASSWORD"])
        if (set(name)) addIssue({ message: `${name}: needs KAFKA_SASL_MECHANISM` });
    }
    const tls =
      typeof dataset.value === "object" &&
      dataset.value !== null &&
      Reflect.get(dataset.value, "KAFKA_TLS") === true;
    for (const name of ["KAFKA_TLS_CA_FILE", "KAFKA_TLS_CERT_FILE", "KAFKA_TLS_KEY_FILE"])
      if (set(name) && !tls) addIssue({ message: `${name}: needs KAFKA_TLS=true` });
    if (set("KAFKA_TLS_CERT_FILE") !== set("KAFKA_TLS_KEY_FILE"))
      addIssue({
        message: "KAFKA_TLS_KEY_FILE: KAFKA_TLS_CERT_FILE and KAFKA_TLS_KEY_FILE go together",
      });
  });
}

/**
 * The `security` option of kafka-kit's clients (its `KafkaSecurity`), or undefined for a
 * plaintext cluster without authentication.
 */
export function kafkaSecurity(env: KafkaSecurityEnv) {
  const { KAFKA_SASL_MECHANISM: mechanism, KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD } = env;
  const sasl =
    mechanism && KAFKA_SASL_USERNAME !== undefined && KAFKA_SASL_PASSWORD !== undefined
      ? { mechanism, username: KAFKA_SASL_USERNAME, password: KAFKA_SASL_PASSWORD }
      : undefined;
  const tls = env.KAFKA_TLS
    ? {
        ca: env.KAFKA_TLS_CA_FILE?.pem,
        cert: env.KAFKA_TLS_CERT_FILE?.pem,
        key: env.KAFKA_TLS_KEY_FILE?.pem,
      }
    : undefined;
  return sasl || tls ? { sasl, tls } : undefined;
}
