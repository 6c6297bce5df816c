// The stand-in gateway of bench/http/ab.sh: acknowledges every batch at once and, on SIGTERM,
// prints how many POSTs, events and connections it saw.
let n = 0,
  e = 0;
const ports = new Set();
Bun.serve({
  hostname: "127.0.0.1",
  port: Number(process.env.PORT),
  async fetch(r, server) {
    ports.add(server.requestIP(r)?.port);
    if (r.method !== "POST") return Response.json({ status: "ok" });
    const b = (await r.json()) as unknown[];
    n++;
    e += b.length;
    return Response.json({ accepted: e });
  },
});
process.on("SIGTERM", () => {
  console.error(`SINK posts=${n} events=${e} avg=${(e / n).toFixed(1)} connections=${ports.size}`);
  process.exit(0);
});
