// Reads the entity declarations: the built-in file at the repository root, plus a deployment's
// own file named by MESH_ENTITIES. The checks themselves are pure, in contracts/.
import { join } from "node:path";
import { DeclarationError, type Declarations, readDeclarations } from "@event-mesh/contracts";
import { StartError } from "./errors.ts";

/** The built-in declarations, beside the workspaces. */
export const BUILT_IN_ENTITIES = join(import.meta.dir, "..", "..", "mesh.entities.yaml");

async function parseFile(path: string): Promise<Record<string, unknown>> {
  const file = Bun.file(path);
  if (!(await file.exists())) throw new StartError(`entity declarations: ${path}: no such file`);
  try {
    const doc = Bun.YAML.parse(await file.text());
    if (typeof doc !== "object" || doc === null || Array.isArray(doc))
      throw new Error("not a mapping");
    return doc as Record<string, unknown>;
  } catch (error) {
    throw new StartError(`entity declarations: ${path}: ${(error as Error).message}`);
  }
}

const section = (doc: Record<string, unknown>, key: string) => {
  const value = doc[key];
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
};

/**
 * The declarations in force: the built-in file merged with `extraPath`'s (a type or producer the
 * built-ins already name is a problem, not an override). Bad declarations throw a `StartError`,
 * one line per problem, naming the file.
 */
export async function loadDeclarations(extraPath?: string): Promise<Declarations> {
  const builtIn = await parseFile(BUILT_IN_ENTITIES);
  const extra = extraPath ? await parseFile(extraPath) : {};
  const problems: string[] = [];
  for (const key of ["types", "producers"])
    for (const name of Object.keys(section(extra, key)))
      if (Object.hasOwn(section(builtIn, key), name))
        problems.push(`${key}.${name}: already declared by the built-in file`);
  for (const key of Object.keys(extra))
    if (key !== "types" && key !== "producers") problems.push(`unknown top-level key "${key}"`);
  // A name the built-ins hold keeps the built-in declaration; the rest of the file is still checked.
  const doc = {
    producers: { ...section(extra, "producers"), ...section(builtIn, "producers") },
    types: {
      ...section(builtIn, "types"),
      ...section(extra, "types"),
      ...section(builtIn, "types"),
    },
  };
  let declarations: Declarations | undefined;
  try {
    declarations = readDeclarations(doc);
  } catch (error) {
    if (!(error instanceof DeclarationError)) throw error;
    problems.push(...error.problems);
  }
  if (declarations && problems.length === 0) return declarations;
  const where = extraPath ?? BUILT_IN_ENTITIES;
  throw new StartError(
    problems.map((line) => `entity declarations (${where}): ${line}`).join("\n"),
  );
}

/** Shortest producer token taken: a guessable one stops start-up. */
export const MIN_PRODUCER_TOKEN = 16;

/**
 * The declared producers whose token env var is set in `env`, with the event types each owns
 * (those that name it as their producer). A producer without its variable cannot post over HTTP.
 */
export function producerTokens(
  declarations: Pick<Declarations, "producers" | "owners">,
  env: Record<string, string | undefined>,
): { name: string; token: string; owns: ReadonlySet<string> }[] {
  const found: { name: string; token: string; owns: ReadonlySet<string> }[] = [];
  for (const [name, { tokenEnv }] of declarations.producers) {
    const token = env[tokenEnv];
    if (!token) continue;
    if (token.length < MIN_PRODUCER_TOKEN)
      throw new StartError(
        `${tokenEnv}: producer "${name}"'s token must have at least ${MIN_PRODUCER_TOKEN} characters`,
      );
    const owns = [...declarations.owners].filter(([, owner]) => owner === name).map(([t]) => t);
    found.push({ name, token, owns: new Set(owns) });
  }
  return found;
}
