import { startProducer } from "@event-mesh/outbox-kit";
import { operatorOptions, runMain } from "@event-mesh/service-kit";
import { createApp } from "./app.ts";
import { anyAssignee, userServiceAssignees } from "./assignees.ts";
import { readConfig } from "./config.ts";
import type { TaskStore } from "./store/index.ts";
import { PostgresTaskStore } from "./store/postgres.ts";
import { SqliteTaskStore } from "./store/sqlite.ts";

await runMain(() => {
  const config = readConfig(process.env);
  return startProducer<TaskStore, typeof config>({
    name: "task-service",
    config,
    stores: {
      sqlite: (path) => new SqliteTaskStore(path),
      postgres: (options) => PostgresTaskStore.open(options),
    },
    app: (deps) =>
      createApp({
        ...deps,
        checkAssignee: config.USER_SERVICE_URL
          ? userServiceAssignees(config.USER_SERVICE_URL)
          : anyAssignee,
        operator: operatorOptions(config),
      }),
  });
});
