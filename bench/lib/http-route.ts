// bench:hotpath's HTTP row: the gateway's `POST /events` route in process (token check, body
// limit, decodeHttp, the answer), its pipeline replaced by one that stores at once, so the row
// is the route's own CPU per event. Batches of 500 structured events, as bench:ingest sends them.
import { ingestRoutes } from "../../ai-gateway/src/routes/events.ts";
import { type AnyMeshEvent, encodeHttpBatch } from "../../contracts/src/index.ts";
import { userCreatedEvents } from "./events.ts";

/** Events per `POST /events` of the benches. */
export const HTTP_BATCH = 500;

/** `events` as `POST /events` bodies of HTTP_BATCH each (CloudEvents batch mode). */
export function httpBodies(events: readonly AnyMeshEvent[]): ReturnType<typeof encodeHttpBatch>[] {
  const bodies: ReturnType<typeof encodeHttpBatch>[] = [];
  for (let i = 0; i < events.length; i += HTTP_BATCH)
    bodies.push(encodeHttpBatch(events.slice(i, i + HTTP_BATCH)));
  return bodies;
}

/** CPU µs per event of POST /events for `count` events over `tenants`; `cpu` reads CPU µs. */
export async function httpRouteUsPerEvent(
  count: number,
  tenants: number,
  cpu: () => number,
): Promise<number> {
  const app = ingestRoutes({
    token: "bench-route",
    maxBytes: 8 * 1024 * 1024,
    maxEvents: 10_000,
    ingest: async () => {},
  });
  const bodies = httpBodies(userCreatedEvents(count, tenants, 11));
  const post = async (batch: ReturnType<typeof encodeHttpBatch>) => {
    const response = await app.request("/events", {
      method: "POST",
      headers: { "content-type": batch.contentType, authorization: "Bearer bench-route" },
      body: batch.body,
    });
    if (response.status !== 200) throw new Error(`POST /events: ${response.status}`);
    await response.arrayBuffer();
  };
  // A first pass warms the JIT; the second is measured.
  for (const batch of bodies) await post(batch);
  const started = cpu();
  for (const batch of bodies) await post(batch);
  return (cpu() - started) / count;
}
