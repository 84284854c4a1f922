/**
 * Listeners stay thin: they ack, check who is asking, call a use case and render its answer. They never
 * query the database themselves — no import of src/db or Prisma, and no `ctx.db` / `.prisma.` / `.sql.`
 * in their code; a query belongs in a use case (src/onboarding, src/cockpit, src/finch, …).
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { importsOf, readSources } from "./import-rules.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const LISTENERS = "src/slack/listeners";

const isDatabase = (to: string) =>
  to === "src/db" || to.startsWith("src/db/") || to === "@prisma/client" || to.startsWith("@prisma/");

/** Property reads that reach the database: `x.db`, `x.prisma`, `db.sql` (comments and strings are not code). */
function databaseReads(file: string, text: string): { line: number; text: string }[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: { line: number; text: string }[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isPropertyAccessExpression(node)) {
      const name = node.name.text;
      const on = node.expression;
      const onDb =
        (ts.isIdentifier(on) && on.text === "db") ||
        (ts.isPropertyAccessExpression(on) && on.name.text === "db");
      if (name === "db" || name === "prisma" || (name === "sql" && onDb)) {
        const line = source.getLineAndCharacterOfPosition(node.getStart()).line + 1;
        found.push({ line, text: node.getText() });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Every database import or read in the listeners among `sources`, as `file:line what`. */
function listenerDatabaseUses(sources: ReadonlyMap<string, string>): string[] {
  const uses: string[] = [];
  for (const [file, text] of sources) {
    if (!file.startsWith(`${LISTENERS}/`)) continue;
    for (const edge of importsOf(file, text)) {
      if (isDatabase(edge.to)) uses.push(`${file}:${edge.line} imports ${edge.to}`);
    }
    for (const read of databaseReads(file, text)) uses.push(`${file}:${read.line} reads ${read.text}`);
  }
  return uses;
}

describe("listeners do not query the database", () => {
  it("no listener imports src/db or Prisma, or reads ctx.db", () => {
    const sources = readSources(ROOT, LISTENERS);
    expect(sources.size).toBeGreaterThan(10);
    expect(listenerDatabaseUses(sources)).toEqual([]);
  });

  it("catches a planted query, a database import and a driver call, and lets comments and use cases be", () => {
    const planted = new Map([
      [`${LISTENERS}/a.ts`, "const o = await ctx.db.prisma.onboarding.findUnique({ where: { id } });\n"],
      [`${LISTENERS}/b.ts`, 'import { claimDelivery } from "../../db/claims.ts";\n'],
      [`${LISTENERS}/c.ts`, 'import type { Onboarding } from "@prisma/client";\nawait db.sql.query("x");\n'],
      // Fine: a comment, a use case's call, and a database read outside the listeners.
      [`${LISTENERS}/fine.ts`, "// ctx.db.prisma is for use cases\nawait onboardingById(ctx, id);\n"],
      ["src/onboarding/lookup.ts", "await ctx.db.sql.query('select 1');\n"],
    ]);
    expect(listenerDatabaseUses(planted)).toEqual([
      `${LISTENERS}/a.ts:1 reads ctx.db.prisma`,
      `${LISTENERS}/a.ts:1 reads ctx.db`,
      `${LISTENERS}/b.ts:1 imports src/db/claims.ts`,
      `${LISTENERS}/c.ts:1 imports @prisma/client`,
      `${LISTENERS}/c.ts:2 reads db.sql`,
    ]);
  });
});
