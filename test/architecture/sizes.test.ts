/**
 * Product code stays readable in one sitting: no file under `src/` (the sandbox aside) over 400 lines and
 * no function over 80 (issue 25, "long functions as named steps").
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { lineCount, longFunctions, oversize, productFiles } from "./sizes.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const MAX_FILE_LINES = 400;
const MAX_FUNCTION_LINES = 80;

const body = (n: number) => Array.from({ length: n }, (_, i) => `  const v${i} = ${i};`).join("\n");

describe("product code size", () => {
  it("measures product files only", () => {
    const files = productFiles(ROOT);
    expect(files).toContain("src/main.ts");
    expect(files).toContain("src/finch/verify.ts");
    expect(files.some((f) => f.startsWith("src/sandbox/"))).toBe(false);
    expect(files.some((f) => f.includes("/generated/"))).toBe(false);
  });

  it(`has no file over ${MAX_FILE_LINES} lines and no function over ${MAX_FUNCTION_LINES}`, () => {
    const found = oversize(ROOT, MAX_FILE_LINES, MAX_FUNCTION_LINES);
    expect(found.files.map((f) => `${f.file}: ${f.lines} lines`)).toEqual([]);
    expect(found.functions.map((f) => `${f.file}:${f.line} ${f.name}: ${f.lines} lines`)).toEqual([]);
  });

  describe("the check has teeth", () => {
    it("counts lines as a reader does", () => {
      expect(lineCount("a\nb\n")).toBe(2);
      expect(lineCount("a\nb")).toBe(2);
    });

    it.each([
      ["declaration", (b: string) => `export function big() {\n${b}\n}\n`, "big"],
      ["arrow in a const", (b: string) => `const big = async () => {\n${b}\n};\n`, "big"],
      ["method", (b: string) => `class K {\n  big() {\n${b}\n  }\n}\n`, "big"],
      ["callback", (b: string) => `app.command("/x", async () => {\n${b}\n});\n`, "(anonymous)"],
      ["property", (b: string) => `const o = { big: function () {\n${b}\n} };\n`, "big"],
    ])("flags a long %s", (_kind, make, name) => {
      expect(longFunctions("x.ts", make(body(78)), 80)).toEqual([]);
      expect(longFunctions("x.ts", make(body(79)), 80)).toEqual([
        expect.objectContaining({ name, lines: 81 }),
      ]);
    });

    it("flags a long function nested in a short one", () => {
      const text = `function outer() {\n  const inner = () => {\n${body(90)}\n  };\n  return inner;\n}\n`;
      expect(longFunctions("x.ts", text, 80).map((f) => f.name)).toEqual(["outer", "inner"]);
    });
  });
});
