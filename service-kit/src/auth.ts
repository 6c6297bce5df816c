import { TenantId } from "@event-mesh/contracts";
import type { Context, MiddlewareHandler } from "hono";
import {
  createRemoteJWKSet,
  decodeProtectedHeader,
  errors,
  type JWTPayload,
  type JWTVerifyOptions,
  jwtVerify,
} from "jose";
import * as v from "valibot";
import { documented, errorResponse } from "./docs.ts";
import { AppError, dependencyDown, unauthorized } from "./errors.ts";

/** Who is calling: taken from the token, never from the request body or query. */
export interface Principal {
  /** The caller's tenant. */
  tenantId: string;
  /** The caller's user id (`sub` of a JWT). */
  userId: string;
}

/** Hono variables set by `auth()`. */
export type AuthVariables = { auth: Principal };

/** How tokens are checked. */
export interface AuthOptions {
  /** `dev`: plain `tenant:user` tokens. `jwt`: signed JWTs only. */
  mode: "dev" | "jwt";
  /** HS256 shared secret. */
  secret?: string | undefined;
  /** JWKS URL serving RS256/ES256 public keys. */
  jwksUrl?: string | undefined;
  /** Required `iss`, when set. */
  issuer?: string | undefined;
  /** Required `aud`, when set. */
  audience?: string | undefined;
  /**
   * Oldest accepted token, in seconds since its `iat`; tokens without `iat` are then refused.
   * Bounds a token whose `exp` lies centuries ahead. 0 or unset: no bound.
   */
  maxAgeSeconds?: number | undefined;
}

/** Signing algorithms accepted per key source; anything else (`none` included) is refused. */
const HMAC_ALGORITHMS = ["HS256"];
const JWKS_ALGORITHMS = ["RS256", "ES256"];

const DEV_TOKEN = /^([a-z0-9-]{1,63}):([a-z0-9-]{1,63})$/;
const UserId = v.pipe(v.string(), v.minLength(1), v.maxLength(255));

type Verify = (token: string) => Promise<Principal>;

/**
 * A 401 for a missing or rejected bearer token, with the `WWW-Authenticate: Bearer` challenge
 * RFC 9110 §11.6.1 requires on every 401 (RFC 6750 §3: `error="invalid_token"` when one was sent).
 */
export function bearerChallenge(c: Context, message: string, tokenSent: boolean): AppError {
  c.header("WWW-Authenticate", tokenSent ? 'Bearer error="invalid_token"' : "Bearer");
  return unauthorized(message);
}

/** The token of an `Authorization: Bearer <token>` header; undefined for anything else. */
export function bearerToken(header: string | undefined): string | undefined {
  return /^Bearer[ ]+(\S+)\s*$/i.exec(header ?? "")?.[1];
}

/** Reads the bearer token and puts the caller's `{ tenantId, userId }` on the context. */
export function auth(options: AuthOptions): MiddlewareHandler<{ Variables: AuthVariables }> {
  const verify = options.mode === "dev" ? verifyDev : jwtVerifier(options);
  const authenticate: MiddlewareHandler<{ Variables: AuthVariables }> = async (c, next) => {
    const header = c.req.header("authorization");
    if (!header) throw bearerChallenge(c, "missing Authorization header", false);
    const token = bearerToken(header);
    if (!token) throw bearerChallenge(c, "Authorization header must be 'Bearer <token>'", false);
    let principal: Principal;
    try {
      principal = await verify(token);
    } catch (error) {
      if (error instanceof AppError && error.status === 401) {
        throw bearerChallenge(c, error.message, true);
      }
      throw error;
    }
    c.set("auth", principal);
    await next();
  };
  const responses: Record<number, ReturnType<typeof errorResponse>> = {
    401: errorResponse("Missing or invalid token (`WWW-Authenticate: Bearer`)"),
  };
  if (options.jwksUrl) responses[503] = errorResponse("The JWKS cannot be fetched");
  return documented(authenticate, { security: [{ bearer: [] }], responses });
}

async function verifyDev(token: string): Promise<Principal> {
  const match = DEV_TOKEN.exec(token);
  if (!match?.[1] || !match[2]) {
    throw unauthorized(
      "token must be '<tenant>:<user>', each 1–63 lowercase letters, digits or '-'",
    );
  }
  return { tenantId: match[1], userId: match[2] };
}

/**
 * The one JWT check of every service: signature (HS256 secret or JWKS), `exp`, and when
 * configured `iss`, `aud` and the maximum age. Tenant tokens and operator tokens both go through
 * it. Answers the payload; throws a 401 `AppError` saying why (or a 503 when the JWKS is down).
 */
export function jwtPayloadVerifier(
  options: Omit<AuthOptions, "mode">,
): (token: string) => Promise<JWTPayload> {
  const secret = options.secret ? new TextEncoder().encode(options.secret) : undefined;
  const jwks = options.jwksUrl ? createRemoteJWKSet(new URL(options.jwksUrl)) : undefined;
  if (!secret && !jwks) throw new Error("AUTH_MODE=jwt needs JWT_SECRET or JWT_JWKS_URL");
  const base: JWTVerifyOptions = { requiredClaims: ["exp"] };
  if (options.issuer) base.issuer = options.issuer;
  if (options.audience) base.audience = options.audience;
  if (options.maxAgeSeconds) {
    base.maxTokenAge = options.maxAgeSeconds;
    base.requiredClaims = ["exp", "iat"];
  }

  // The header only picks which key source to try; each source has its own allow-list.
  function verifySignature(token: string) {
    if (secret && (!jwks || headerAlg(token) === "HS256")) {
      return jwtVerify(token, secret, { ...base, algorithms: HMAC_ALGORITHMS });
    }
    if (jwks) return jwtVerify(token, jwks, { ...base, algorithms: JWKS_ALGORITHMS });
    throw new errors.JOSEAlgNotAllowed("no key for this algorithm");
  }

  return async function verifyJwtPayload(token) {
    try {
      return (await verifySignature(token)).payload;
    } catch (error) {
      throw jwtError(error);
    }
  };
}

function jwtVerifier(options: AuthOptions): Verify {
  const verifyPayload = jwtPayloadVerifier(options);
  return async function verifyJwt(token) {
    const payload = await verifyPayload(token);
    const tenant = v.safeParse(TenantId, payload.tenant);
    if (!tenant.success) throw unauthorized("token has no valid 'tenant' claim");
    const user = v.safeParse(UserId, payload.sub);
    if (!user.success) throw unauthorized("token has no valid 'sub' claim");
    return { tenantId: tenant.output, userId: user.output };
  };
}

function headerAlg(token: string): string | undefined {
  try {
    return decodeProtectedHeader(token).alg;
  } catch {
    return undefined;
  }
}

/** Turns jose's errors into a 401 that says why, without echoing the token. */
function jwtError(error: unknown): AppError {
  if (error instanceof errors.JWTExpired) {
    // jose reports a token past the maximum age as expired on its `iat` claim.
    if (error.claim === "iat") return unauthorized("token is older than the maximum token age");
    return unauthorized("token has expired");
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    return unauthorized(`token claim '${error.claim}' is invalid (${error.reason})`);
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return unauthorized("token signing algorithm is not allowed");
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return unauthorized("token signature is invalid");
  }
  if (error instanceof errors.JWKSNoMatchingKey) {
    return unauthorized("token is signed with an unknown key");
  }
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) {
    return dependencyDown("JWKS", error);
  }
  if (error instanceof errors.JOSEError) return unauthorized("token is malformed");
  // Fetching the JWKS failed (network): not the caller's fault.
  return dependencyDown("JWKS", error);
}
