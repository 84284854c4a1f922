/**
 * What loading a module loads: its static value imports, followed through the repository's own files
 * (`import type` and `export type` are erased by the compiler; `import()` waits until it runs). Used to
 * keep libraries that only some requests need out of every start (docs/bench/2026-12-07-analysis.md, "hQ").
 */
import path from "node:path";
import ts from "typescript";

/** The value imports (static) of one source text: repository paths, or package names. */
export function staticValueImports(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const found: string[] = [];
  for (const node of source.statements) {
    const typeOnly =
      (ts.isImportDeclaration(node) && node.importClause?.isTypeOnly === true) ||
      (ts.isExportDeclaration(node) && node.isTypeOnly);
    if (!(ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) || typeOnly) continue;
    if (!node.moduleSpecifier || !ts.isStringLiteral(node.moduleSpecifier)) continue;
    const specifier = node.moduleSpecifier.text;
    found.push(
      specifier.startsWith(".")
        ? path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier))
        : specifier,
    );
  }
  return found;
}

/** Every file and package (by name, without a sub-path) that loading `roots` loads. */
export function loadedBy(sources: ReadonlyMap<string, string>, roots: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const visit = (target: string) => {
    const key = target.startsWith("src/") ? target : packageOf(target);
    if (seen.has(key)) return;
    seen.add(key);
    const text = sources.get(target);
    if (text !== undefined) for (const next of staticValueImports(target, text)) visit(next);
  };
  for (const root of roots) visit(root);
  return seen;
}

/** "@scope/name/x" → "@scope/name"; "name/x" → "name"; "node:fs" stays. */
function packageOf(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] ?? specifier);
}
