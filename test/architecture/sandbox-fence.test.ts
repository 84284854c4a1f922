/**
 * The stand-ins are witnesses, not mirrors: the Slack and Finch stand-ins (and the driver that plays a
 * person on Slack) take their Block Kit rules, scopes and provider listing from their own data, written
 * from Slack's and Finch's documentation, never from the app's rules, templates or validators. A witness
 * that imported the app's rules could only prove the app agrees with itself.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { checkImports, type ImportRule, readSources } from "./import-rules.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** The stand-ins' own rooms: they may import each other, packages and Node, nothing else of the repository. */
const STAND_IN_ROOMS = ["src/sandbox/slack", "src/sandbox/finch", "src/sandbox/slack-driver"];
const inStandIns = (p: string) => STAND_IN_ROOMS.some((d) => p.startsWith(`${d}/`));

/** The stand-ins' starter joins them; it is fenced the same way. */
const isStandIn = (p: string) => inStandIns(p) || p === "src/sandbox/stand-ins.ts";

const SANDBOX_FENCE: ImportRule = {
  name: "the stand-ins import nothing of the app (no Block Kit limits, templates, provider names, config)",
  from: isStandIn,
  forbidden: (t) => (t.startsWith("src/") || t.startsWith("prisma/")) && !isStandIn(t),
};

describe("the stand-ins are fenced from the app", () => {
  it("no file of src/sandbox/slack, src/sandbox/finch or src/sandbox/slack-driver imports app code", () => {
    const sources = readSources(ROOT, "src/sandbox");
    expect([...sources.keys()].filter(isStandIn).length).toBeGreaterThan(30);
    const violations = checkImports(sources, [SANDBOX_FENCE]).map(
      (v) => `${v.from}:${v.line} imports ${v.to}`,
    );
    expect(violations).toEqual([]);
  });

  it("catches a planted import of the app's Block Kit limits, templates or provider names", () => {
    const planted = new Map([
      ["src/sandbox/slack/block-kit.ts", 'import { MAX_BLOCKS } from "../../slack/views/limits.ts";\n'],
      ["src/sandbox/slack/planted.ts", 'export { SECTION_TEXT_MAX } from "../../blocks/limits.ts";\n'],
      ["src/sandbox/finch/providers.ts", 'import { TEMPLATES } from "../../checklist/templates/index.ts";\n'],
      ["src/sandbox/finch/planted.ts", 'const names = await import("../../finch/provider-names.ts");\n'],
      ["src/sandbox/slack-driver/driver.ts", 'import { ActionId } from "../../slack/ids.ts";\n'],
      ["src/sandbox/stand-ins.ts", 'import { loadConfig } from "../config.ts";\n'],
      // Allowed: the stand-ins' own files, each other, and packages.
      ["src/sandbox/slack/fine.ts", 'import { checkElement } from "./block-kit-elements.ts";\n'],
      ["src/sandbox/slack-driver/fine.ts", 'import { SlackStandIn } from "../slack/index.ts";\n'],
      [
        "src/sandbox/finch/fine.ts",
        'import type { Provider } from "@tryfinch/finch-api/resources/providers";\n',
      ],
      // The sandbox's routes are the composition side: they may use the app.
      ["src/sandbox/routes/fine.ts", 'import { ReminderKind } from "../../reminders/rules.ts";\n'],
    ]);
    expect(checkImports(planted, [SANDBOX_FENCE]).map((v) => v.from)).toEqual([
      "src/sandbox/slack/block-kit.ts",
      "src/sandbox/slack/planted.ts",
      "src/sandbox/finch/providers.ts",
      "src/sandbox/finch/planted.ts",
      "src/sandbox/slack-driver/driver.ts",
      "src/sandbox/stand-ins.ts",
    ]);
  });
});
