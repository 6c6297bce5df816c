import { expect, test } from "bun:test";
import { createRecord, createRecordsBatch, Reader, readRecordsBatch } from "@platformatic/kafka";

// patches/@platformatic%2Fkafka@2.12.1.patch encodes a batch's records into one buffer
// instead of a Writer per record. These tests hold it to the library's own per-record encoder
// (createRecord, unpatched) byte for byte, and to its reader, on the edge cases of the format:
// null and empty keys/values, null header values, multi-byte varints, timestamps before and
// after the first one.

const RECORDS_OFFSET = 61; // firstOffset … recordsCount of an uncompressed v2 batch

type Msg = {
  key?: Buffer | undefined;
  value?: Buffer | undefined;
  headers?: Map<Buffer, Buffer | undefined>;
  timestamp: bigint;
  topic: string;
  partition: number;
};

function messages(): Msg[] {
  const base = 1_700_000_000_000n;
  const big = Buffer.alloc(20_000, 0x61); // 3-byte length varint
  const mid = Buffer.alloc(200, 0x62); // 2-byte length varint
  const headers = new Map<Buffer, Buffer | undefined>([
    [Buffer.from("ce_id"), Buffer.from("id-1")],
    [Buffer.from("empty"), Buffer.alloc(0)],
    [Buffer.from("null"), undefined],
  ]);
  const list: Omit<Msg, "topic" | "partition">[] = [
    { key: Buffer.from("tenant/u1"), value: Buffer.from('{"a":1}'), headers, timestamp: base },
    { key: undefined, value: Buffer.from("no key"), timestamp: base + 5n },
    { key: Buffer.alloc(0), value: Buffer.alloc(0), headers: new Map(), timestamp: base - 3n },
    { key: mid, value: big, headers, timestamp: base + 1_000_000_000n },
    { key: Buffer.from("tombstone"), value: undefined, timestamp: base },
  ];
  // Enough records for a two-byte offsetDelta varint.
  for (let i = 0; i < 200; i++) {
    list.push({
      key: Buffer.from(`k${i}`),
      value: Buffer.from(`v${i}`),
      timestamp: base + BigInt(i),
    });
  }
  return list.map((m) => ({ ...m, topic: "t", partition: 0 }));
}

test("a produced batch holds the same record bytes as the library's per-record encoder", () => {
  const input = messages();
  const batch = createRecordsBatch(input as never, {}).buffer;
  const first = input[0]?.timestamp ?? 0n;
  const expected = Buffer.concat(input.map((m, i) => createRecord(m as never, i, first).buffer));
  expect(Buffer.from(batch.subarray(RECORDS_OFFSET)).equals(expected)).toBe(true);
});

test("a produced batch reads back with every key, value, header and timestamp", () => {
  for (const compression of ["none", "lz4", "zstd"] as const) {
    const input = messages();
    const batch = readRecordsBatch(
      Reader.from(createRecordsBatch(input as never, { compression }).buffer),
    );
    expect(batch.records.length).toBe(input.length);
    batch.records.forEach((record, i) => {
      const sent = input[i] as Msg;
      expect(record.offsetDelta).toBe(i);
      expect(BigInt(batch.firstTimestamp) + BigInt(record.timestampDelta)).toBe(sent.timestamp);
      expect(record.key ?? undefined).toEqual(sent.key ?? undefined);
      expect(record.value ?? undefined).toEqual(sent.value ?? undefined);
      const headers = [...(sent.headers ?? new Map())].map(([k, v]) => [k, v ?? undefined]);
      expect(record.headers.map(([k, v]) => [k, v ?? undefined])).toEqual(headers);
    });
  }
});
