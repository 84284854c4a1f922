/**
 * The README's walk of a tick (HTTP request → intake → Bolt → `chat.update`) names real code: every file it
 * names exists, and every function or property it names is still written so in src/ (a rename that
 * forgets the README fails here).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "../..");
const HEADING = "### A tick, from the HTTP request to `chat.update`";

/** The section under the heading, up to the next heading or list of choices. */
function section(): string {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const start = readme.indexOf(HEADING);
  expect(start, "the README walks a tick").toBeGreaterThan(-1);
  const rest = readme.slice(start + HEADING.length);
  const end = rest.search(/\n(#+ |Choices worth knowing)/);
  return end === -1 ? rest : rest.slice(0, end);
}

/** Every .ts file under src, as one text. */
function allSource(): string {
  const texts: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".ts")) texts.push(readFileSync(path, "utf8"));
    }
  };
  walk(join(ROOT, "src"));
  return texts.join("\n");
}

describe("the README's walk of a tick", () => {
  const text = section();
  const quoted = [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? "");

  it("is ten steps", () => {
    expect(text.match(/^\d+\. /gm)).toHaveLength(10);
  });

  it("names files that exist", () => {
    const files = quoted.filter((q) => q.startsWith("src/"));
    expect(files.length).toBeGreaterThanOrEqual(8);
    expect(files.filter((f) => !existsSync(join(ROOT, f)))).toEqual([]);
  });

  it("names functions and properties that src/ still has", () => {
    const source = allSource();
    const names = quoted.map((q) => q.replace(/\(\)$/, "")).filter((q) => /^[A-Za-z_][\w.]*$/.test(q));
    expect(names.length).toBeGreaterThanOrEqual(25);
    const missing = names.filter((n) => !new RegExp(`\\b${n.replace(/\./g, "\\.")}\\b`).test(source));
    expect(missing).toEqual([]);
  });
});
