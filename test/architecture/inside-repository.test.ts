/**
 * The project stands alone: no source, test, script or build file refers to a path outside the repository
 * (issue: a fresh clone on any machine passes `npm test`).
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { outsideReferences, projectFiles, scanProject } from "./outside-paths.ts";

const ROOT = join(import.meta.dirname, "..", "..");
/** The folder that sits beside this checkout on the team's machines (spelled out only here, as test input). */
const NEIGHBOUR = ["sha", "red"].join("");

describe("nothing refers to a path outside the repository", () => {
  it("covers sources, tests, bench, CI and build files", () => {
    const files = projectFiles(ROOT);
    for (const expected of [
      "src/main.ts",
      "test/manifest.test.ts",
      ".ci/run",
      "package.json",
      "Dockerfile",
    ]) {
      expect(files).toContain(expected);
    }
    expect(files.some((f) => f.startsWith("bench/"))).toBe(true);
  });

  it("finds no such reference in the project", () => {
    expect(scanProject(ROOT)).toEqual([]);
  });

  describe("the check has teeth", () => {
    const check = (file: string, text: string) => outsideReferences("/repo", file, text).map((r) => r.why);

    it.each([
      ["test/manifest.test.ts", `const DIR = join(import.meta.dirname, "../../${NEIGHBOUR}/reference/x");`],
      ["test/x.test.ts", 'readFileSync(join(import.meta.dirname, "..", "..", "notes.md"))'],
      ["test/a/b.test.ts", 'import data from "../../../elsewhere/data.json";'],
      ["src/x.ts", 'const guide = "/work/shared/notes/seed-justworks-guide.md";'],
      [".ci/run", `cat ../${NEIGHBOUR}/hooks/before-stop`],
      ["package.json", '"pretest": "node ../tools/check.js"'],
    ])("flags %s: %s", (file, text) => {
      expect(check(file, text)).toHaveLength(1);
    });

    it.each([
      [
        "test/sandbox/browser.test.ts",
        'const SHOTS = join(import.meta.dirname, "..", "..", "docs", "screenshots");',
      ],
      ["test/manifest.test.ts", 'const DIR = join(import.meta.dirname, "fixtures/slack-manifest-schema");'],
      ["src/slack/app.ts", 'import { x } from "../config.ts";'],
      [".ci/run", 'cd "$(dirname "$0")/.."'],
      ["test/sandbox/browser.test.ts", 'const CHROMIUM = "/usr/bin/chromium";'],
    ])("allows %s: %s", (file, text) => {
      expect(check(file, text)).toEqual([]);
    });
  });
});
