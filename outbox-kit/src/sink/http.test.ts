import { afterAll, expect, test } from "bun:test";
import { dependencyDown, PROBLEM_JSON } from "@event-mesh/service-kit";
import { HttpSink } from "./http.ts";

// A gateway stand-in whose error body is service-kit's problem document, as the gateway's is:
// the sink must make sense of that shape, not of a hand-written body.
const server = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  fetch: () =>
    new Response(JSON.stringify(dependencyDown("ingest pipeline").toProblem("/events", "req-9")), {
      status: 503,
      headers: { "content-type": PROBLEM_JSON, "retry-after": "1" },
    }),
});
afterAll(() => server.stop(true));

test("a refused batch fails with the gateway's problem code, detail and request id", async () => {
  const sink = new HttpSink({ gatewayUrl: `http://127.0.0.1:${server.port}` });
  await expect(sink.send(['{"id":"1"}'])).rejects.toThrow(
    "gateway answered POST /events: 503 service_unavailable: ingest pipeline is unavailable; retry later (request req-9)",
  );
});
