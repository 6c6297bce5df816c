import { expect, test } from "bun:test";
import { outOf, whileRunning } from "./progress.ts";

test("reports a running phase with its status until the work settles, then stops", async () => {
  const lines: string[] = [];
  let finish = () => {};
  // The work ends only once a progress line was written: no wait on a clock in this test.
  const work = new Promise<string>((resolve) => {
    finish = () => resolve("done");
  });
  let stored = 3_400;
  const result = await whileRunning("baseline", work, () => `${outOf(stored, 10_000)} stored`, {
    everyMs: 10,
    write: (line) => {
      lines.push(line);
      stored += 1_000;
      if (lines.length === 2) finish();
    },
  });
  expect(result).toBe("done");
  expect(lines[0]).toMatch(/^\[bench\] baseline: 3,400 \/ 10,000 stored, \d+ s$/);
  expect(lines[1]).toMatch(/^\[bench\] baseline: 4,400 \/ 10,000 stored, \d+ s$/);
  const count = lines.length;
  await Bun.sleep(50);
  expect(lines).toHaveLength(count);
});

test("a failing phase still stops reporting and passes the error on", async () => {
  const lines: string[] = [];
  const work = Promise.reject(new Error("broker gone"));
  await expect(
    whileRunning("kafka", work, undefined, { everyMs: 10, write: (l) => lines.push(l) }),
  ).rejects.toThrow("broker gone");
  await Bun.sleep(50);
  expect(lines).toEqual([]);
});
