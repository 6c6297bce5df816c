import { expect, test } from "bun:test";
import { AuthenticationError, MultipleErrors } from "@platformatic/kafka";
import { connectionOptions, refusalReason } from "./security.ts";

const sasl = { mechanism: "SCRAM-SHA-256" as const, username: "mesh", password: "s3cret" };

test("SASL and TLS become the client's connection options; none → plaintext", () => {
  expect(connectionOptions(undefined)).toEqual({});
  expect(connectionOptions({ sasl, tls: { ca: "PEM" } })).toEqual({
    sasl: { mechanism: "SCRAM-SHA-256", username: "mesh", password: "s3cret" },
    tls: { ca: "PEM" },
  });
});

test("a refused credential, nested as the client nests it, is one line without the password", () => {
  const refused = new MultipleErrors("Cannot connect to any broker.", [
    new AuthenticationError("SASL authentication failed."),
  ]);
  const line = refusalReason(refused, { sasl });
  expect(line).toBe("kafka: authentication failed (SASL SCRAM-SHA-256) for user mesh");
  expect(line).not.toContain("s3cret");
});

test("an untrusted certificate names the CA variable; a broker that is down is not a refusal", () => {
  const untrusted = Object.assign(new Error("unable to verify the first certificate"), {
    code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  });
  expect(refusalReason(new Error("x", { cause: untrusted }), { tls: {} })).toContain(
    "set KAFKA_TLS_CA_FILE",
  );
  const down = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
  expect(refusalReason(down, { sasl })).toBeNull();
});
