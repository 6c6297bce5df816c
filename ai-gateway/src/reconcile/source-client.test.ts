import { afterAll, expect, test } from "bun:test";
import { SourceClient } from "./source-client.ts";

// A producer reached through a reverse proxy that mounts it under a path prefix.
const seen: string[] = [];
const server = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  fetch(request) {
    const { pathname } = new URL(request.url);
    seen.push(pathname);
    if (pathname === "/user-service/admin/snapshot/tenants") {
      return Response.json({ tenants: ["tenant-a", "tenant-b"], next: null });
    }
    return Response.json({ error: "no route" }, { status: 404 });
  },
});
afterAll(() => server.stop(true));

test("keeps the base URL's path prefix (a producer behind a proxy path)", async () => {
  const client = new SourceClient(
    "user-service",
    `http://127.0.0.1:${server.port}/user-service/`,
    undefined,
  );
  expect(await client.tenants()).toEqual(["tenant-a", "tenant-b"]);
  expect(seen).toEqual(["/user-service/admin/snapshot/tenants"]);
});
