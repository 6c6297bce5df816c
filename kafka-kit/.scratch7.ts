import { createProducer } from "./src/index.ts";
const brokers = ["127.0.0.1:19092"];
const p = createProducer({ brokers, clientId: "p" });
const t = Date.now();
try { await p.send({ messages: [{ topic: `nope-${Date.now()}`, key: "k", value: "v" }] }); console.log("sent?!", Date.now() - t); }
catch (e) { console.log("rejected after", Date.now() - t, (e as Error).message); }
const p2 = createProducer({ brokers, clientId: "p2", extra: { autocreateTopics: true } });
const t2 = Date.now();
try { const r = await p2.send({ messages: [{ topic: `auto-${Date.now()}`, key: "k", value: "v" }] }); console.log("autocreate sent", Date.now() - t2, r.offsets); }
catch (e) { console.log("autocreate rejected after", Date.now() - t2, (e as Error).message); }
await p.close(); await p2.close();
