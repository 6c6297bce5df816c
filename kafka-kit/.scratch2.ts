import { Admin } from "@platformatic/kafka";
const admin = new Admin({ clientId: "probe", bootstrapBrokers: ["127.0.0.1:19092"] });
const topic = "dup-" + Date.now();
await admin.createTopics({ topics: [topic], partitions: 3 });
try { await admin.createTopics({ topics: [topic, "fresh-" + Date.now()], partitions: 3 }); } catch (e: any) {
  const dump = (x: any, d = 0): void => { console.log(" ".repeat(d), x.constructor.name, x.code, x.apiId, x.apiCode, x.message, Object.keys(x)); for (const y of x.errors ?? []) dump(y, d + 2); };
  dump(e);
}
console.log((await admin.metadata({topics: []})).topics.keys());
await admin.close();
