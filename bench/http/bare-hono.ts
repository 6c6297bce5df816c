// The baseline of `bench:http`: a bare Hono-on-Bun handler that parses the JSON body and answers
// the same 201 user JSON as POST /users/create, without auth, validation, logging or storage.
// Hono is resolved from user-service, so the baseline runs the very version the service uses.

import { join } from "node:path";

type HonoModule = typeof import("../../user-service/node_modules/hono");
const { Hono }: HonoModule = await import(
  Bun.resolveSync("hono", join(import.meta.dir, "..", "..", "user-service"))
);

const app = new Hono();
app.post("/users/create", async (c) => {
  const body = (await c.req.json()) as { email?: string; name?: string };
  const now = new Date().toISOString();
  return c.json(
    {
      id: Bun.randomUUIDv7(),
      tenantId: "tenant-bench",
      email: body.email,
      name: body.name,
      createdAt: now,
      updatedAt: now,
      version: 1,
    },
    201,
  );
});
app.get("/readyz", (c) => c.json({ status: "ready" }));

Bun.serve({ hostname: "127.0.0.1", port: Number(process.env.PORT), fetch: app.fetch });
