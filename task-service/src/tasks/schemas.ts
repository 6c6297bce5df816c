import { Name, TenantId, Text, Timestamp, Version } from "@event-mesh/contracts";
import { NextCursor } from "@event-mesh/service-kit";
import * as v from "valibot";

/** A user id as user-service hands them out (UUIDv7), or any id of the contract's form. */
const UserId = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,64}$/, "must be a user id"));

const Assignee = v.pipe(
  v.nullable(UserId),
  v.description("Id of a user of the caller's tenant; null for nobody."),
);

/** Status a client may set; `completed` is reached through `POST /tasks/{id}/complete`. */
const SettableStatus = v.picklist(["open", "in_progress"], "must be open or in_progress");

/** Body of `POST /tasks`. Unknown fields are refused. */
export const CreateTaskBody = v.strictObject({
  title: Name,
  description: v.optional(Text, ""),
  status: v.optional(SettableStatus, "open"),
  assignee: v.optional(Assignee, null),
});

/** Body of `PATCH /tasks/{id}`: at least one field. */
export const UpdateTaskBody = v.pipe(
  v.strictObject({
    title: v.optional(Name),
    description: v.optional(Text),
    status: v.optional(SettableStatus),
    assignee: v.optional(Assignee),
  }),
  v.minEntries(1, "must contain title, description, status and/or assignee"),
);

/** A task, as every route returns it. */
export const TaskSchema = v.object({
  id: v.pipe(v.string(), v.description("Time-ordered id (UUIDv7).")),
  tenantId: TenantId,
  title: Name,
  description: Text,
  status: v.picklist(["open", "in_progress", "completed"]),
  assignee: Assignee,
  createdAt: Timestamp,
  updatedAt: Timestamp,
  version: Version,
});

/** A page of tasks. */
export const TaskPageSchema = v.object({ tasks: v.array(TaskSchema), nextCursor: NextCursor });
