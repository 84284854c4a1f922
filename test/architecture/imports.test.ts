import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  checkImports,
  DOMAIN_FOLDERS,
  floorsOf,
  folderCircles,
  HOUSE_RULES,
  importsOf,
  readSources,
} from "./import-rules.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

describe("requests flow one way", () => {
  it("no source file imports against the house's direction", () => {
    const sources = readSources(ROOT, "src");
    expect(sources.size).toBeGreaterThan(50);
    const violations = checkImports(sources, HOUSE_RULES).map(
      (v) => `${v.from}:${v.line} imports ${v.to} — ${v.rule}`,
    );
    expect(violations).toEqual([]);
  });

  it("catches a planted backwards import from the domain into a listener, middleware or the app", () => {
    const planted = new Map([
      ["src/onboarding/planted.ts", 'import { registerListeners } from "../slack/listeners/index.ts";\n'],
      ["src/finch/planted.ts", 'export { dedupeMiddleware } from "../slack/middleware/dedupe.ts";\n'],
      ["src/reminders/planted.ts", 'const app = await import("../slack/app.ts");\n'],
      ["src/cockpit/planted.ts", 'import type { App } from "@slack/bolt";\n'],
      // Allowed: views are pure builders, the gateway is what the domain talks to Slack through.
      ["src/onboarding/fine.ts", 'import { buildChecklistMessage } from "../blocks/checklist.ts";\n'],
      ["src/reminders/fine.ts", 'import { postTracked } from "../slack-gateway/post.ts";\n'],
    ]);
    const found = checkImports(planted, HOUSE_RULES);
    expect(found.map((v) => [v.from, v.to])).toEqual([
      ["src/onboarding/planted.ts", "src/slack/listeners/index.ts"],
      ["src/finch/planted.ts", "src/slack/middleware/dedupe.ts"],
      ["src/reminders/planted.ts", "src/slack/app.ts"],
      ["src/cockpit/planted.ts", "@slack/bolt"],
    ]);
  });

  it("catches the gateway or the database reaching up into the domain, and impure views", () => {
    const planted = new Map([
      ["src/slack-gateway/post.ts", 'import { tickFromSlack } from "../onboarding/checklist-service.ts";\n'],
      ["src/db/claims.ts", 'import { refreshHomeSoon } from "../cockpit/home.ts";\n'],
      ["src/blocks/home.ts", 'import { claimDelivery } from "../db/claims.ts";\n'],
    ]);
    expect(checkImports(planted, HOUSE_RULES)).toHaveLength(3);
  });

  it("catches a planted builder importing the domain, and the domain importing anything in the Bolt room", () => {
    const planted = new Map([
      ["src/blocks/home.ts", 'import type { HomePage } from "../cockpit/home-data.ts";\n'],
      ["src/blocks/finch.ts", 'import type { VerificationReport } from "../finch/report.ts";\n'],
      ["src/blocks/reports.ts", 'import { providerDisplayName } from "../onboarding/rerun.ts";\n'],
      ["src/blocks/rep-digest.ts", 'import type { DigestCall } from "../reminders/facts.ts";\n'],
      ["src/blocks/state.ts", 'import { itemStatesOf } from "../checklist/state.ts";\n'],
      ["src/onboarding/planted.ts", 'import { buildChecklistMessage } from "../slack/views/checklist.ts";\n'],
      ["src/analytics/planted.ts", 'import { tellDeadDelivery } from "../slack/intake/notices.ts";\n'],
      ["src/checklist/planted.ts", 'import { actorOf } from "../slack/actors.ts";\n'],
      ["src/email/planted.ts", 'import { registerListeners } from "../slack/listeners/index.ts";\n'],
      // Allowed: a builder uses the checklist's pure rules, the ids and its siblings; the domain calls builders.
      [
        "src/blocks/fine.ts",
        'import { progressBar } from "../checklist/progress.ts";\nimport { ActionId } from "../slack-gateway/ids.ts";\nimport { clipText } from "./mrkdwn.ts";\n',
      ],
      ["src/finch/fine.ts", 'import { buildConnectLinkMessage } from "../blocks/finch.ts";\n'],
    ]);
    expect(checkImports(planted, HOUSE_RULES).map((v) => [v.from, v.to])).toEqual([
      ["src/blocks/home.ts", "src/cockpit/home-data.ts"],
      ["src/blocks/finch.ts", "src/finch/report.ts"],
      ["src/blocks/reports.ts", "src/onboarding/rerun.ts"],
      ["src/blocks/rep-digest.ts", "src/reminders/facts.ts"],
      ["src/blocks/state.ts", "src/checklist/state.ts"],
      ["src/onboarding/planted.ts", "src/slack/views/checklist.ts"],
      ["src/analytics/planted.ts", "src/slack/intake/notices.ts"],
      ["src/checklist/planted.ts", "src/slack/actors.ts"],
      ["src/email/planted.ts", "src/slack/listeners/index.ts"],
    ]);
  });

  it("catches the audit trail reaching up, and a use case calling into the cockpit", () => {
    const planted = new Map([
      ["src/audit/audit.ts", 'import { refreshChecklist } from "../onboarding/checklist-service.ts";\n'],
      ["src/onboarding/close.ts", 'import { refreshHomeSoon } from "../cockpit/home.ts";\n'],
      ["src/finch/verify.ts", 'import { publishHome } from "../cockpit/home.ts";\n'],
      [
        "src/reminders/scheduler/deliver.ts",
        'import { alertFailedReminder } from "../../cockpit/reminder-failures.ts";\n',
      ],
      // Allowed: the cockpit's own use cases write the audit trail.
      ["src/cockpit/dead-letters.ts", 'import { audit } from "../audit/audit.ts";\n'],
    ]);
    expect(checkImports(planted, HOUSE_RULES).map((v) => [v.from, v.to])).toEqual([
      ["src/audit/audit.ts", "src/onboarding/checklist-service.ts"],
      ["src/onboarding/close.ts", "src/cockpit/home.ts"],
      ["src/finch/verify.ts", "src/cockpit/home.ts"],
      ["src/reminders/scheduler/deliver.ts", "src/cockpit/reminder-failures.ts"],
    ]);
  });

  it("treats the command-line tools as entry points: started, imported by nothing, free to import below", () => {
    const planted = new Map([
      ["src/checklist/planted.ts", 'const cli = await import("../cli/migrate-cli.ts");\n'],
      ["src/http/planted.ts", 'import { main } from "../cli/keys-cli.ts";\n'],
      ["src/fleet.ts", 'import "./main.ts";\n'],
      ["src/slack-gateway/planted.ts", 'export * from "../cli/upgrade-pglite-cli.ts";\n'],
      // Allowed: a tool starts what it needs, the Bolt room included (only entry points may import it).
      [
        "src/cli/fine.ts",
        'import { openDatabase } from "../db/client.ts";\nimport { createSlackApp } from "../slack/app.ts";\n',
      ],
    ]);
    expect(checkImports(planted, HOUSE_RULES).map((v) => [v.from, v.to])).toEqual([
      // The domain and the gateway are caught twice: they may import no entry point, and the CLI is one.
      ["src/checklist/planted.ts", "src/cli/migrate-cli.ts"],
      ["src/checklist/planted.ts", "src/cli/migrate-cli.ts"],
      ["src/http/planted.ts", "src/cli/keys-cli.ts"],
      ["src/fleet.ts", "src/main.ts"],
      ["src/slack-gateway/planted.ts", "src/cli/upgrade-pglite-cli.ts"],
      ["src/slack-gateway/planted.ts", "src/cli/upgrade-pglite-cli.ts"],
    ]);
  });

  it("reads the line of each import, with paths resolved from the importing file", () => {
    const edges = importsOf("src/a/b.ts", '// x\nimport { y } from "../c/d.ts";\nimport z from "zod";\n');
    expect(edges).toEqual([
      { from: "src/a/b.ts", to: "src/c/d.ts", line: 2 },
      { from: "src/a/b.ts", to: "zod", line: 3 },
    ]);
  });
});

describe("the domain's folders import each other one way", () => {
  it("no circle among onboarding, reminders, cockpit, finch and checklist", () => {
    expect(folderCircles(readSources(ROOT, "src"), DOMAIN_FOLDERS)).toEqual([]);
  });

  it("finds a planted circle, also one that runs through a third folder, and only that", () => {
    const planted = new Map([
      ["src/onboarding/a.ts", 'import { x } from "../reminders/b.ts";\n'],
      ["src/reminders/b.ts", 'import { y } from "../finch/c.ts";\nimport { z } from "../checklist/d.ts";\n'],
      ["src/finch/c.ts", 'import type { OnboardingHooks } from "../onboarding/start-onboarding.ts";\n'],
      // One way only: cockpit → checklist is no circle, and imports inside a folder do not count.
      ["src/cockpit/e.ts", 'import { d } from "../checklist/d.ts";\nimport { f } from "./f.ts";\n'],
    ]);
    expect(folderCircles(planted, DOMAIN_FOLDERS)).toEqual([
      ["src/onboarding", "src/reminders", "src/finch"],
    ]);
  });
});

describe("a drawing of src shows no arrow running back up", () => {
  it("every room of src (a folder, or a file at its top; src/sandbox aside) imports only rooms on lower floors", () => {
    const { floors, upward } = floorsOf(readSources(ROOT, "src"));
    expect(floors.size).toBeGreaterThan(20);
    expect(upward.map((e) => `${e.from}:${e.line} imports ${e.to}, a room on a higher floor`)).toEqual([]);
  });

  it("draws floors one above the highest floor imported, `import type` and top-level files included", () => {
    const planted = new Map([
      ["src/fleet.ts", 'import { mountMetrics } from "./metrics-http/serve.ts";\n'],
      [
        "src/metrics-http/serve.ts",
        'import type { Config } from "../config.ts";\nimport { x } from "../html/escape.ts";\n',
      ],
      ["src/config.ts", 'import { emailEnvShape } from "./email/settings.ts";\n'],
      ["src/email/settings.ts", 'import { escapeHtml } from "../html/escape.ts";\n'],
      ["src/html/escape.ts", "export const x = 1;\n"],
      // The stand-ins are no room: their imports, and imports of them, do not count.
      ["src/sandbox/start.ts", 'import { startFleet } from "../fleet.ts";\n'],
      ["src/html/sandboxed.ts", 'import { y } from "../sandbox/y.ts";\n'],
    ]);
    const { floors, upward } = floorsOf(planted);
    expect(Object.fromEntries(floors)).toEqual({
      "src/fleet.ts": 4,
      "src/metrics-http": 3,
      "src/config.ts": 2,
      "src/email": 1,
      "src/html": 0,
    });
    expect(upward).toEqual([]);
  });

  it("catches a planted import that runs back up a floor, also a type-only one through a third room", () => {
    const planted = new Map([
      [
        "src/config.ts",
        'import { emailEnvShape } from "./email/settings.ts";\nimport type { MailerConfig } from "./email/mailer.ts";\n',
      ],
      ["src/email/settings.ts", 'import { escapeHtml } from "../html/escape.ts";\n'],
      ["src/email/mailer.ts", 'import { escapeHtml } from "../html/escape.ts";\n'],
      ["src/html/escape.ts", 'import type { Config } from "../config.ts";\n'],
    ]);
    expect(floorsOf(planted).upward.map((e) => [e.from, e.to])).toEqual([
      ["src/html/escape.ts", "src/config.ts"],
    ]);
  });
});
