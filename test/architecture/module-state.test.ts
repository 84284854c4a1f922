/**
 * Per-app state lives in objects built at start-up (src/app-memory.ts, `ctx.memory`), not in module scope:
 * two apps in one process (tests start several, against different stand-ins) must not share caches.
 * A module-scope `let` or empty container fails here unless it is listed below with the reason it is not
 * per-app state (issue 25, "effects behind hooks").
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { moduleStateOf } from "./module-state.ts";
import { productFiles } from "./sizes.ts";

const ROOT = join(import.meta.dirname, "..", "..");

/** `file:name` → why it may stay in module scope. */
const ALLOWED: ReadonlyMap<string, string> = new Map([
  [
    "src/checklist/template-registry.ts:shipped",
    "the repository's template files, read once on first use and never changed at run time: the same for every app",
  ],
  [
    "src/crypto.ts:linkKeys",
    "a pure memo keyed by the key itself (WeakMap): same input, same output in any app",
  ],
  ["src/portal/csrf.ts:derived", "a pure memo keyed by the key itself (WeakMap)"],
  [
    "src/slack-gateway/post-once.ts:nonRetrying",
    "keyed by the app's own WebClient (WeakMap): per app by its key",
  ],
  ["src/email/mailer.ts:transports", "keyed by the app's own config object (WeakMap): per app by its key"],
  ["src/db/locks.ts:queuesOf", "keyed by the app's own database handle (WeakMap): per app by its key"],
  [
    "src/db/locks.ts:slotsByKind",
    "advisory-lock concurrency slots per lock kind, deliberately process-wide (one connection pool budget)",
  ],
  ["src/db/data-dir-lock.ts:heldHere", "which data folders this process holds: process-wide by nature"],
  [
    "src/db/prestart.ts:prestarted",
    "the PGlite worker main.ts starts before the app exists (one per process)",
  ],
  ["src/time.ts:readableFormats", "a pure memo of Intl formatters per time zone"],
  ["src/time.ts:offsetFormats", "a pure memo of Intl formatters per time zone (bounded)"],
  ["src/time-zones.ts:validity", "a pure memo of whether a zone name is valid (bounded)"],
  ["src/blocks/reminder.ts:dayFormats", "a pure memo of Intl day formatters per time zone (bounded)"],
  [
    "src/email/mailer.ts:sandboxMailbox",
    "the sandbox page's mailbox (bounded); sandbox mode runs one app per process",
  ],
]);

const found = () => productFiles(ROOT).flatMap((f) => moduleStateOf(f, readFileSync(join(ROOT, f), "utf8")));

describe("no per-app state in module scope", () => {
  it("every module-scope `let` or empty container in src is allowed, with a reason", () => {
    const unexplained = found()
      .filter((s) => !ALLOWED.has(`${s.file}:${s.name}`))
      .map((s) => `${s.file}:${s.line} ${s.name} (${s.kind}): move it into ctx.memory (src/app-memory.ts)`);
    expect(unexplained).toEqual([]);
  });

  it("the allow-list names nothing that is gone", () => {
    const present = new Set(found().map((s) => `${s.file}:${s.name}`));
    expect([...ALLOWED.keys()].filter((k) => !present.has(k))).toEqual([]);
  });

  it("the Finch provider listing is per app (src/finch/providers.ts keeps it in ctx.memory)", () => {
    const text = readFileSync(join(ROOT, "src/finch/providers.ts"), "utf8");
    expect(moduleStateOf("src/finch/providers.ts", text)).toEqual([]);
  });

  describe("the check has teeth", () => {
    it.each([
      ["let cache: Map<string, number> | undefined;\n", "cache", "let"],
      ["export let count = 0;\n", "count", "let"],
      ["const listings = new Map<string, { at: number }>();\n", "listings", "empty container"],
      ["const seen = new WeakMap<object, string>();\n", "seen", "empty container"],
      ["const queue: string[] = [];\n", "queue", "empty container"],
      ["const held = new Set() as Set<string>;\n", "held", "empty container"],
    ])("flags %s", (text, name, kind) => {
      expect(moduleStateOf("src/x.ts", text)).toEqual([{ file: "src/x.ts", name, line: 1, kind }]);
    });

    it("passes constants, lookup tables and state inside functions", () => {
      const text = [
        'const CODES = new Set(["a", "b"]);',
        "const byId = new Map(ZONES.map((z) => [z.id, z]));",
        'const SLOT = memorySlot("x", () => new Map<string, number>());',
        "function f() {\n  let n = 0;\n  const m = new Map();\n  return [n, m];\n}",
      ].join("\n");
      expect(moduleStateOf("src/x.ts", text)).toEqual([]);
    });
  });
});
