import { dependencyDown, invalidInput } from "@event-mesh/service-kit";

/**
 * Checks that an assignee is a user of the caller's tenant. task-service cannot read
 * user-service's database, so it asks user-service's HTTP API with the caller's own token:
 * the answer is scoped to the caller's tenant there too, so another tenant's user is "no such
 * user" exactly like a missing one.
 */
export type AssigneeCheck = (userId: string, authorization: string) => Promise<void>;

/** Accepts any user id (USER_SERVICE_URL unset): the id is stored as given. */
export const anyAssignee: AssigneeCheck = async () => {};

/** Asks `GET {baseUrl}/users/{id}`: 200 → fine, 404 → 400 naming `assignee`, else 503. */
export function userServiceAssignees(baseUrl: string, timeoutMs = 2000): AssigneeCheck {
  return async function checkAssignee(userId, authorization) {
    let status: number;
    try {
      const response = await fetch(new URL(`users/${encodeURIComponent(userId)}`, `${baseUrl}/`), {
        headers: { authorization },
        signal: AbortSignal.timeout(timeoutMs),
      });
      await response.body?.cancel();
      status = response.status;
    } catch (error) {
      throw dependencyDown("user-service", error);
    }
    if (status === 200) return;
    if (status === 404) {
      throw invalidInput([{ path: "assignee", message: "is not a user of this tenant" }]);
    }
    throw dependencyDown("user-service", new Error(`GET /users/{id} answered ${status}`));
  };
}
