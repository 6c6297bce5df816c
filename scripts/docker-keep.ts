// Run inside the Dockerfile's build stage: keeps the workspace folders SERVICE needs (itself and
// the `workspace:` packages it depends on, transitively) and removes the others, so that one
// Dockerfile builds an image per service holding only that service's code.
//   bun scripts/docker-keep.ts ai-gateway
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

type Manifest = { name: string; dependencies?: Record<string, string>; workspaces?: string[] };

const manifest = (root: string, dir: string): Manifest =>
  JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8"));

/** The workspace folders of the repository at `root`. */
export const workspacesOf = (root: string): string[] => manifest(root, ".").workspaces ?? [];

/** The workspace folders `folder` needs, itself included, sorted. */
export function workspaceClosure(folder: string, root = process.cwd()): string[] {
  const byName = new Map(workspacesOf(root).map((dir) => [manifest(root, dir).name, dir]));
  const needed = new Set<string>();
  const visit = (dir: string) => {
    if (needed.has(dir)) return;
    needed.add(dir);
    for (const [name, range] of Object.entries(manifest(root, dir).dependencies ?? {})) {
      const target = byName.get(name);
      if (range.startsWith("workspace:") && target) visit(target);
    }
  };
  visit(folder);
  return [...needed].sort();
}

if (import.meta.main) {
  const root = process.cwd();
  const service = process.argv[2] ?? "";
  const workspaces = workspacesOf(root);
  if (!workspaces.includes(service)) {
    console.error(`SERVICE must be one of ${workspaces.join(", ")}; got "${service}"`);
    process.exit(1);
  }
  const keep = workspaceClosure(service, root);
  for (const dir of workspaces)
    if (!keep.includes(dir) && existsSync(join(root, dir)))
      rmSync(join(root, dir), { recursive: true });
  console.log(`kept ${keep.join(", ")}`);
}
