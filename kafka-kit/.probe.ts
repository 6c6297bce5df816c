import { Admin } from "@platformatic/kafka";
const t0 = Number(process.argv[2]);
for (;;) {
  const admin = new Admin({ clientId: "probe", bootstrapBrokers: ["127.0.0.1:19092"], retries: 0, timeout: 1000 });
  try { await admin.metadata({ topics: [] }); console.log("ready after", Date.now() - t0, "ms"); await admin.close(); break; }
  catch { await admin.close().catch(() => {}); await Bun.sleep(100); }
}
