import { expect, test } from "bun:test";
import { Hono } from "hono";
import * as v from "valibot";
import { onError } from "./errors.ts";
import { jsonBody } from "./json-body.ts";
import { readError } from "./testing.ts";
import { validate } from "./validate.ts";

const Body = v.strictObject({
  email: v.pipe(v.string(), v.email("must be an e-mail address")),
  age: v.optional(v.number()),
});

const app = new Hono();
app.onError(onError({ error() {} }));
app.post("/echo", jsonBody(), validate("json", Body), (c) => c.json(c.req.valid("json")));

const post = (body: string, type = "application/json") =>
  app.request("/echo", { method: "POST", body, headers: { "content-type": type } });

test("passes a valid body through to the handler", async () => {
  const response = await post(JSON.stringify({ email: "a@b.co", age: 3 }));
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ email: "a@b.co", age: 3 });
});

test("accepts a JSON content type with a charset", async () => {
  expect((await post('{"email":"a@b.co"}', "application/json; charset=utf-8")).status).toBe(200);
});

test("answers 415 for a body that is not declared JSON", async () => {
  const response = await post('{"email":"a@b.co"}', "text/plain");
  expect(response.status).toBe(415);
  expect((await readError(response)).code).toBe("unsupported_media_type");
});

test("answers 400 invalid_json for malformed JSON", async () => {
  const response = await post('{"email":');
  expect(response.status).toBe(400);
  expect(await readError(response)).toEqual({
    code: "invalid_json",
    message: "body is not valid JSON",
  });
});

test("answers 400 invalid_utf8 for bytes that are not UTF-8, and passes multi-byte UTF-8", async () => {
  const body = (value: number[]) =>
    Uint8Array.of(...new TextEncoder().encode('{"email":"a@b.co","x":"'), ...value, 0x22, 0x7d);
  const send = (bytes: Uint8Array) =>
    app.request("/echo", {
      method: "POST",
      body: bytes,
      headers: { "content-type": "application/json" },
    });
  // A lone continuation byte, a truncated sequence, an encoded surrogate, an overlong "/".
  for (const bad of [[0x80], [0xe6, 0x9d], [0xed, 0xa0, 0x80], [0xc0, 0xaf]]) {
    const response = await send(body(bad));
    expect(response.status).toBe(400);
    expect(await readError(response)).toEqual({
      code: "invalid_utf8",
      message: "body is not valid UTF-8",
    });
  }
  // Multi-byte UTF-8 reaches the validator intact (it quotes the value it refuses).
  const good = await send(new TextEncoder().encode('{"email":"a@b.co","age":"東京 ü 🙂"}'));
  expect((await readError(good)).details).toEqual([
    { path: "age", message: 'must be number (got "東京 ü 🙂")' },
  ]);
});

test("answers 413 for a body one byte over 16 KiB, and accepts exactly 16 KiB", async () => {
  const exact = JSON.stringify({ email: "a@b.co", pad: "" });
  const fits = exact.replace('"pad":""', `"pad":"${"x".repeat(16 * 1024 - exact.length)}"`);
  expect(Buffer.byteLength(fits)).toBe(16 * 1024);
  expect((await post(fits)).status).toBe(400); // read and validated: `pad` is unknown
  const over = fits.replace('"pad":"', '"pad":"x');
  const response = await post(over);
  expect(response.status).toBe(413);
  expect((await readError(response)).code).toBe("payload_too_large");
});

test("answers 413 for a streamed body without Content-Length", async () => {
  const chunk = new TextEncoder().encode("x".repeat(8 * 1024));
  const stream = new ReadableStream({
    start(controller) {
      for (let i = 0; i < 3; i++) controller.enqueue(chunk);
      controller.close();
    },
  });
  const request = new Request("http://localhost/echo", {
    method: "POST",
    body: stream,
    headers: { "content-type": "application/json" },
  });
  expect((await app.request(request)).status).toBe(413);
});

test("answers 400 naming each field at fault", async () => {
  const response = await post(JSON.stringify({ email: "nope", age: "3", role: "admin" }));
  expect(response.status).toBe(400);
  expect(await readError(response)).toEqual({
    code: "invalid_input",
    message: "invalid body",
    details: [
      { path: "email", message: "must be an e-mail address" },
      { path: "age", message: 'must be number (got "3")' },
      { path: "role", message: "is not a known field" },
    ],
  });
});

test("says a missing field is required", async () => {
  const response = await post("{}");
  expect((await readError(response)).details).toEqual([{ path: "email", message: "is required" }]);
});
