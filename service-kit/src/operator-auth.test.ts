import { expect, test } from "bun:test";
import { Hono } from "hono";
import { SignJWT } from "jose";
import { onError } from "./errors.ts";
import {
  type OperatorAuthOptions,
  type OperatorVariables,
  operatorAuth,
  operatorOptions,
} from "./operator-auth.ts";

const TOKEN = "operator-token-0123456789-abcdefghij";
const SECRET = "a-test-secret-that-is-long-enough-for-hs256";

function appWith(options: OperatorAuthOptions) {
  const app = new Hono<{ Variables: OperatorVariables }>();
  app.onError(onError({ error() {} }));
  app.get("/admin/who", operatorAuth(options), (c) => c.json(c.get("operator")));
  return app;
}

const call = (app: ReturnType<typeof appWith>, token?: string) =>
  app.request("/admin/who", { headers: token ? { authorization: `Bearer ${token}` } : {} });

const jwt = (claims: Record<string, unknown>) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256" })
    .setSubject("ops-alice")
    .setExpirationTime("5m")
    .sign(new TextEncoder().encode(SECRET));

test("accepts OPERATOR_TOKEN; a tenant's token or a wrong one is 403, none is 401", async () => {
  const app = appWith({ token: TOKEN });
  const ok = await call(app, TOKEN);
  expect(ok.status).toBe(200);
  expect(await ok.json()).toEqual({ id: "OPERATOR_TOKEN", via: "token" });
  for (const token of ["tenant-a:admin", "x".repeat(TOKEN.length)]) {
    expect((await call(app, token)).status).toBe(403);
  }
  const none = await call(app);
  expect(none.status).toBe(401);
  expect(none.headers.get("www-authenticate")).toStartWith("Bearer");
});

test("is off, answering 403 that names OPERATOR_TOKEN, when no credential is configured", async () => {
  const refused = await call(appWith({}), TOKEN);
  expect(refused.status).toBe(403);
  expect(JSON.stringify(await refused.json())).toContain("OPERATOR_TOKEN");
});

test("in jwt mode accepts a JWT with role operator, and refuses a tenant JWT without it", async () => {
  const app = appWith(
    operatorOptions({ NODE_ENV: "production", AUTH_MODE: "jwt", JWT_SECRET: SECRET }),
  );
  const ok = await call(app, await jwt({ role: "operator" }));
  expect(await ok.json()).toEqual({ id: "ops-alice", via: "jwt" });
  expect((await call(app, await jwt({ tenant: "tenant-a" }))).status).toBe(403);
  expect((await call(app, await jwt({ tenant: "tenant-a", role: "admin" }))).status).toBe(403);
});

test("in dev mode a JWT role is not an operator credential", async () => {
  const app = appWith(
    operatorOptions({ NODE_ENV: "development", JWT_SECRET: SECRET, OPERATOR_TOKEN: TOKEN }),
  );
  expect((await call(app, await jwt({ role: "operator" }))).status).toBe(403);
  expect((await call(app, TOKEN)).status).toBe(200);
});

test("on the route, a method the path does not have stays a 405/404, not a 401", async () => {
  const app = new Hono<{ Variables: OperatorVariables }>();
  app.get("/admin/who", operatorAuth({ token: TOKEN }), (c) => c.json(c.get("operator")));
  expect((await app.request("/admin/who", { method: "DELETE" })).status).not.toBe(401);
});

test("an operator JWT goes through JWT_ISSUER, JWT_AUDIENCE and JWT_MAX_AGE like a tenant's: 401 otherwise", async () => {
  const app = appWith(
    operatorOptions({
      NODE_ENV: "production",
      AUTH_MODE: "jwt",
      JWT_SECRET: SECRET,
      JWT_ISSUER: "https://id.example.com",
      JWT_AUDIENCE: "event-mesh",
      JWT_MAX_AGE: 3600,
    }),
  );
  const signed = (issuer: string, audience: string, withIat: boolean, exp = "5m") => {
    const token = new SignJWT({ role: "operator" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("ops-mallory")
      .setIssuer(issuer)
      .setAudience(audience)
      .setExpirationTime(exp);
    if (withIat) token.setIssuedAt();
    return token.sign(new TextEncoder().encode(SECRET));
  };
  const ok = await call(app, await signed("https://id.example.com", "event-mesh", true));
  expect(ok.status).toBe(200);
  for (const token of [
    await signed("https://evil.example.com", "event-mesh", true),
    await signed("https://id.example.com", "other-app", true),
    await signed("https://id.example.com", "event-mesh", false, "100y"),
  ]) {
    const refused = await call(app, token);
    expect(refused.status).toBe(401);
    expect(refused.headers.get("www-authenticate")).toBe('Bearer error="invalid_token"');
  }
  // Not a JWT at all (a dev token): still the 403 of a credential that is not an operator's.
  expect((await call(app, "tenant-a:admin")).status).toBe(403);
});
