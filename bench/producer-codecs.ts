// bench:producer-codecs — CPU cost of the producer's per-batch work, in-process, no broker:
// encoding 500 user.created records into a v2 record batch (the library's per-record Writer,
// as @platformatic/kafka 2.12.1 ships it, versus the patched one-buffer encoder), then each
// compression codec on those bytes (size and time). Same records, same process, alternating.
// `bun bench/producer-codecs.ts`. Env: BATCH (500), ROUNDS (200).

import zlib from "node:zlib";
import { encode } from "../contracts/src/index.ts";
import {
  compressionsAlgorithms,
  createRecord,
  createRecordsBatch,
  type MessageRecord,
} from "../kafka-kit/node_modules/@platformatic/kafka/dist/index.js";
import { bytesOrText } from "../kafka-kit/src/clients.ts";
import { userCreatedEvents } from "./lib/events.ts";
import { fmt, machine, printTable } from "./lib/report.ts";

const BATCH = Number(process.env.BATCH ?? 500);
const ROUNDS = Number(process.env.ROUNDS ?? 200);

/** Records as the producer hands them to the encoder: serialized key, value and headers. */
function records(): MessageRecord[] {
  return userCreatedEvents(BATCH, 10).map((event, i) => {
    const r = encode(event, { topicPrefix: "bench." });
    const headers = new Map<Buffer, Buffer>();
    for (const [k, v] of Object.entries(r.headers))
      headers.set(bytesOrText(k) as Buffer, bytesOrText(v) as Buffer);
    return {
      topic: r.topic,
      partition: i % 3,
      key: bytesOrText(r.key) as Buffer,
      value: bytesOrText(r.value) as Buffer,
      headers,
      timestamp: BigInt(Date.now()),
    } as MessageRecord;
  });
}

/** 2.12.1's loop: a Writer (DynamicBuffer + small Buffers) per record, appended. */
function perRecordWriter(messages: MessageRecord[]): Buffer {
  const first = messages[0]?.timestamp as bigint;
  const records = messages.map((m, i) => createRecord(m, i, first).dynamicBuffer);
  // The library's DynamicBuffer class (not a dependency of this repo), from a record's buffer.
  type Dynamic = (typeof records)[number];
  const DynamicBuffer = (records[0] as Dynamic).constructor as new () => Dynamic;
  const buffer = new DynamicBuffer();
  for (const record of records) buffer.appendFrom(record);
  return buffer.buffer;
}

/** Median microseconds of `fn` over ROUNDS calls, after 20 warm-up calls. */
function time(fn: () => unknown): number {
  for (let i = 0; i < 20; i++) fn();
  const samples: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const started = Bun.nanoseconds();
    fn();
    samples.push((Bun.nanoseconds() - started) / 1_000);
  }
  return samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)] ?? Number.NaN;
}

const load = machine().loadAverage.one ?? Number.NaN;
const messages = records();
const raw = perRecordWriter(messages);
if (!raw.equals(createRecordsBatch(messages, {}).buffer.subarray(61)))
  throw new Error("encoders differ");

const encoding = [
  { case: "2.12.1: Writer per record", "µs / batch": time(() => perRecordWriter(messages)) },
  {
    case: "patched: one buffer (createRecordsBatch, none)",
    "µs / batch": time(() => createRecordsBatch(messages, {})),
  },
];
printTable(
  `record batch encoding, ${BATCH} records, ${raw.length} bytes (load ${fmt(load)})`,
  encoding,
);

const codecs: { case: string; fn: () => Uint8Array }[] = [
  { case: "lz4 (library, WebAssembly)", fn: () => compressionsAlgorithms.lz4.compressSync(raw) },
  { case: "zstd (node:zlib, Bun native)", fn: () => zlib.zstdCompressSync(raw) },
  {
    case: "zstd level 1 (Bun.zstdCompressSync)",
    fn: () => Bun.zstdCompressSync(raw, { level: 1 }),
  },
  { case: "gzip (node:zlib, Bun native)", fn: () => zlib.gzipSync(raw) },
  {
    case: "snappy (library, WebAssembly)",
    fn: () => compressionsAlgorithms.snappy.compressSync(raw),
  },
];
printTable(
  `compression of those ${raw.length} bytes`,
  codecs.map(({ case: name, fn }) => {
    const size = fn().length;
    return {
      case: name,
      bytes: size,
      "ratio %": (size / raw.length) * 100,
      "µs / batch": time(fn),
    };
  }),
);
