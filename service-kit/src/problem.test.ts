import { expect, test } from "bun:test";
import { describeProblem, PROBLEM_JSON } from "./problem.ts";

test("describeProblem reads a problem document as code, detail and request id", async () => {
  const body = {
    type: "https://event-mesh.dev/problems/service_unavailable",
    title: "Service unavailable",
    status: 503,
    detail: "embedder is unavailable; retry later",
    instance: "/events",
    code: "service_unavailable",
    requestId: "trace-1",
  };
  const response = new Response(JSON.stringify(body), {
    status: 503,
    headers: { "content-type": PROBLEM_JSON },
  });
  expect(await describeProblem(response)).toBe(
    "503 service_unavailable: embedder is unavailable; retry later (request trace-1)",
  );
});

test("describeProblem falls back to the start of any other body", async () => {
  expect(await describeProblem(new Response("x".repeat(500), { status: 502 }))).toBe(
    `502 ${"x".repeat(300)}`,
  );
  const broken = new Response("{not json", {
    status: 500,
    headers: { "content-type": PROBLEM_JSON },
  });
  expect(await describeProblem(broken)).toBe("500 {not json");
  expect(await describeProblem(new Response(null, { status: 404 }))).toBe("404");
});
