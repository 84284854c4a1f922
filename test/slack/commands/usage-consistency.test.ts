/**
 * One list of `/fleet` subcommands, said three times: the parser's usage (what `/fleet help` prints),
 * manifest.yml's `usage_hint` (what Slack shows while typing) and the README's command table. Every
 * subcommand the parser knows appears in all three, and nothing else does.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { helpText, USAGE } from "../../../src/slack/commands/parse.ts";

const ROOT = join(import.meta.dirname, "../../..");
const manifest = parse(readFileSync(join(ROOT, "manifest.yml"), "utf8"));
const readme = readFileSync(join(ROOT, "README.md"), "utf8");
/** Slack's own manifest schema (vendored in test/fixtures/slack-manifest-schema) sets `usage_hint`'s limit. */
const USAGE_HINT_MAX = maxLengthOf(
  JSON.parse(
    readFileSync(join(ROOT, "test/fixtures/slack-manifest-schema/manifest.schema.1.0.0.json"), "utf8"),
  ),
  "usage_hint",
);

/** The `maxLength` of the first property called `name` anywhere in a JSON schema. */
function maxLengthOf(schema: unknown, name: string): number {
  const stack = [schema];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    if (!node || typeof node !== "object") continue;
    const own = (node as { properties?: Record<string, { maxLength?: number }> }).properties?.[name];
    if (typeof own?.maxLength === "number") return own.maxLength;
    stack.push(...Object.values(node));
  }
  throw new Error(`no maxLength for ${name} in the schema`);
}

/** The subcommands named as `/fleet <word>` in a text. */
function named(text: string): string[] {
  return [...new Set([...text.matchAll(/`\/fleet ([a-z-]+)/g)].map((m) => m[1] ?? ""))].sort();
}

/** The `/fleet` command's `usage_hint`, split at `|`. */
function hinted(): string[] {
  const fleet = manifest.features.slash_commands.find((c: { command: string }) => c.command === "/fleet");
  return String(fleet.usage_hint)
    .split("|")
    .map((s) => s.trim())
    .sort();
}

/** The subcommands in the first column of the README's command table (the rows under `| Command`). */
function tabled(): string[] {
  const lines = readme.split("\n");
  const start = lines.findIndex((l) => /^\|\s*Command\s*\|/.test(l));
  expect(start, "the README has a `| Command | What it does |` table").toBeGreaterThan(-1);
  const rows = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith("|")) break;
    rows.push(line.split("|")[1] ?? "");
  }
  return named(rows.join("\n"));
}

const KNOWN = Object.keys(USAGE).sort();

describe("the /fleet subcommands, as the parser, the manifest and the README say them", () => {
  it("the parser's usage text has one line per subcommand it knows", () => {
    expect(named(helpText())).toEqual(KNOWN);
    for (const [sub, line] of Object.entries(USAGE)) expect(named(line)).toEqual([sub]);
  });

  it("manifest.yml's usage_hint lists exactly those, within Slack's length limit", () => {
    expect(hinted()).toEqual(KNOWN);
    const fleet = manifest.features.slash_commands.find((c: { command: string }) => c.command === "/fleet");
    expect(String(fleet.usage_hint).length).toBeLessThanOrEqual(USAGE_HINT_MAX);
  });

  it("the README's command table has a row for exactly those", () => {
    expect(tabled()).toEqual(KNOWN);
  });
});
