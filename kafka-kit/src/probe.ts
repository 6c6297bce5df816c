import { Admin } from "@platformatic/kafka";
import { connectionOptions, type KafkaSecurity, refusalReason } from "./security.ts";

/** What a metadata request told about the cluster. */
export type ProbeResult =
  | { ok: true; clusterId: string; brokerCount: number }
  | {
      ok: false;
      message: string /** Set when the cluster refused this client (credential, certificate). */;
      refused?: string;
    };

/**
 * Asks the brokers for cluster metadata once, without retries: answers within `timeoutMs`.
 * Used to wait for a starting broker and by readiness probes (`/readyz`).
 */
export async function probeBrokers(
  brokers: string[],
  timeoutMs = 2000,
  security?: KafkaSecurity,
): Promise<ProbeResult> {
  const admin = new Admin({
    ...connectionOptions(security),
    clientId: "event-mesh-probe",
    bootstrapBrokers: brokers,
    retries: 0,
    connectTimeout: timeoutMs,
    timeout: timeoutMs,
  });
  try {
    const metadata = await admin.metadata({ topics: [] });
    return { ok: true, clusterId: metadata.id, brokerCount: metadata.brokers.size };
  } catch (error) {
    const refused = refusalReason(error, security);
    const message = error instanceof Error ? error.message : String(error);
    return refused ? { ok: false, message, refused } : { ok: false, message };
  } finally {
    await admin.close().catch(() => {});
  }
}
