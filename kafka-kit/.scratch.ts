import { Admin, Producer, Consumer, stringSerializers, stringDeserializers, ProduceAcks } from "@platformatic/kafka";
const t0 = performance.now();
const admin = new Admin({ clientId: "probe", bootstrapBrokers: ["127.0.0.1:19092"] });
const md = await admin.metadata({ topics: [] });
console.log("metadata", md.id, [...md.brokers.values()], performance.now() - t0);
const topic = "scratch-" + Date.now();
console.log(await admin.createTopics({ topics: [topic], partitions: 3, replicas: 1 }));
try { await admin.createTopics({ topics: [topic], partitions: 3, replicas: 1 }); } catch (e: any) { console.log("dup err", e.code, e.message, e.errors?.map((x: any) => [x.code, x.apiId, x.message])); }
const p = new Producer({ clientId: "p", bootstrapBrokers: ["127.0.0.1:19092"], serializers: stringSerializers, idempotent: true, acks: ProduceAcks.ALL });
const r = await p.send({ messages: [{ topic, key: "k1", value: "v1", headers: { a: "b", "ce_id": "x" } }, { topic, key: "k2", value: "v2" }] });
console.log("send", r);
const c = new Consumer({ clientId: "c", groupId: "g-" + Date.now(), bootstrapBrokers: ["127.0.0.1:19092"], deserializers: stringDeserializers, autocommit: false });
const s = await c.consume({ topics: [topic], mode: "committed", fallbackMode: "earliest" });
let n = 0;
for await (const m of s) { console.log(m.topic, m.partition, m.offset, m.key, m.value, m.headers); await m.commit(); if (++n === 2) break; }
console.log(await c.listCommittedOffsets({ topics: [{ topic, partitions: [0, 1, 2] }] }));
await s.close(); await c.close(); await p.close(); await admin.close();
console.log("done", performance.now() - t0);
