/**
 * Finds per-app state hiding in module scope: a top-level `let`/`var`, or a top-level constant that starts as
 * an empty container (`new Map()`, `new Set()`, `new WeakMap()`, `new WeakSet()`, `new Array()`, `[]`) —
 * something that exists only to be filled while the app runs. Lookup tables built from their contents
 * (`new Set(["a", "b"])`) are constants and pass. Per-app state belongs in the app's memory
 * (src/app-memory.ts, `ctx.memory`).
 */
import ts from "typescript";

/** A module-scope declaration that looks like mutable state. */
export interface ModuleState {
  file: string;
  name: string;
  line: number;
  kind: "let" | "empty container";
}

const CONTAINERS = new Set(["Map", "Set", "WeakMap", "WeakSet", "Array"]);

function isEmptyContainer(init: ts.Expression | undefined): boolean {
  if (!init) return false;
  const e = ts.isAsExpression(init) || ts.isSatisfiesExpression(init) ? init.expression : init;
  if (ts.isArrayLiteralExpression(e)) return e.elements.length === 0;
  return (
    ts.isNewExpression(e) &&
    ts.isIdentifier(e.expression) &&
    CONTAINERS.has(e.expression.text) &&
    (e.arguments?.length ?? 0) === 0
  );
}

/** The module-scope mutable state declared in one source text. */
export function moduleStateOf(file: string, text: string): ModuleState[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: ModuleState[] = [];
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    const list = statement.declarationList;
    const isConst = (list.flags & ts.NodeFlags.Const) !== 0;
    for (const d of list.declarations) {
      const kind = !isConst ? "let" : isEmptyContainer(d.initializer) ? "empty container" : undefined;
      if (!kind) continue;
      const line = source.getLineAndCharacterOfPosition(d.getStart()).line + 1;
      found.push({ file, name: d.name.getText(), line, kind });
    }
  }
  return found;
}
