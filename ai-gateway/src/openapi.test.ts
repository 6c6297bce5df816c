import { beforeAll, describe, expect, test } from "bun:test";
import { documentedErrors, readError } from "@event-mesh/service-kit";
import { testGateway } from "../test/app-fixture.ts";

// What the contract fuzzer (test/openapi-fuzz.test.ts) found, pinned at the app level.

const A = { authorization: "Bearer tenant-a:user-1" };
let app: Awaited<ReturnType<typeof testGateway>>["app"];

beforeAll(async () => {
  app = (await testGateway()).app;
});

interface Operation {
  security?: unknown;
  responses: Record<string, unknown>;
}

async function operation(path: string, method: string): Promise<Operation> {
  const spec = (await (await app.request("/openapi.json")).json()) as {
    paths: Record<string, Record<string, Operation>>;
  };
  const found = spec.paths[path]?.[method];
  if (!found) throw new Error(`no ${method} ${path} in the document`);
  return found;
}

describe("methods and challenges", () => {
  test("a known path with another method is a 405 listing the allowed ones", async () => {
    for (const [method, path, allow] of [
      ["DELETE", "/search", "GET, HEAD, POST"],
      ["GET", "/events", "POST"],
      ["POST", "/stats", "GET, HEAD"],
    ] as const) {
      const response = await app.request(path, { method, headers: A });
      expect(response.status).toBe(405);
      expect(response.headers.get("allow")).toBe(allow);
      expect((await readError(response)).code).toBe("method_not_allowed");
    }
  });

  test("a 401 carries WWW-Authenticate: Bearer, on search and on ingest", async () => {
    const search = await app.request("/search?q=x");
    expect(search.status).toBe(401);
    expect(search.headers.get("www-authenticate")).toBe("Bearer");
    const ingest = await app.request("/events", {
      method: "POST",
      headers: { authorization: "Bearer wrong", "content-type": "application/cloudevents+json" },
      body: "{}",
    });
    expect(ingest.status).toBe(401);
    expect(ingest.headers.get("www-authenticate")).toBe('Bearer error="invalid_token"');
  });
});

describe("/openapi.json says what the routes do", () => {
  test("every documented error response is an RFC 9457 problem document", async () => {
    const errors = documentedErrors(await (await app.request("/openapi.json")).json());
    expect(errors.map((e) => e.response)).toContain("POST /events 401");
    expect(errors.map((e) => e.response)).toContain("GET /readyz 503");
    expect(errors.filter((e) => e.types.join() !== "application/problem+json")).toEqual([]);
  });

  test("public routes are public; search needs the caller's token, ingest the service token", async () => {
    for (const path of ["/healthz", "/readyz", "/metrics", "/asyncapi.json", "/openapi.json"]) {
      expect((await operation(path, "get")).security).toEqual([]);
    }
    expect((await operation("/search", "get")).security).toEqual([{ bearer: [] }]);
    expect((await operation("/events", "post")).security).toEqual([{ ingest: [] }]);
  });

  test("POST /search documents the 415 it answers to a body that is not JSON", async () => {
    const response = await app.request("/search", {
      method: "POST",
      headers: { ...A, "content-type": "text/plain" },
      body: "q=x",
    });
    expect(response.status).toBe(415);
    const documented = Object.keys((await operation("/search", "post")).responses).sort();
    expect(documented).toEqual(["200", "400", "401", "403", "413", "415", "429", "503", "504"]);
  });
});
