import { createHash, timingSafeEqual } from "node:crypto";
import { AppError } from "@event-mesh/service-kit";

/** A producer that may post over HTTP: its token and the event types it owns. */
export interface IngestProducer {
  name: string;
  token: string;
  owns: ReadonlySet<string>;
}

/** Who posted: the service-wide INGEST_TOKEN (`producer` null, any type) or a declared producer. */
export interface IngestCaller {
  producer: string | null;
  owns: ReadonlySet<string> | null;
}

const digest = (token: string) => createHash("sha256").update(token).digest();

/**
 * The tokens `POST /events` takes: INGEST_TOKEN and one per declared producer whose token env var
 * is set. Each comparison is constant-time, and every candidate is compared, so the answer time
 * does not tell which token was close.
 */
export class IngestTokens {
  readonly #candidates: { digest: Buffer; caller: IngestCaller }[];

  constructor(service: string | undefined, producers: readonly IngestProducer[] = []) {
    this.#candidates = producers.map((p) => ({
      digest: digest(p.token),
      caller: { producer: p.name, owns: p.owns },
    }));
    if (service) this.#candidates.push({ digest: digest(service), caller: ANY });
  }

  /** Whether any token is configured (otherwise the route is off). */
  get enabled(): boolean {
    return this.#candidates.length > 0;
  }

  /** The caller `token` belongs to, if any. */
  match(token: string): IngestCaller | undefined {
    const given = digest(token);
    let found: IngestCaller | undefined;
    for (const candidate of this.#candidates)
      if (timingSafeEqual(given, candidate.digest)) found = candidate.caller;
    return found;
  }
}

const ANY: IngestCaller = { producer: null, owns: null };

/** A 403 naming the first event type of `types` that `caller` does not own, if any. */
export function checkOwnership(caller: IngestCaller, types: Iterable<string>): void {
  if (!caller.owns) return;
  for (const type of types)
    if (!caller.owns.has(type))
      throw new AppError(
        403,
        "forbidden",
        `producer "${caller.producer}" does not own event type "${type}"; nothing was stored`,
        { type },
      );
}
