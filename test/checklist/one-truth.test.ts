/**
 * One truth about "done": the checklist header, the verification report, the day-before reminder, the App
 * Home, the rep's alerts and the rep's morning digest of one Justworks onboarding, rendered in four states,
 * agree on what is open and name it with who acts. An item is done when Finch proved it or a person confirmed it (and who is shown).
 */
import { describe, expect, it } from "vitest";
import { callRiskAlertText, stallAlertText } from "../../src/blocks/alerts.ts";
import { buildChecklistMessage } from "../../src/blocks/checklist.ts";
import { buildVerificationMessage, verificationSummaryText } from "../../src/blocks/finch.ts";
import { flagTexts, waitingText } from "../../src/blocks/home-waiting.ts";
import { problemClearedText, sameResultText } from "../../src/blocks/recheck.ts";
import { buildCallReminderMessage } from "../../src/blocks/reminder.ts";
import { buildRepDigestMessage } from "../../src/blocks/rep-digest.ts";
import { checklistItems } from "../../src/checklist/items.ts";
import { type ChecklistProgress, computeProgress, type ItemState } from "../../src/checklist/progress.ts";
import { getTemplate } from "../../src/checklist/template-registry.ts";
import { judgeRow } from "../../src/cockpit/home-rows.ts";
import type { PermissionOutcome, VerificationOutcome } from "../../src/finch/report.ts";
import { setupStepsOf, type VerificationReport } from "../../src/finch/report.ts";

const template = getTemplate("justworks");
const items = checklistItems(template);
const NOW = new Date("2026-12-07T15:00:00Z");
const CALL = new Date("2026-12-08T15:00:00Z");
const JANE = "U0JANE";
const esc = (s: string) => s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");

/** Every item done the way it really gets done: Finch proves what it checks, Jane ticks the rest. */
function stateWithout(open: readonly string[]): Map<string, ItemState> {
  return new Map(
    items
      .filter((i) => !open.includes(i.key))
      .map((i): [string, ItemState] => [
        i.key,
        i.verifiedBy === "finch"
          ? { done: true, source: "finch" }
          : { done: true, source: "slack", byUserId: JANE },
      ]),
  );
}

interface Scenario {
  name: string;
  state: Map<string, ItemState>;
  outcome: VerificationOutcome | null;
  missing: readonly string[];
}

const SCENARIOS: Scenario[] = [
  { name: "nothing done", state: new Map(), outcome: null, missing: [] },
  {
    name: "connected, one Finch-proved permission missing",
    state: stateWithout(["payments-view"]),
    outcome: "missing",
    missing: ["payments-view"],
  },
  {
    name: "verified, one person-confirmed box open",
    state: stateWithout(["benefits-manage"]),
    outcome: "verified",
    missing: [],
  },
  { name: "all done", state: stateWithout([]), outcome: "verified", missing: [] },
];

function report(s: Scenario, progress: ChecklistProgress): VerificationReport | null {
  if (!s.outcome) return null;
  const permissions = template.steps.flatMap((step) =>
    step.permissions.map(
      (p): PermissionOutcome => ({
        key: p.key,
        label: p.label,
        group: p.group,
        fix: p.fix,
        where: p.where,
        check: p.check,
        result: p.check === "none" ? "unverifiable" : s.missing.includes(p.key) ? "missing" : "granted",
      }),
    ),
  );
  return {
    onboardingId: "o-1",
    companyName: "Globex",
    providerName: "Justworks",
    outcome: s.outcome,
    connection: {
      status: s.outcome === "missing" ? "error_permissions" : "connected",
      providerId: "justworks",
      entities: [{ name: "Globex", status: "connected" }],
      message: s.outcome === "missing" ? "The connected account is missing permissions for: payment" : null,
      methods: [
        {
          type: "credential",
          status: s.outcome === "missing" ? "error_permissions" : "connected",
          message: null,
        },
      ],
    },
    permissions,
    setupSteps: setupStepsOf(template),
    checkedAt: NOW,
    checklist: { open: progress.openItems, done: progress.doneItems },
  };
}

/** What each surface says about this onboarding. */
function surfaces(s: Scenario) {
  const progress = computeProgress(template, s.state);
  const verified = s.outcome === "verified";
  const checklist = buildChecklistMessage({
    template,
    companyName: "Globex",
    integrationUserName: "Fleet Integration",
    integrationUserEmail: "integrations+globex@fleet.example",
    state: s.state,
    renderNonce: "n1",
    onboardingId: "8e1c2a4e-0000-4000-8000-000000000001",
    callAt: CALL,
    connectUrl: "https://fleet.example/connect/x",
  });
  const header = JSON.stringify(checklist.blocks.find((b) => b.block_id === "progress:n1"));
  const r = report(s, progress);
  const reminder = buildCallReminderMessage({
    reminderId: "r-1",
    onboardingId: "o-1",
    companyName: "Globex",
    providerName: "Justworks",
    callAt: CALL,
    timeZone: "America/New_York",
    openByOwner: progress.openByOwner,
    openItems: progress.openItems,
    allStepsDone: progress.allDone,
    connectionVerified: verified,
    connectUrl: verified ? null : "https://fleet.example/connect/x",
    hrAdminUserIds: [JANE],
    ownerUserId: "U0REP",
    haveReady: [{ label: "Justworks username", detail: "the integration user's" }],
    calendarUrl: "https://calendar.example/x",
    now: NOW,
  });
  const judged = judgeRow({
    now: NOW,
    callAt: CALL,
    createdAt: new Date(NOW.getTime() - 3 * 86_400_000),
    lastActivityAt: progress.itemsDone > 0 ? NOW : null,
    progress,
    connection: verified ? "verified" : s.outcome ? "connected" : "none",
    missingPermissions: s.missing.length,
    missingKeys: s.missing,
    hrInChannel: [JANE],
    hrNotJoined: [],
    ownerUserId: "U0REP",
    stallAfterDays: 2,
  });
  const subject = { id: "o-1", companyName: "Globex", timeZone: "America/New_York", channelId: "C1" };
  const digest = buildRepDigestMessage({
    reminderId: "r-2",
    userId: "U0REP",
    date: "2026-12-08",
    calls: [
      {
        onboardingId: "o-1",
        companyName: "Globex",
        channelId: "C1",
        callAt: CALL,
        timeZone: "America/New_York",
        stepsDone: progress.stepsDone,
        stepsTotal: progress.stepsTotal,
        openItems: progress.openItems,
        connectionStatus: s.outcome ? (s.outcome === "missing" ? "error_permissions" : "connected") : null,
        connectionVerified: verified,
        invitesAccepted: 1,
        invitesTotal: 1,
      },
    ],
  });
  return {
    progress,
    header,
    report: r ? JSON.stringify(buildVerificationMessage(r).blocks) : null,
    reminder: JSON.stringify(reminder.blocks),
    home: [waitingText({ ...judged, providerName: "Justworks" }), ...flagTexts(judged)].join("\n"),
    riskAlert: callRiskAlertText(subject, CALL, progress),
    stallAlert: stallAlertText(subject, NOW, progress),
    digest: JSON.stringify(digest.blocks),
  };
}

describe("every surface reads the checklist's one state and names what is open", () => {
  it("nothing done: all surfaces name the first box and that the customer acts", () => {
    const s = surfaces(SCENARIOS[0] as Scenario);
    const first = s.progress.openItems[0];
    expect(first?.stepNumber).toBe(1);
    // A whole step is named by its title (what people do), a permission by its label.
    const name = `*${esc(first?.kind === "step" ? first.stepTitle : (first?.label ?? ""))}*`;
    for (const [what, text] of Object.entries({
      header: s.header,
      reminder: s.reminder,
      home: s.home,
      riskAlert: s.riskAlert,
      stallAlert: s.stallAlert,
      digest: s.digest,
    })) {
      expect(text, what).toContain(name);
      expect(text, what).toContain("in step 1");
    }
    expect(s.header).toContain(
      `${s.progress.openItems.filter((i) => i.owner === "customer").length} things left for you`,
    );
    expect(s.riskAlert).toContain("left for the customer");
    expect(s.digest).toContain(
      `${s.progress.openItems.filter((i) => i.owner === "customer").length} things left for the customer: ${name}`,
    );
  });

  it("connected with one Finch-proved permission missing: everyone names View payments in step 3", () => {
    const s = surfaces(SCENARIOS[1] as Scenario);
    expect(s.progress.openItems.filter((i) => i.owner === "customer").map((i) => i.key)).toEqual([
      "payments-view",
    ]);
    const named = "*View payments* in step 3";
    expect(s.header).toContain(`One thing left for you: ${named} (Fleet checks it through Finch)`);
    expect(s.reminder).toContain(`One thing left for you: ${named}`);
    expect(s.riskAlert).toContain(`One thing left for the customer: ${named}`);
    expect(s.stallAlert).toContain(named);
    expect(s.digest).toContain(`:red_circle: One thing left for the customer: ${named}`);
    expect(s.home).toContain("switch on *View payments* in step 3");
    // The report: where to switch it on, from the place alone; no raw codes; who confirmed the rest.
    expect(s.report).toContain(
      "*View payments* — *missing*. Turn it on in Justworks: _Company &gt; Permissions &gt; Payments_",
    );
    expect(s.report).toContain(`Manage company benefits — confirmed by <@${JANE}>`);
    expect(s.report).toContain("*Connection:* connected, with permissions missing");
    for (const raw of ["error_permissions", "credential", "for: payment", "read-only"])
      expect(s.report).not.toContain(raw);
  });

  it("verified with one person-confirmed box open: no 'thank you', everyone names Manage company benefits", () => {
    const s = surfaces(SCENARIOS[2] as Scenario);
    const tick = "tick *Manage company benefits* in step 3";
    expect(s.report).toContain(`Justworks is connected and verified.* One thing left for you: ${tick}.`);
    expect(s.report).not.toContain("thank you");
    expect(s.report).toContain(
      ":raised_hand: Manage company benefits — Finch can't see this one: tick it in step 3",
    );
    expect(s.report).toContain(`View company benefits — confirmed by <@${JANE}>`);
    expect(s.header).toContain(`One thing left for you: ${tick}.`);
    expect(s.reminder).toContain(`One thing left for you: ${tick}.`);
    expect(s.reminder).toContain("already connected and verified");
    expect(s.reminder).not.toContain("Justworks username");
    expect(s.home).toContain(`Waiting on <@${JANE}> — ${tick}`);
    // Amber, not a red alarm, over a box only the customer can confirm.
    expect(s.home).not.toContain(":rotating_light:");
    expect(s.riskAlert).toMatch(/^:warning: /);
    // A re-check with the same result, the rep's "cleared" note and summary say the same, not "nothing to do".
    const r = report(SCENARIOS[2] as Scenario, s.progress) as VerificationReport;
    expect(sameResultText(r)).toContain(`connected and verified. One thing left for you: ${tick}`);
    expect(sameResultText(r)).not.toContain("nothing to do");
    expect(problemClearedText(r, "missing", "C1")).toContain(`One thing left for the customer: ${tick}`);
    expect(verificationSummaryText(r, "C1")).toContain(`One thing left for the customer: ${tick}`);
    expect(s.riskAlert).toContain(`One thing left for the customer: ${tick}.`);
    // The digest: amber, the box named, not "every step done" nor a red step count.
    expect(s.digest).toContain(`:large_orange_circle: One thing left for the customer: ${tick}.`);
    expect(s.digest).not.toContain("Ready");
  });

  it("all done: no surface says anything is open", () => {
    const s = surfaces(SCENARIOS[3] as Scenario);
    expect(s.progress.openItems).toEqual([]);
    expect(s.progress.doneItems.filter((d) => d.by === "person").every((d) => d.byUserId === JANE)).toBe(
      true,
    );
    expect(s.header).toContain("All done");
    expect(s.report).toContain("thank you");
    expect(s.reminder).toContain("All set");
    expect(s.home).toContain("Nothing waiting");
    expect(s.digest).toContain("Ready: every step done, Finch verified");
    for (const text of [s.header, s.report, s.reminder, s.home, s.digest])
      expect(text).not.toMatch(/left for (you|the customer)/);
  });

  it("the report counts the boxes a person ticked as confirmed", () => {
    const s = SCENARIOS[2] as Scenario;
    const progress = computeProgress(template, s.state);
    const r = report(s, progress) as VerificationReport;
    const message = buildVerificationMessage(r);
    const personBoxes = r.permissions.filter((p) => p.check === "none").length;
    expect(message.metadata.event_payload.confirmed).toBe(personBoxes - 1);
    expect(message.text).toContain(
      `(${r.permissions.filter((p) => p.result === "granted").length} checked through Finch, ${personBoxes - 1} confirmed by you)`,
    );
  });
});
