export {
  type ClientOptions,
  createConsumer,
  createProducer,
  type MeshConsumer,
  type MeshMessage,
  type MeshProducer,
} from "./clients.ts";
export { type ProbeResult, probeBrokers } from "./probe.ts";
export {
  connectionOptions,
  type KafkaSecurity,
  refusalReason,
  type SaslMechanism,
} from "./security.ts";
export { subscribedRoundRobin } from "./subscribed-round-robin.ts";
export {
  contractTopics,
  type EnsureTopicsResult,
  ensureTopics,
  partitionCounts,
} from "./topics.ts";
