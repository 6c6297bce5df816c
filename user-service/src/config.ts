import { PRODUCER_VARS } from "@event-mesh/outbox-kit";
import { loadConfig, serviceEnv } from "@event-mesh/service-kit";
import * as v from "valibot";

/** The user-service environment: the shared variables, a producer's, and its own. */
export const UserServiceEnv = serviceEnv(
  { port: 3000, clientId: "user-service" },
  {
    ...PRODUCER_VARS,
    /**
     * Bearer credential of an operator: `POST /admin/tenants` requires it (unset → that route
     * answers 403 to everyone). Never a tenant's token.
     */
    OPERATOR_TOKEN: v.optional(
      v.pipe(v.string(), v.minLength(32, "must be at least 32 characters")),
    ),
  },
);

/** The parsed configuration. */
export type Config = v.InferOutput<typeof UserServiceEnv>;

/** Parses the environment; throws `ConfigError` naming every bad variable. */
export function readConfig(env: Record<string, string | undefined>): Config {
  return loadConfig(UserServiceEnv, env);
}
