import { HashingEmbedder } from "../src/embedders/hashing.ts";

/** One request the fake server received. */
export interface SeenRequest {
  input: string[];
  body: Record<string, unknown>;
  authorization: string | null;
}

/**
 * A real OpenAI-compatible `/v1/embeddings` server on 127.0.0.1 whose behaviour a test changes
 * as it goes: vectors of `dims` numbers (feature hashing, so searches find what they should),
 * or no answer at all (`hangs`), or 413 (`tooLarge`), or down (`stop`, then `start` again on the
 * same port).
 */
export class EmbeddingsServer {
  /** Vector size answered. */
  dims: number;
  /** Requests for which this is true get no answer until the client gives up. */
  hangs: (input: string[]) => boolean = () => false;
  /** Requests for which this is true are answered 413. */
  tooLarge: (input: string[]) => boolean = () => false;
  /** Answer a request's `dimensions` (as OpenAI does) instead of `dims`: two models, one server. */
  honoursDimensions = false;
  /** Milliseconds a request takes before its answer (a busy model). */
  delayMs: (input: string[]) => number = () => 0;
  /**
   * Set: the server works like a single-worker model server, one request at a time in arrival
   * order, computing this many texts per second, and finishing a request whose client already
   * gave up (as a model server does: the work is not cancelled).
   */
  textsPerSecond: number | null = null;
  /** Texts the server computed (with `textsPerSecond`), answered or not. */
  computed = 0;
  #worker: Promise<unknown> = Promise.resolve();
  readonly requests: SeenRequest[] = [];
  #server: ReturnType<typeof Bun.serve> | null = null;
  #port = 0;

  constructor(dims: number) {
    this.dims = dims;
    this.start();
  }

  /** Base URL, as EMBEDDINGS_URL takes it. */
  get url(): string {
    return `http://127.0.0.1:${this.#port}/v1`;
  }

  /** Texts of every request, flattened. */
  get texts(): string[] {
    return this.requests.flatMap((request) => request.input);
  }

  /** Opens the port (the same one after a `stop`); running already, nothing happens. */
  start(): void {
    if (this.#server) return;
    this.#server = Bun.serve({
      hostname: "127.0.0.1",
      port: this.#port,
      idleTimeout: 0,
      fetch: (request) => this.#answer(request),
    });
    this.#port = this.#server.port ?? 0;
  }

  /** Closes the port: connections are refused until `start`. */
  stop(): void {
    this.#server?.stop(true);
    this.#server = null;
  }

  async #answer(request: Request): Promise<Response> {
    if (new URL(request.url).pathname !== "/v1/embeddings")
      return new Response("no", { status: 404 });
    const body = (await request.json()) as Record<string, unknown>;
    const input = Array.isArray(body.input) ? body.input.map(String) : [];
    this.requests.push({ input, body, authorization: request.headers.get("authorization") });
    if (this.hangs(input)) {
      await new Promise((resolve) => request.signal.addEventListener("abort", resolve));
      return new Response("gave up", { status: 504 });
    }
    if (this.tooLarge(input)) return new Response("payload too large", { status: 413 });
    const delay = this.delayMs(input);
    if (delay > 0) await Bun.sleep(delay);
    const rate = this.textsPerSecond;
    if (rate !== null) {
      const done = this.#worker.then(async () => {
        await Bun.sleep((input.length / rate) * 1000);
        this.computed += input.length;
      });
      this.#worker = done;
      await done;
    }
    const dims =
      this.honoursDimensions && typeof body.dimensions === "number" ? body.dimensions : this.dims;
    const embedder = new HashingEmbedder(dims);
    return Response.json({
      object: "list",
      data: input.map((text, index) => ({
        object: "embedding",
        index,
        embedding: [...embedder.embedOne(text)],
      })),
    });
  }
}
