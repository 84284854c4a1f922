/**
 * docs/stand-ins.md is evidence, not prose: every row names a documentation page and a test that exists. A row
 * whose test was renamed or deleted fails here, so the table cannot drift from the suite.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");
const rows = readFileSync(join(ROOT, "docs", "stand-ins.md"), "utf8")
  .split("\n")
  .filter((line) => line.startsWith("| ") && !line.startsWith("| Behaviour") && !line.startsWith("| ---"))
  .map((line) => line.split(/(?<!\\)\|/).map((cell) => cell.trim()))
  .map(([, behaviour = "", page = "", test = ""]) => ({ behaviour, page, test }));

describe("docs/stand-ins.md", () => {
  it("has rows for Slack, Socket Mode and Finch", () => {
    expect(rows.length).toBeGreaterThan(25);
    expect(rows.some((r) => r.page.includes("tryfinch.com"))).toBe(true);
    expect(rows.some((r) => r.page.includes("slack.com"))).toBe(true);
  });

  it.each(rows.map((r) => [r.behaviour.slice(0, 70), r] as const))(
    "%s → a page and an existing test",
    (_, row) => {
      expect(row.page).toMatch(/https:\/\//);
      // "file › describe › name; › another name; test/other.ts › …": groups per file, names within a group.
      for (const group of row.test.split(/;\s*(?=test\/)/)) {
        const [first = "", ...more] = group.split(/;\s*›/).map((part) => part.trim());
        const [file = "", ...path] = first.split("›").map((part) => part.trim());
        expect(existsSync(join(ROOT, file)), `${file} exists`).toBe(true);
        const source = readFileSync(join(ROOT, file), "utf8");
        for (const name of [path.at(-1), ...more]) {
          if (!name || /^\(\d+ tests?\)$/.test(name)) continue;
          const quoted = name.replace(/\\\|/g, "|").replace(/`/g, "").slice(0, 40);
          expect(source, `${file} has a test named "${name}"`).toContain(quoted);
        }
      }
    },
  );
});
