// Every relative link of the repository's Markdown files (README.md, docs/, the packages'
// READMEs) leads somewhere: the file exists,
// and an anchor (#section) names a heading of that file, as GitHub makes anchors of headings.
import { expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";

const ROOT = join(import.meta.dir, "..");

/** Folders that hold no documentation of this repository: dependencies, caches, data. */
const SKIP = new Set(["node_modules", "results"]);

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory())
      return entry.name.startsWith(".") || SKIP.has(entry.name) ? [] : markdownFiles(path);
    return entry.name.endsWith(".md") ? [path] : [];
  });
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to dashes. */
const anchorOf = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\- _]/gu, "")
    .replace(/ /g, "-");

function anchors(file: string): Set<string> {
  const text = readFileSync(file, "utf8").replace(/```[\s\S]*?```/g, "");
  const found = new Set<string>();
  for (const match of text.matchAll(/^#{1,6} (.+)$/gm)) found.add(anchorOf(match[1] ?? ""));
  return found;
}

const files = markdownFiles(ROOT);

test("the check covers README.md, bench/README.md, docs/ and the packages' READMEs", () => {
  const names = files.map((file) => relative(ROOT, file));
  expect(names).toContain("README.md");
  expect(names).toContain(join("bench", "README.md"));
  expect(names).toContain(join("docs", "architecture.md"));
  expect(names).toContain(join("ai-gateway", "README.md"));
});

test.each(files.map((file) => [relative(ROOT, file), file]))(
  "every relative link of %s resolves",
  (_name, file) => {
    const text = readFileSync(file, "utf8").replace(/```[\s\S]*?```/g, "");
    const broken: string[] = [];
    for (const [, target = ""] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target)) continue;
      const [path = "", anchor] = target.split("#");
      const resolved = path ? join(dirname(file), path) : file;
      if (!existsSync(resolved)) broken.push(`${target}: no such file`);
      else if (anchor && statSync(resolved).isFile() && resolved.endsWith(".md"))
        if (!anchors(resolved).has(anchor)) broken.push(`${target}: no such heading`);
    }
    expect(broken).toEqual([]);
  },
);

/** Every source file of the repository, as a path from its root. */
const SOURCES = [...new Bun.Glob("**/*").scanSync({ cwd: ROOT, onlyFiles: false })].filter(
  (path) => !path.split("/").some((part) => part.startsWith(".") || part === "node_modules"),
);

test("every file docs/architecture.md names exists (a path from the root, or the end of one)", () => {
  const text = readFileSync(join(ROOT, "docs", "architecture.md"), "utf8");
  const named = [...text.matchAll(/`([\w.*-]+(?:\/[\w.*-]+)*(?:\.ts|\/))`/g)].map(
    (m) => m[1] ?? "",
  );
  expect(named.length).toBeGreaterThan(20);
  const missing = named.filter((name) => {
    const glob = new Bun.Glob(`{${name},**/${name}}`.replace(/\/}/g, "}").replace(/\/,/g, ","));
    return !SOURCES.some((path) => glob.match(path));
  });
  expect(missing).toEqual([]);
});
