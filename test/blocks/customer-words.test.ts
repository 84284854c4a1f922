/**
 * Every text a customer reads in their channel — the call note, the day-before reminder, the nudge, the
 * checklist and the verification report — names time zones as people say them and uses real plurals:
 * no IANA zone name ("America/Chicago") and no "step(s)" anywhere, in several states and zones. And it
 * speaks plainly: no raw Finch or Slack code (`error_permissions`, `credential`, a product id such as
 * `payment`, `not_in_channel`), no "read-only" jargon, no "PEO", and the HR admin is "you", not "your HR admin".
 */
import { describe, expect, it } from "vitest";
import { buildCallChangeMessage, callChangeNote } from "../../src/blocks/call-change.ts";
import { buildChecklistMessage } from "../../src/blocks/checklist.ts";
import { buildConnectLinkMessage, buildVerificationMessage } from "../../src/blocks/finch.ts";
import { buildNudgeMessage } from "../../src/blocks/nudge.ts";
import { buildCallReminderMessage } from "../../src/blocks/reminder.ts";
import { getTemplate, loadTemplates } from "../../src/checklist/template-registry.ts";
import { setupStepsOf, type VerificationOutcome } from "../../src/finch/report.ts";
import { callPrepFor } from "../../src/reminders/call-prep.ts";

const ZONES = ["America/Chicago", "America/Los_Angeles", "Europe/Berlin", "Asia/Kathmandu", "UTC"];
const CALL = new Date("2026-12-08T21:00:00Z");
const SUMMER_CALL = new Date("2026-07-08T21:00:00Z");
const RAW_STATUS: Record<VerificationOutcome, string> = {
  verified: "connected",
  missing: "error_permissions",
  syncing: "processing",
  retry: "connected",
  reauth: "reauth",
  setup_required: "error_no_account_setup",
  error: "error_no_account_setup",
};
const IANA_NAMES = Intl.supportedValuesOf("timeZone").filter((z) => z.includes("/"));
const IANA_SHAPE =
  /\b(?:Africa|America|Antarctica|Asia|Atlantic|Australia|Europe|Indian|Pacific|Etc|US)\/[A-Za-z_]+/;

/** Every human-readable string in a message: `text`, and every block's texts (JSON-escaped is fine here). */
function customerTexts(message: { text?: string; blocks?: unknown[] } | string): string[] {
  if (typeof message === "string") return [message];
  return [message.text ?? "", JSON.stringify(message.blocks ?? [])];
}

/** The words people read in a Block Kit value: every `text` (and `fallback`), Slack tokens and emoji removed. */
function readableTexts(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(readableTexts);
  if (!value || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([key, v]) =>
    (key === "text" || key === "fallback") && typeof v === "string" ? [v] : readableTexts(v),
  );
}

function words(text: string): string {
  return (
    text
      // `<!date^…^{format}|fallback>` and `<url|label>`: people read the fallback or label only.
      .replace(/<[^<>|]*\|([^<>]*)>/g, "$1")
      .replace(/<[^<>]*>/g, "")
      .replace(/:[a-z0-9_+-]+:/g, "")
  );
}

/** Finch product ids and Slack/Finch status codes: a customer never reads these. */
const RAW_CODES: Array<[string, RegExp]> = [
  ["a snake_case code (error_permissions, pay_statement, not_in_channel …)", /\b[a-z][a-z0-9]*_[a-z0-9_]+\b/],
  ["Finch's auth method", /\bcredential\b/i],
  [
    "a Finch product id",
    /(?:\bfor|products?):\s*(?:company|directory|individual|employment|payment|pay_statement|benefits)\b|`(?:company|directory|individual|employment|payment|benefits)`/i,
  ],
  ["Finch's raw message", /missing permissions for:/i],
  ["read-only jargon", /read-only/i],
  ["PEO jargon", /\bPEO\b/],
  ["'your HR admin' in the customer's own channel", /your HR admin/i],
];

function expectNoRawCodes(what: string, message: { text?: string; blocks?: unknown[] }): void {
  for (const text of [message.text ?? "", ...readableTexts(message.blocks ?? [])].map(words)) {
    for (const [name, pattern] of RAW_CODES) {
      const found = pattern.exec(text);
      if (found) expect.fail(`${what} shows ${name}: "${found[0]}" in "${text.slice(0, 200)}"`);
    }
  }
}

function expectPlainWords(what: string, texts: string[]): void {
  for (const text of texts) {
    // Slack date tokens carry a format and a fallback: both are read by people, both are checked.
    expect(text, what).not.toMatch(IANA_SHAPE);
    for (const zone of IANA_NAMES) if (text.includes(zone)) expect.fail(`${what} names the zone ${zone}`);
    // "Company Code(s)" is the label of ADP's own form field, quoted as the customer sees it on that page.
    const ours = text.replaceAll("Company Code(s)", "");
    expect(ours, `${what}: "(s)" is not a plural`).not.toMatch(/\w\(s\)/);
  }
}

describe("customer-facing texts name zones as people say them, with real plurals", () => {
  for (const timeZone of ZONES) {
    for (const callAt of [CALL, SUMMER_CALL]) {
      it(`call note, reminder and nudge in ${timeZone} (${callAt.toISOString().slice(0, 7)})`, () => {
        const facts = {
          companyName: "Acme",
          callAt,
          timeZone,
          previousCallAt: new Date(callAt.getTime() - 86_400_000),
          previousTimeZone: "America/New_York",
          reminderAt: null,
          now: new Date("2026-06-01T00:00:00Z"),
        };
        expectPlainWords("call note", customerTexts(callChangeNote(facts)));
        expectPlainWords(
          "call note message",
          customerTexts(buildCallChangeMessage({ ...facts, calendarUrl: "https://calendar.example/x" })),
        );
        for (const [allDone, verified, customer] of [
          [false, false, ["One step"]],
          [false, true, ["One step", "Another step"]],
          [true, true, []],
        ] as const) {
          const reminder = buildCallReminderMessage({
            reminderId: "r",
            onboardingId: "o",
            companyName: "Acme",
            providerName: "Justworks",
            callAt,
            timeZone,
            openByOwner: { customer: [...customer], fleet: [] },
            allStepsDone: allDone,
            connectionVerified: verified,
            connectUrl: "https://fleet.example/connect",
            hrAdminUserIds: ["U0HR"],
            ownerUserId: "U0REP",
            haveReady: callPrepFor(
              getTemplate("justworks"),
              {
                companyName: "Acme",
                integrationUserName: "Fleet Integration",
                integrationUserEmail: "i@fleet.example",
              },
              "i@fleet.example",
            ),
            calendarUrl: "https://calendar.example/x",
          });
          expectPlainWords(`reminder (${customer.length} open)`, customerTexts(reminder));
          expectNoRawCodes(`reminder (${customer.length} open)`, reminder);
        }
        const box = (label: string, n: number) => ({
          key: `k${n}`,
          label,
          kind: "permission" as const,
          stepNumber: n,
          stepTitle: `Step ${n}`,
          owner: "customer" as const,
          verifiedBy: n === 1 ? ("finch" as const) : ("person" as const),
        });
        for (const steps of [[box("One", 1)], [box("One", 1), box("Two", 2)]]) {
          const nudge = buildNudgeMessage({
            reminderId: "r",
            onboardingId: "o",
            companyName: "Acme",
            date: "2026-12-01",
            timeZone,
            callAt,
            hrAdminUserIds: ["U0HR"],
            openItems: steps,
          });
          expectPlainWords(`nudge (${steps.length})`, customerTexts(nudge));
        }
      });
    }
  }

  it("the checklist and the Finch messages of every provider", () => {
    const templates = loadTemplates();
    const outcomes: VerificationOutcome[] = [
      "verified",
      "missing",
      "syncing",
      "retry",
      "reauth",
      "setup_required",
      "error",
    ];
    for (const template of templates) {
      const checklist = buildChecklistMessage({
        template,
        companyName: "Acme",
        integrationUserName: "Fleet Integration",
        integrationUserEmail: "fleet+acme@fleet.io",
        state: new Map(),
        renderNonce: "n",
        onboardingId: "8e1c2a4e-0000-4000-8000-000000000001",
        callAt: CALL,
        connectUrl: "https://fleet.example/connect",
      });
      expectPlainWords(`${template.id} checklist`, customerTexts(checklist));
      expectNoRawCodes(`${template.id} checklist`, checklist);
      for (const outcome of outcomes) {
        const message = buildVerificationMessage({
          onboardingId: "o",
          companyName: "Acme",
          providerName: template.displayName,
          outcome,
          // Finch's own words, as it sends them: status codes, its auth method and a product id.
          connection: {
            status: RAW_STATUS[outcome],
            providerId: template.id,
            entities: [{ name: "Acme", status: RAW_STATUS[outcome] }],
            message: "The connected account is missing permissions for: payment",
            methods: [{ type: "credential", status: RAW_STATUS[outcome], message: "error_permissions" }],
          },
          permissions: template.steps
            .flatMap((s) => s.permissions)
            .map((p) => ({ ...p, result: outcome === "missing" ? "missing" : "granted" })),
          setupSteps: setupStepsOf(template),
          checkedAt: CALL,
        } as never);
        expectPlainWords(`${template.id} report (${outcome})`, customerTexts(message));
        expectNoRawCodes(`${template.id} report (${outcome})`, message);
      }
    }
    expectPlainWords(
      "connect link",
      customerTexts(
        buildConnectLinkMessage({
          onboardingId: "o",
          companyName: "Acme",
          providerName: "Justworks",
          connectUrl: "https://fleet.example/connect",
        } as never),
      ),
    );
  });
});
