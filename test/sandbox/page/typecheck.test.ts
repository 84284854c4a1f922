/**
 * The sandbox page's script is type-checked from its JSDoc (tsconfig.sandbox-page.json, run by
 * `npm run typecheck`): it passes, and a planted type error in one of its sections is caught.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const CONFIG = path.join(ROOT, "tsconfig.sandbox-page.json");

/** The diagnostics of the page's script, with `plant` appended to the text of state.js when given. */
function diagnostics(plant?: string): string[] {
  const { config } = ts.readConfigFile(CONFIG, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, ROOT);
  const host = ts.createCompilerHost(parsed.options);
  const read = host.readFile.bind(host);
  host.readFile = (file) => {
    const text = read(file);
    return plant && text !== undefined && file.endsWith("src/sandbox/page/state.js")
      ? `${text}\n${plant}\n`
      : text;
  };
  const program = ts.createProgram(parsed.fileNames, parsed.options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
}

describe("the sandbox page's script is type-checked", () => {
  it("npm run typecheck checks it, with checkJs over every section", () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.typecheck).toContain("tsc -p tsconfig.sandbox-page.json");
    const { config } = ts.readConfigFile(CONFIG, ts.sys.readFile);
    const parsed = ts.parseJsonConfigFileContent(config, ts.sys, ROOT);
    expect(parsed.options.checkJs).toBe(true);
    expect(parsed.fileNames.map((f) => path.basename(f))).toEqual(
      expect.arrayContaining(["block-kit.js", "focus.js", "modal.js", "rendering.js", "start.js"]),
    );
  });

  it("passes, and catches a planted error across sections (they share one scope)", () => {
    expect(diagnostics()).toEqual([]);
    // S.view is a PaneView (state.js); focusPlace is defined in focus.js.
    const planted = diagnostics('S.view = { kind: "nowhere" };\nfocusPlace(42);');
    expect(planted.length).toBe(2);
  }, 60_000);
});
