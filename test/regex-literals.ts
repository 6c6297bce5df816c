import { Glob } from "bun";

/**
 * A regular-expression literal: a slash where an expression starts (after `(` `,` `=` `:` `[`
 * `!` `&` `|` `?` `{` `}` `;` or `return`), a body of escapes, character classes and plain
 * characters, a closing slash and flags.
 */
const LITERAL =
  /(?<=(?:^|[(,=:[!&|?{};]|\breturn)\s*)\/(?![*/])((?:\\.|\[(?:\\.|[^\]\\\n])*\]|[^/\\[\n])+)\/([dgimsuvy]*)/gm;

/**
 * Every regular-expression literal in the TypeScript files under `dirs` (tests excluded),
 * with the file it is in. Found by scanning the type-stripped source: a heuristic, but one
 * that errs towards finding too much, and anything that does not compile is dropped.
 */
export async function regexLiterals(root: string, dirs: string[]) {
  const transpiler = new Bun.Transpiler({ loader: "ts" });
  const found: { file: string; regex: RegExp }[] = [];
  for (const dir of dirs) {
    for (const file of new Glob(`${dir}/**/*.ts`).scanSync(root)) {
      if (file.endsWith(".test.ts")) continue;
      const code = transpiler.transformSync(await Bun.file(`${root}/${file}`).text());
      for (const match of code.matchAll(LITERAL)) {
        try {
          found.push({ file, regex: new RegExp(match[1] ?? "", match[2]) });
        } catch {
          // Not a regex after all (a division, a path in a comment).
        }
      }
    }
  }
  return found;
}
