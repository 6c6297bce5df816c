import type { JsonSchema } from "@valibot/to-json-schema";
import { eventDataJsonSchema } from "./json-schema.ts";
import { EVENT_REGISTRY, type Registry } from "./registry.ts";
import { dlqTopic, gatewayTopics, topicFor, topicsOf } from "./topics.ts";

/** camelCase id for AsyncAPI component keys: `billing.usage.incremented` → `billingUsageIncremented`. */
function camel(name: string): string {
  return name.replace(/[.-](\w)/g, (_, c: string) => c.toUpperCase());
}

/** Headers of the CloudEvents Kafka binding (binary content mode) for one event type. */
function headersSchema(type: string): JsonSchema {
  return {
    type: "object",
    required: [
      "ce_specversion",
      "ce_id",
      "ce_source",
      "ce_type",
      "ce_time",
      "ce_tenantid",
      "ce_entityversion",
      "content-type",
    ],
    properties: {
      ce_specversion: { const: "1.0", description: "CloudEvents spec version." },
      ce_id: { type: "string", minLength: 1, description: "Unique event id." },
      ce_source: { type: "string", minLength: 1, description: "Producer, a URI reference." },
      ce_type: { const: type, description: "Event type." },
      ce_time: { type: "string", format: "date-time", description: "When the change happened." },
      ce_tenantid: {
        type: "string",
        pattern: "^[a-z0-9-]{1,63}$",
        description: "Tenant id (extension attribute).",
      },
      ce_entityversion: {
        type: "string",
        pattern: "^[1-9][0-9]*$",
        description: "Entity version after the change, 1 on creation (extension attribute).",
      },
      "content-type": { const: "application/json" },
    },
  };
}

/**
 * The AsyncAPI 3.0 document of every topic, message and header, generated from the valibot
 * schemas and the registry (who sends, who receives). Pure: `bun run contracts:generate` writes
 * it to `contracts/generated/asyncapi.json`.
 */
export function asyncApiDocument(
  version: string,
  registry: Registry = EVENT_REGISTRY,
): Record<string, unknown> {
  const types = Object.keys(registry);
  const typesOn = (topic: string) => types.filter((type) => topicFor(type, registry) === topic);
  const messages: Record<string, unknown> = {};
  for (const type of types) {
    const { $schema: _, $id: __, ...payload } = eventDataJsonSchema(type, registry);
    messages[camel(type)] = {
      name: type,
      title: type,
      summary: `${type}: event data in the value, CloudEvents attributes in headers.`,
      contentType: "application/json",
      headers: headersSchema(type),
      payload,
      bindings: {
        kafka: {
          key: {
            type: "string",
            pattern: "^[a-z0-9-]{1,63}/.+$",
            // Descriptions are CommonMark: bare <tenantId> would be an HTML tag, shown as nothing.
            description: "`<tenantId>/<entityId>`",
          },
          bindingVersion: "0.5.0",
        },
      },
    };
  }
  const channels: Record<string, unknown> = {};
  for (const topic of topicsOf(registry)) {
    const refs = Object.fromEntries(
      typesOn(topic).map((type) => [camel(type), { $ref: `#/components/messages/${camel(type)}` }]),
    );
    channels[camel(topic)] = {
      address: topic,
      description: `Events of one entity kind; dead letters go to ${dlqTopic(topic)}.`,
      messages: refs,
    };
  }
  const operations: Record<string, unknown> = {};
  const received = gatewayTopics(registry);
  for (const topic of topicsOf(registry)) {
    const channel = camel(topic);
    const senders = [...new Set(typesOn(topic).map((type) => registry[type]?.producer))].filter(
      (producer) => typeof producer === "string",
    );
    if (senders.length > 0) {
      operations[camel(`send.${topic}`)] = {
        action: "send",
        summary: `${senders.join(" and ")} publishes to ${topic}.`,
        channel: { $ref: `#/channels/${channel}` },
      };
    }
    if (received.includes(topic)) {
      operations[camel(`receive.${topic}`)] = {
        action: "receive",
        summary: `ai-gateway consumes ${topic} and indexes it for search.`,
        channel: { $ref: `#/channels/${channel}` },
      };
    }
  }
  return {
    asyncapi: "3.0.0",
    info: {
      title: "Event Mesh",
      version,
      description:
        "Domain events of Event Mesh. CloudEvents 1.0, Kafka protocol binding, binary content " +
        "mode: the value is the event data JSON, attributes travel in `ce_*` headers, the key is " +
        "`<tenantId>/<entityId>`.",
    },
    defaultContentType: "application/json",
    servers: {
      local: { host: "127.0.0.1:19092", protocol: "kafka", description: "bun run kafka:start" },
    },
    channels,
    operations,
    components: { messages },
  };
}
