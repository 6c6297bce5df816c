import { timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { decodeProtectedHeader } from "jose";
import { type AuthOptions, bearerChallenge, bearerToken, jwtPayloadVerifier } from "./auth.ts";
import { type AuthEnv, authMode } from "./config.ts";
import { documented, errorResponse } from "./docs.ts";
import { AppError } from "./errors.ts";

/** Who called an operator endpoint, for the log line every operator action writes. */
export interface Operator {
  /** `OPERATOR_TOKEN`, or the JWT's `sub`. */
  id: string;
  /** How the caller proved it is an operator. */
  via: "token" | "jwt";
}

/** Hono variables set by `operatorAuth()`. */
export type OperatorVariables = { operator: Operator };

/** What proves an operator; neither set → every operator endpoint answers 403. */
export interface OperatorAuthOptions {
  /** OPERATOR_TOKEN: a bearer token compared in constant time. */
  token?: string | undefined;
  /**
   * In jwt mode: a JWT whose `role` claim is `operator`, checked exactly as tenant tokens are
   * (key, `exp`, and JWT_ISSUER, JWT_AUDIENCE, JWT_MAX_AGE when set).
   */
  jwt?: Omit<AuthOptions, "mode"> | undefined;
}

/**
 * The operator credential of snapshot, republish and reconcile endpoints. It is never a
 * tenant's token: a dev token `tenant:user` or a tenant JWT without `role: "operator"` is a 403;
 * no bearer at all a 401. Put it on each route, not `use("/admin/*")`: a method the path does
 * not have then stays a 405.
 */
export function operatorAuth(
  options: OperatorAuthOptions,
): MiddlewareHandler<{ Variables: OperatorVariables }> {
  const expected = options.token ? Buffer.from(options.token) : undefined;
  const verifyJwt = jwtRole(options.jwt);
  const operatorOnly: MiddlewareHandler<{ Variables: OperatorVariables }> = async (c, next) => {
    const token = bearerToken(c.req.header("authorization"));
    if (!token)
      throw bearerChallenge(c, "operator endpoints need 'Bearer <operator token>'", false);
    if (!expected && !verifyJwt) {
      throw new AppError(403, "forbidden", "operator endpoints are off: set OPERATOR_TOKEN");
    }
    const given = Buffer.from(token);
    // Same length first: timingSafeEqual throws on a length mismatch (the length is not secret).
    if (expected && given.length === expected.length && timingSafeEqual(given, expected)) {
      c.set("operator", { id: "OPERATOR_TOKEN", via: "token" });
      return next();
    }
    let sub: string | undefined;
    if (verifyJwt) {
      try {
        sub = await verifyJwt(token);
      } catch (error) {
        // A JWT that fails the shared check (foreign issuer, no `iat`, …) is a bad token: 401.
        if (error instanceof AppError && error.status === 401)
          throw bearerChallenge(c, error.message, true);
        throw error;
      }
    }
    // A valid tenant token is still not an operator's: 403, as user-service's /admin/tenants.
    if (!sub) throw new AppError(403, "forbidden", "this route needs the operator credential");
    c.set("operator", { id: sub, via: "jwt" });
    return next();
  };
  return documented(operatorOnly, {
    security: [{ operator: [] }],
    responses: {
      401: errorResponse("No bearer token"),
      403: errorResponse("Not the operator credential (a tenant's token is refused)"),
    },
  });
}

/**
 * A JWT check that answers the `sub` of a valid token with `role: "operator"`, undefined for a
 * valid token without it or for text that is no JWT at all (a dev token); a JWT that fails
 * verification throws the shared verifier's 401.
 */
function jwtRole(jwt: OperatorAuthOptions["jwt"]) {
  if (!jwt?.secret && !jwt?.jwksUrl) return undefined;
  const verify = jwtPayloadVerifier(jwt);
  return async function verifyOperatorJwt(token: string): Promise<string | undefined> {
    if (!looksLikeJwt(token)) return undefined;
    const payload = await verify(token);
    if (payload.role !== "operator") return undefined;
    return typeof payload.sub === "string" && payload.sub ? payload.sub : "operator-jwt";
  };
}

function looksLikeJwt(token: string): boolean {
  try {
    decodeProtectedHeader(token);
    return true;
  } catch {
    return false;
  }
}

/** The variables `operatorOptions` reads. */
export interface OperatorEnv extends Omit<AuthEnv, "JWT_MAX_AGE"> {
  OPERATOR_TOKEN?: string | undefined;
  JWT_MAX_AGE?: number | undefined;
}

/** The operator options from a parsed config: OPERATOR_TOKEN, and in jwt mode the role claim. */
export function operatorOptions(env: OperatorEnv): OperatorAuthOptions {
  const jwt =
    authMode(env) === "jwt"
      ? {
          secret: env.JWT_SECRET,
          jwksUrl: env.JWT_JWKS_URL,
          issuer: env.JWT_ISSUER,
          audience: env.JWT_AUDIENCE,
          maxAgeSeconds: env.JWT_MAX_AGE,
        }
      : undefined;
  return { token: env.OPERATOR_TOKEN, jwt };
}
