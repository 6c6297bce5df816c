import { PRODUCER_VARS } from "@event-mesh/outbox-kit";
import { loadConfig, serviceEnv, urlVar } from "@event-mesh/service-kit";
import * as v from "valibot";

/** The task-service environment: the shared variables, a producer's, and its own. */
export const TaskServiceEnv = serviceEnv(
  { port: 3002, clientId: "task-service" },
  {
    ...PRODUCER_VARS,
    /**
     * user-service's base URL: set → an assignee must be a user of the caller's tenant, asked of
     * `GET /users/{id}` with the caller's own token; unset → any user id is accepted.
     */
    USER_SERVICE_URL: v.optional(urlVar),
    /**
     * Bearer credential of an operator: the reconciliation routes (`/admin/snapshot…`,
     * `/admin/republish`) require it (unset → they answer 403). Never a tenant's token.
     */
    OPERATOR_TOKEN: v.optional(
      v.pipe(v.string(), v.minLength(32, "must be at least 32 characters")),
    ),
  },
);

/** The parsed configuration. */
export type Config = v.InferOutput<typeof TaskServiceEnv>;

/** Parses the environment; throws `ConfigError` naming every bad variable. */
export function readConfig(env: Record<string, string | undefined>): Config {
  return loadConfig(TaskServiceEnv, env);
}
