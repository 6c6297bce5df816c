import { startProducer } from "@event-mesh/outbox-kit";
import { operatorOptions, runMain } from "@event-mesh/service-kit";
import { createApp } from "./app.ts";
import { readConfig } from "./config.ts";
import type { UserStore } from "./store/index.ts";
import { PostgresUserStore } from "./store/postgres.ts";
import { SqliteUserStore } from "./store/sqlite.ts";

await runMain(() => {
  const config = readConfig(process.env);
  return startProducer<UserStore, typeof config>({
    name: "user-service",
    config,
    stores: {
      sqlite: (path) => new SqliteUserStore(path),
      postgres: (options) => PostgresUserStore.open(options),
    },
    app: (deps) =>
      createApp({
        ...deps,
        operatorToken: config.OPERATOR_TOKEN,
        operator: operatorOptions(config),
      }),
  });
});
