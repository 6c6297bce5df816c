import pkg from "../package.json" with { type: "json" };
import { asyncApiDocument } from "./asyncapi.ts";
import { allEventDataJsonSchemas } from "./json-schema.ts";

/** Every file under `contracts/generated/`, path → content, exactly as generation writes it. */
export function generatedFiles(): Record<string, string> {
  const files: Record<string, string> = {
    "asyncapi.json": `${JSON.stringify(asyncApiDocument(pkg.version), null, 2)}\n`,
  };
  for (const [type, schema] of Object.entries(allEventDataJsonSchemas())) {
    files[`schemas/${type}.json`] = `${JSON.stringify(schema, null, 2)}\n`;
  }
  return files;
}
