import { Admin } from "@platformatic/kafka";

/** What a metadata request told about the cluster. */
export type ProbeResult =
  | { ok: true; clusterId: string; brokerCount: number }
  | { ok: false; message: string };

/**
 * Asks the brokers for cluster metadata once, without retries: answers within `timeoutMs`.
 * Used to wait for a starting broker and by readiness probes (`/readyz`).
 */
export async function probeBrokers(brokers: string[], timeoutMs = 2000): Promise<ProbeResult> {
  const admin = new Admin({
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
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  } finally {
    await admin.close().catch(() => {});
  }
}
