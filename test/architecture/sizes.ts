/**
 * Measures product source: lines per file and lines per function (declaration, method, arrow, function
 * expression, constructor — first line to last, as a reader scrolls it). Product = `src/` minus the
 * sandbox (fenced separately) and generated code.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";

/** A function longer than the limit: where it starts and how long it is. */
export interface LongFunction {
  file: string;
  name: string;
  line: number;
  lines: number;
}

/** Product `.ts` files under `root/src`, as paths relative to `root`. */
export function productFiles(root: string): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!["generated", "node_modules", "sandbox"].includes(entry.name)) walk(path);
      } else if (/\.(ts|mts)$/.test(entry.name) && !entry.name.endsWith(".d.ts")) {
        files.push(relative(root, path));
      }
    }
  };
  walk(join(root, "src"));
  return files.sort();
}

/** Number of lines in a source text (a trailing newline does not start a line). */
export function lineCount(text: string): number {
  return text.replace(/\n$/, "").split("\n").length;
}

function isFunctionLike(node: ts.Node): node is ts.FunctionLikeDeclaration {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isArrowFunction(node) ||
    ts.isFunctionExpression(node) ||
    ts.isConstructorDeclaration(node)
  );
}

function functionName(node: ts.FunctionLikeDeclaration): string {
  const own = node.name?.getText();
  if (own) return own;
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) return parent.name.getText();
  return "(anonymous)";
}

/** Functions in `text` longer than `max` lines, longest first. */
export function longFunctions(file: string, text: string, max: number): LongFunction[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: LongFunction[] = [];
  const visit = (node: ts.Node): void => {
    if (isFunctionLike(node)) {
      const first = source.getLineAndCharacterOfPosition(node.getStart()).line;
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = last - first + 1;
      if (lines > max) found.push({ file, name: functionName(node), line: first + 1, lines });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found.sort((a, b) => b.lines - a.lines);
}

/** Every product file over `maxFileLines` and every product function over `maxFunctionLines`. */
export function oversize(root: string, maxFileLines: number, maxFunctionLines: number) {
  const files: { file: string; lines: number }[] = [];
  const functions: LongFunction[] = [];
  for (const file of productFiles(root)) {
    const text = readFileSync(join(root, file), "utf8");
    const lines = lineCount(text);
    if (lines > maxFileLines) files.push({ file, lines });
    functions.push(...longFunctions(file, text, maxFunctionLines));
  }
  return { files, functions: functions.sort((a, b) => b.lines - a.lines) };
}
