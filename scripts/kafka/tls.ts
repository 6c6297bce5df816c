import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";

/** The PEM files of a local SASL_SSL listener. */
export interface BrokerTls {
  /** CA certificate clients trust (KAFKA_TLS_CA_FILE). */
  caCert: string;
  /** Broker key (PKCS#8, unencrypted) followed by its certificate: Kafka's PEM key store. */
  keystore: string;
}

function openssl(args: string[], cwd: string): void {
  const run = Bun.spawnSync(["openssl", ...args], { cwd, stdout: "pipe", stderr: "pipe" });
  if (run.exitCode !== 0)
    throw new Error(`openssl ${args[0]} failed: ${run.stderr.toString().trim()}`);
}

/**
 * A throw-away CA and a broker certificate for 127.0.0.1 and localhost, made with `openssl` once
 * per data folder (tests of the SASL_SSL listener). Nothing here is a secret worth keeping.
 */
export async function ensureBrokerTls(dir: string): Promise<BrokerTls> {
  const files = { caCert: join(dir, "ca.pem"), keystore: join(dir, "broker-keystore.pem") };
  if (existsSync(files.caCert) && existsSync(files.keystore)) return files;
  mkdirSync(dir, { recursive: true });
  const days = ["-days", "3650"];
  openssl(
    ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "ca.key"],
    dir,
  );
  openssl(
    [
      "req",
      "-x509",
      "-new",
      "-key",
      "ca.key",
      "-subj",
      "/CN=event-mesh test CA",
      ...days,
      "-out",
      "ca.pem",
    ],
    dir,
  );
  openssl(
    ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "broker.key"],
    dir,
  );
  openssl(
    ["req", "-new", "-key", "broker.key", "-subj", "/CN=127.0.0.1", "-out", "broker.csr"],
    dir,
  );
  await Bun.write(
    join(dir, "broker.ext"),
    "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n",
  );
  openssl(
    [
      "x509",
      "-req",
      "-in",
      "broker.csr",
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      ...days,
      "-extfile",
      "broker.ext",
      "-out",
      "broker.pem",
    ],
    dir,
  );
  const key = await Bun.file(join(dir, "broker.key")).text();
  const cert = await Bun.file(join(dir, "broker.pem")).text();
  await Bun.write(files.keystore, `${key.trimEnd()}\n${cert}`);
  return files;
}
