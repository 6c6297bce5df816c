export * from "./asyncapi.ts";
export * from "./cloudevent.ts";
export * from "./envelope.ts";
export * from "./events.ts";
export * from "./fields.ts";
export * from "./kafka-codec.ts";
export * from "./registry.ts";
export * from "./topics.ts";
