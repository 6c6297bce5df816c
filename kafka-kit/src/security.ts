import type { ConnectionOptions as TlsOptions } from "node:tls";
import type { SASLOptions } from "@platformatic/kafka";

/** SASL mechanisms a managed Kafka asks for (KAFKA_SASL_MECHANISM). */
export type SaslMechanism = "PLAIN" | "SCRAM-SHA-256" | "SCRAM-SHA-512";

/**
 * How a client proves itself to a managed cluster: SASL credentials, TLS, or both (SASL_SSL).
 * PEM contents, not paths: config.ts reads the files once and names the variable of a bad one.
 */
export interface KafkaSecurity {
  sasl?: { mechanism: SaslMechanism; username: string; password: string } | undefined;
  /** Present → TLS. `ca` replaces the system roots; `cert` + `key` answer a client-cert request. */
  tls?:
    | { ca?: string | undefined; cert?: string | undefined; key?: string | undefined }
    | undefined;
}

/** The `tls` and `sasl` connection options of @platformatic/kafka clients. */
export function connectionOptions(security: KafkaSecurity | undefined): {
  tls?: TlsOptions;
  sasl?: SASLOptions;
} {
  const options: { tls?: TlsOptions; sasl?: SASLOptions } = {};
  if (security?.tls) {
    const { ca, cert, key } = security.tls;
    options.tls = { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) };
  }
  if (security?.sasl) {
    const { mechanism, username, password } = security.sasl;
    options.sasl = { mechanism, username, password };
  }
  return options;
}

/** Walks an error, its `cause` and nested `errors` (the library's MultipleErrors). */
function* leaves(error: unknown, depth = 0): Generator<unknown> {
  if (depth > 8 || error === null || typeof error !== "object") return;
  yield error;
  const { cause, errors } = error as { cause?: unknown; errors?: unknown };
  if (cause) yield* leaves(cause, depth + 1);
  if (Array.isArray(errors)) for (const nested of errors) yield* leaves(nested, depth + 1);
}

/** Node's TLS verification codes that mean "this is not the certificate we trust". */
const TLS_CODES = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

/**
 * The one line naming why the cluster refused this client, when it did (a wrong credential, an
 * untrusted certificate); null for anything else (e.g. a broker that is down). Never includes the
 * password. E.g. `kafka: authentication failed (SASL SCRAM-SHA-256) for user mesh`.
 */
export function refusalReason(error: unknown, security: KafkaSecurity | undefined): string | null {
  for (const leaf of leaves(error)) {
    const { code, message } = leaf as { code?: unknown; message?: unknown };
    if (code === "PLT_KFK_AUTHENTICATION") {
      const sasl = security?.sasl;
      return sasl
        ? `kafka: authentication failed (SASL ${sasl.mechanism}) for user ${sasl.username}`
        : "kafka: authentication failed (the cluster asks for SASL; set KAFKA_SASL_MECHANISM)";
    }
    if (typeof code === "string" && TLS_CODES.has(code)) {
      return `kafka: TLS certificate not trusted (${code}); set KAFKA_TLS_CA_FILE to the cluster's CA`;
    }
    if (
      typeof message === "string" &&
      /wrong version number|packet length too long/i.test(message)
    ) {
      return "kafka: TLS handshake failed (is the listener plaintext? unset KAFKA_TLS)";
    }
  }
  return null;
}
