/**
 * The README's provider table is documentation of the templates: one row per shipped template, with its
 * auth method, its first source, and a "Finch Assist" mark exactly where the template needs it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { needsFinchAssist } from "../../src/checklist/finch-assist.ts";
import { loadTemplates } from "../../src/checklist/template-registry.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const readme = readFileSync(join(ROOT, "README.md"), "utf8");
const rows = new Map(
  readme
    .split("\n")
    .filter((line) => /^\| [^|]+\| `[a-z0-9_]+` +\| `(credential|assisted|oauth|api_token)`/.test(line))
    .map((line) => line.split("|").map((cell) => cell.trim()))
    .map(([, name = "", id = "", auth = "", does = "", from = ""]) => [
      id.replaceAll("`", ""),
      { name, auth: auth.replaceAll("`", ""), does, from },
    ]),
);

describe("the README's provider table", () => {
  const templates = loadTemplates();

  it("has one row per template and no other", () => {
    expect([...rows.keys()].sort()).toEqual(templates.map((t) => t.id).sort());
  });

  it.each(templates.map((t) => [t.id, t] as const))("%s: auth method, Finch Assist and source", (_, t) => {
    const row = rows.get(t.id);
    expect(row?.auth).toBe(t.finch.authMethod);
    expect(row?.does.includes("Finch Assist"), `${t.id} row names Finch Assist`).toBe(needsFinchAssist(t));
    expect(row?.from).toContain(t.sources[0]?.url);
  });
});
