/**
 * The `/fleet` subcommand map is total: every command the parser can return has a handler, checked by the
 * compiler (a missing one is a type error, not a runtime "not available yet") and, for the real features,
 * at run time too.
 */
import path from "node:path";
import ts from "typescript";
import { describe, expect, expectTypeOf, it } from "vitest";
import type { AppContext } from "../../../src/context.ts";
import { type FleetCommand, type Subcommand, USAGE } from "../../../src/slack/commands/parse.ts";
import * as call from "../../../src/slack/listeners/call.ts";
import * as checklist from "../../../src/slack/listeners/checklist.ts";
import * as finch from "../../../src/slack/listeners/finch.ts";
import type { SubcommandMap } from "../../../src/slack/listeners/fleet-command.ts";
import * as help from "../../../src/slack/listeners/help.ts";
import * as history from "../../../src/slack/listeners/history.ts";
import * as onboard from "../../../src/slack/listeners/onboard.ts";
import * as ownership from "../../../src/slack/listeners/ownership.ts";
import * as report from "../../../src/slack/listeners/report.ts";

const ROOT = path.resolve(import.meta.dirname, "../../..");

/** Type-checks `files` (name → text) as files of test/slack/commands with the project's tsconfig, in one program. */
function compile(files: Record<string, string>): Record<string, string[]> {
  const config = ts.getParsedCommandLineOfConfigFile(
    path.join(ROOT, "tsconfig.json"),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: () => {},
    },
  );
  if (!config) throw new Error("tsconfig.json could not be read");
  const texts = new Map(
    Object.entries(files).map(([n, t]) => [path.join(ROOT, "test/slack/commands", n), t]),
  );
  const host = ts.createCompilerHost(config.options);
  const read = host.getSourceFile.bind(host);
  host.getSourceFile = (f, language, ...rest) => {
    const text = texts.get(f);
    return text === undefined ? read(f, language, ...rest) : ts.createSourceFile(f, text, language);
  };
  const exists = host.fileExists.bind(host);
  host.fileExists = (f) => texts.has(f) || exists(f);
  const program = ts.createProgram([...texts.keys()], { ...config.options, noEmit: true }, host);
  return Object.fromEntries(
    [...texts.keys()].map((f) => [
      path.basename(f),
      program
        .getSemanticDiagnostics(program.getSourceFile(f))
        .map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n")),
    ]),
  );
}

describe("the /fleet subcommand map", () => {
  it("is keyed by exactly what the parser returns: its subcommands, plus the form of a bare `onboard`", () => {
    expectTypeOf<keyof SubcommandMap>().toEqualTypeOf<FleetCommand["kind"]>();
    expectTypeOf<Subcommand | "onboard-modal">().toEqualTypeOf<FleetCommand["kind"]>();
  });

  it("does not compile with a subcommand left out, and does once it is added", () => {
    const head = `import type { SubcommandMap } from "../../../src/slack/listeners/fleet-command.ts";
declare const all: SubcommandMap;
const { report: _left, ...withoutReport } = all;
`;
    const found = compile({
      "missing-handler.ts": `${head}export const map: SubcommandMap = withoutReport;\n`,
      "whole-map.ts": `${head}export const map: SubcommandMap = { ...withoutReport, report: { answer: () => "" } };\n`,
    });
    expect(found["missing-handler.ts"]).toHaveLength(1);
    expect(found["missing-handler.ts"]?.[0]).toMatch(/Property 'report' is missing/);
    expect(found["whole-map.ts"]).toEqual([]);
  }, 180_000);

  it("the features together answer every subcommand the parser knows, and nothing else", () => {
    const ctx = {} as AppContext;
    const features = [
      help.subcommands(),
      onboard.subcommands(ctx, { onboardingHooks: {} as never }),
      checklist.subcommands(ctx),
      finch.subcommands(ctx),
      call.subcommands(ctx),
      history.subcommands(ctx),
      ownership.subcommands(ctx),
      report.subcommands(ctx),
    ];
    const owned = features.flatMap((f) => Object.keys(f));
    // Each subcommand has one owner: a later feature never silently replaces another's handler.
    expect(owned.length).toBe(new Set(owned).size);
    expect(owned.sort()).toEqual([...Object.keys(USAGE), "onboard-modal"].sort());
  });
});
