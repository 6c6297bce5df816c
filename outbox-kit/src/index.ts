export * from "./commit-signal.ts";
export * from "./metrics.ts";
export * from "./outbox.ts";
export * from "./relay.ts";
export * from "./sink/http.ts";
export * from "./sink/index.ts";
export * from "./sink/kafka.ts";
export * from "./sqlite/outbox.ts";
