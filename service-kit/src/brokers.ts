/**
 * Parses a broker list as KAFKA_BROKERS holds it, `"host:port,host:port"`, into the
 * `bootstrapBrokers` array that @platformatic/kafka clients take. Returns an error as a value
 * so that each service's config.ts can name the bad variable.
 */
export function parseBrokers(
  text: string,
): { ok: true; brokers: string[] } | { ok: false; message: string; entry?: string } {
  const brokers = text
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  if (brokers.length === 0) return { ok: false, message: "must list at least one host:port" };
  for (const broker of brokers) {
    const match = /^(\[[0-9a-fA-F:.]+\]|[^\s:/[\]]+):(\d{1,5})$/.exec(broker);
    const port = Number(match?.[2]);
    if (!match || port < 1 || port > 65535) {
      return { ok: false, message: `"${broker}" is not host:port`, entry: broker };
    }
  }
  return { ok: true, brokers };
}
