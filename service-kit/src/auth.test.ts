import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Hono } from "hono";
import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import { type AuthOptions, type AuthVariables, auth, bearerToken } from "./auth.ts";
import { onError } from "./errors.ts";
import { readError } from "./testing.ts";

const SECRET = "a-test-secret-that-is-long-enough-for-hs256";
const quiet = { error() {} };

function appWith(options: AuthOptions) {
  const app = new Hono<{ Variables: AuthVariables }>();
  app.onError(onError(quiet));
  app.use(auth(options));
  app.get("/me", (c) => c.json(c.get("auth")));
  return app;
}

async function call(app: Hono<{ Variables: AuthVariables }>, token?: string) {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const response = await app.request("/me", { headers });
  if (response.ok) return { status: response.status, body: await response.json() };
  return { status: response.status, error: await readError(response) };
}

function hs256(claims: Record<string, unknown>, secret = SECRET) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256" })
    .setSubject("user-1")
    .setExpirationTime("5m")
    .sign(new TextEncoder().encode(secret));
}

/** An unsigned token, as an attacker would forge it. */
function unsigned(claims: Record<string, unknown>) {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "none", typ: "JWT" })}.${part(claims)}.`;
}

describe("dev mode", () => {
  const app = appWith({ mode: "dev" });

  test("accepts tenant:user and puts both on the context", async () => {
    expect(await call(app, "tenant-a:user-123")).toEqual({
      status: 200,
      body: { tenantId: "tenant-a", userId: "user-123" },
    });
  });

  test("answers 401 without an Authorization header", async () => {
    const { status, error } = await call(app);
    expect(status).toBe(401);
    expect(error).toEqual({ code: "unauthorized", message: "missing Authorization header" });
  });

  test.each([
    "Tenant-A:user",
    "tenant-a",
    "tenant-a:user:extra",
    ":user",
    `${"a".repeat(64)}:user`,
  ])("answers 401 for the malformed token %p", async (token) => {
    const { status, error } = await call(app, token);
    expect(status).toBe(401);
    expect(error?.code).toBe("unauthorized");
  });

  test("answers 401 for a non-Bearer scheme", async () => {
    const response = await app.request("/me", { headers: { authorization: "Basic abc" } });
    expect(response.status).toBe(401);
  });

  test("refuses a JWT", async () => {
    expect((await call(app, await hs256({ tenant: "tenant-a" }))).status).toBe(401);
  });
});

describe("jwt mode with an HS256 secret", () => {
  const app = appWith({ mode: "jwt", secret: SECRET });

  test("accepts a valid token: tenant from 'tenant', user from 'sub'", async () => {
    expect(await call(app, await hs256({ tenant: "tenant-a" }))).toEqual({
      status: 200,
      body: { tenantId: "tenant-a", userId: "user-1" },
    });
  });

  test("refuses an expired token and says so", async () => {
    const token = await new SignJWT({ tenant: "tenant-a" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("user-1")
      .setExpirationTime(Math.floor(Date.now() / 1000) - 600)
      .sign(new TextEncoder().encode(SECRET));
    const { status, error } = await call(app, token);
    expect(status).toBe(401);
    expect(error?.message).toBe("token has expired");
  });

  test("refuses a token signed with another secret", async () => {
    const { status, error } = await call(app, await hs256({ tenant: "t" }, `${SECRET}-other`));
    expect(status).toBe(401);
    expect(error?.message).toBe("token signature is invalid");
  });

  test("refuses alg none", async () => {
    const exp = Math.floor(Date.now() / 1000) + 300;
    const { status, error } = await call(app, unsigned({ tenant: "tenant-a", sub: "u", exp }));
    expect(status).toBe(401);
    expect(error?.code).toBe("unauthorized");
  });

  test("refuses a mismatched algorithm (HS512 with the right secret)", async () => {
    const token = await new SignJWT({ tenant: "tenant-a" })
      .setProtectedHeader({ alg: "HS512" })
      .setSubject("user-1")
      .setExpirationTime("5m")
      .sign(new TextEncoder().encode(SECRET));
    const { status, error } = await call(app, token);
    expect(status).toBe(401);
    expect(error?.message).toBe("token signing algorithm is not allowed");
  });

  test("refuses a token without a tenant claim", async () => {
    const { status, error } = await call(app, await hs256({}));
    expect(status).toBe(401);
    expect(error?.message).toBe("token has no valid 'tenant' claim");
  });

  test("refuses a tenant claim that is not a tenant id", async () => {
    expect((await call(app, await hs256({ tenant: "Tenant A" }))).status).toBe(401);
  });

  test("refuses a token without exp", async () => {
    const token = await new SignJWT({ tenant: "tenant-a" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("user-1")
      .sign(new TextEncoder().encode(SECRET));
    const { status, error } = await call(app, token);
    expect(status).toBe(401);
    expect(error?.message).toContain("'exp'");
  });

  test("refuses a token without sub", async () => {
    const token = await new SignJWT({ tenant: "tenant-a" })
      .setProtectedHeader({ alg: "HS256" })
      .setExpirationTime("5m")
      .sign(new TextEncoder().encode(SECRET));
    expect((await call(app, token)).error?.message).toBe("token has no valid 'sub' claim");
  });

  test("refuses garbage without echoing it", async () => {
    const { status, error } = await call(app, "not.a.jwt-secret-value");
    expect(status).toBe(401);
    expect(JSON.stringify(error)).not.toContain("jwt-secret-value");
  });
});

describe("jwt mode with a maximum token age", () => {
  const app = appWith({ mode: "jwt", secret: SECRET, maxAgeSeconds: 3600 });
  const now = () => Math.floor(Date.now() / 1000);
  const sign = (claims: Record<string, unknown>) =>
    new SignJWT({ tenant: "tenant-a", ...claims })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("user-1")
      .sign(new TextEncoder().encode(SECRET));

  test("accepts a token issued within the maximum age", async () => {
    const { status } = await call(app, await sign({ iat: now() - 60, exp: now() + 300 }));
    expect(status).toBe(200);
  });

  test("refuses a token whose exp lies centuries ahead once it is older than the bound", async () => {
    const { status, error } = await call(app, await sign({ iat: now() - 7200, exp: 1e308 }));
    expect(status).toBe(401);
    expect(error?.message).toBe("token is older than the maximum token age");
  });

  test("refuses a token without iat", async () => {
    const { status, error } = await call(app, await sign({ exp: 1e308 }));
    expect(status).toBe(401);
    expect(error?.message).toContain("'iat'");
  });

  test("refuses a token issued in the future", async () => {
    const { status, error } = await call(app, await sign({ iat: now() + 3600, exp: now() + 7200 }));
    expect(status).toBe(401);
    expect(error?.message).toContain("'iat'");
  });
});

describe("jwt mode with issuer and audience", () => {
  const app = appWith({ mode: "jwt", secret: SECRET, issuer: "https://id.test", audience: "mesh" });
  const sign = (issuer: string, audience: string) =>
    new SignJWT({ tenant: "tenant-a" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("user-1")
      .setIssuer(issuer)
      .setAudience(audience)
      .setExpirationTime("5m")
      .sign(new TextEncoder().encode(SECRET));

  test("accepts the configured issuer and audience", async () => {
    expect((await call(app, await sign("https://id.test", "mesh"))).status).toBe(200);
  });

  test("refuses another issuer, naming the claim", async () => {
    const { status, error } = await call(app, await sign("https://evil.test", "mesh"));
    expect(status).toBe(401);
    expect(error?.message).toContain("'iss'");
  });

  test("refuses another audience", async () => {
    expect((await call(app, await sign("https://id.test", "other"))).status).toBe(401);
  });
});

describe("jwt mode with a JWKS URL", () => {
  let server: ReturnType<typeof Bun.serve>;
  let rsa: CryptoKeyPair;
  let ec: CryptoKeyPair;
  let stranger: CryptoKeyPair;
  let app: Hono<{ Variables: AuthVariables }>;

  beforeAll(async () => {
    rsa = await generateKeyPair("RS256");
    ec = await generateKeyPair("ES256");
    stranger = await generateKeyPair("RS256");
    const keys: JWK[] = [
      { ...(await exportJWK(rsa.publicKey)), kid: "rsa-1", alg: "RS256", use: "sig" },
      { ...(await exportJWK(ec.publicKey)), kid: "ec-1", alg: "ES256", use: "sig" },
    ];
    server = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch: () => Response.json({ keys }),
    });
    app = appWith({ mode: "jwt", jwksUrl: `http://127.0.0.1:${server.port}/jwks.json` });
  });
  afterAll(() => server.stop(true));

  const sign = (key: CryptoKey, alg: string, kid: string) =>
    new SignJWT({ tenant: "tenant-b" })
      .setProtectedHeader({ alg, kid })
      .setSubject("user-9")
      .setExpirationTime("5m")
      .sign(key);

  test("accepts an RS256 token signed by a published key", async () => {
    expect(await call(app, await sign(rsa.privateKey, "RS256", "rsa-1"))).toEqual({
      status: 200,
      body: { tenantId: "tenant-b", userId: "user-9" },
    });
  });

  test("accepts an ES256 token signed by a published key", async () => {
    expect((await call(app, await sign(ec.privateKey, "ES256", "ec-1"))).status).toBe(200);
  });

  test("refuses a token signed by an unpublished key with a known kid", async () => {
    const { status, error } = await call(app, await sign(stranger.privateKey, "RS256", "rsa-1"));
    expect(status).toBe(401);
    expect(error?.message).toBe("token signature is invalid");
  });

  test("refuses an HS256 token when only a JWKS is configured", async () => {
    expect((await call(app, await hs256({ tenant: "tenant-b" }))).status).toBe(401);
  });

  test("an unreachable JWKS is a 503 naming it, without the connection error", async () => {
    const closed = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("") });
    const url = `http://127.0.0.1:${closed.port}/jwks.json`;
    closed.stop(true);
    const down = appWith({ mode: "jwt", jwksUrl: url });
    const response = await down.request("/me", {
      headers: { authorization: `Bearer ${await sign(rsa.privateKey, "RS256", "rsa-1")}` },
    });
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("1");
    expect(await readError(response)).toEqual({
      code: "service_unavailable",
      message: "JWKS is unavailable; retry later",
      details: { dependency: "JWKS" },
    });
  });
});

describe("the 401 challenge (RFC 9110 §11.6.1, RFC 6750 §3)", () => {
  const app = appWith({ mode: "jwt", secret: SECRET });
  const challenge = async (headers: Record<string, string>) => {
    const response = await app.request("/me", { headers });
    expect(response.status).toBe(401);
    // The challenge comes with the same problem document as every other error.
    expect((await readError(response)).code).toBe("unauthorized");
    return response.headers.get("www-authenticate");
  };

  test("without a token: WWW-Authenticate: Bearer, and a problem document", async () => {
    expect(await challenge({})).toBe("Bearer");
    expect(await challenge({ authorization: "Basic abc" })).toBe("Bearer");
  });

  test("with a rejected token: Bearer error=invalid_token", async () => {
    const forged = unsigned({ tenant: "tenant-a", sub: "u", exp: 9_999_999_999 });
    expect(await challenge({ authorization: `Bearer ${forged}` })).toBe(
      'Bearer error="invalid_token"',
    );
  });

  test("none on a success", async () => {
    const token = await hs256({ tenant: "tenant-a" });
    const response = await app.request("/me", { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get("www-authenticate")).toBeNull();
  });
});

test("bearerToken reads the token of a Bearer header and nothing else", () => {
  expect(bearerToken("Bearer abc")).toBe("abc");
  expect(bearerToken("bearer   abc  ")).toBe("abc");
  expect(bearerToken("Basic abc")).toBeUndefined();
  expect(bearerToken("Bearer a b")).toBeUndefined();
  expect(bearerToken("Bearer ")).toBeUndefined();
  expect(bearerToken(undefined)).toBeUndefined();
});
