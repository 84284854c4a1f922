/**
 * The App Home answers "who is stuck, and why": each onboarding says what it waits on and who acts, flags
 * carry their reason, the list is ordered by risk then call proximity, and nothing done + no activity is
 * flagged too.
 */
import { describe, expect, it } from "vitest";
import { buildHomeView } from "../../src/blocks/home.ts";
import { findBlockKitViolations } from "../../src/blocks/limits.ts";
import { checklistItems } from "../../src/checklist/items.ts";
import { computeProgress, type ItemState } from "../../src/checklist/progress.ts";
import { getTemplate } from "../../src/checklist/template-registry.ts";
import type { HomeRow } from "../../src/cockpit/home-data.ts";
import { compareRows, judgeRow, type RowFacts } from "../../src/cockpit/home-rows.ts";

const template = getTemplate("justworks");
const NOW = new Date("2030-03-10T12:00:00Z");
const DAY = 86_400_000;
const keys = checklistItems(template).map((i) => i.key);
const progressWith = (done: string[]) =>
  computeProgress(
    template,
    new Map<string, ItemState>(done.map((k) => [k, { done: true, source: "slack" }])),
  );

function facts(over: Partial<RowFacts> = {}): RowFacts {
  return {
    now: NOW,
    callAt: null,
    createdAt: new Date(NOW.getTime() - 2 * DAY),
    lastActivityAt: null,
    progress: progressWith([]),
    connection: "none",
    missingPermissions: 0,
    hrInChannel: ["U0JANE"],
    hrNotJoined: [],
    ownerUserId: "U0REP",
    stallAfterDays: 5,
    ...over,
  };
}

function row(name: string, f: RowFacts): HomeRow {
  const j = judgeRow(f);
  return {
    id: `00000000-0000-4000-8000-00000000000${name.length % 10}`,
    company: name,
    channelId: "C1",
    ownerUserId: f.ownerUserId,
    callAt: f.callAt,
    timeZone: "America/Chicago",
    stepsDone: f.progress.stepsDone,
    stepsTotal: f.progress.stepsTotal,
    customerStepsOpen: f.progress.openByOwner.customer.length,
    connection: f.connection,
    missingPermissions: f.missingPermissions,
    invites: { sent: 0, accepted: 1, failed: 0, declined: 0, left: 0 },
    lastActivityAt: f.lastActivityAt,
    stalled: false,
    atRiskTomorrow: false,
    createdAt: f.createdAt,
    ...j,
  };
}

const homeText = (rows: HomeRow[]) =>
  JSON.stringify(
    buildHomeView({ rows, page: 0, pageSize: 10, total: rows.length, scope: "mine" }, { teamId: "T1" })
      .blocks,
  );

describe("the Home says who is stuck, and why", () => {
  it("nothing done and no activity for 2 days: waiting on @Jane — step 1, flagged not started", () => {
    const text = homeText([row("Acme", facts())]);
    // The open box itself, by name, with how it gets done (ticked, or checked through Finch).
    const first = checklistItems(template)[0];
    const title = template.steps[0]?.title;
    const action =
      first?.verifiedBy === "person"
        ? `*${title}* in step 1 — tick it when done`
        : `*${title}* in step 1 (Fleet checks it through Finch)`;
    expect(text).toContain(`Waiting on <@U0JANE> — ${action}, no activity for 2 days`);
    expect(text).toContain("*not started* — nothing done and no activity for 2 days");
  });

  it("an HR admin who has not joined: waiting on their email to accept the invitation", () => {
    const text = homeText([row("Acme", facts({ hrInChannel: [], hrNotJoined: ["jane@acme.example"] }))]);
    expect(text).toContain("Waiting on jane@acme.example to accept the Slack Connect invitation");
  });

  it("a Fleet step open: waiting on the rep; all done and verified: nothing waiting", () => {
    const customerKeys = checklistItems(template)
      .filter((i) => template.steps.find((s) => s.key === i.stepKey)?.owner === "customer")
      .map((i) => i.key);
    const fleetOpen = facts({ progress: progressWith(customerKeys), lastActivityAt: NOW });
    const text = homeText([row("Acme", fleetOpen)]);
    expect(text).toMatch(/Waiting on <@U0REP> \(Fleet\) — (tick )?\*[^*]+\* in step \d+/);
    const done = homeText([
      row("Acme", facts({ progress: progressWith(keys), connection: "verified", lastActivityAt: NOW })),
    ]);
    expect(done).toContain("Nothing waiting — ready for the call");
  });

  it("flags carry their reason: call at risk, missing permissions, stalled", () => {
    const risky = facts({ callAt: new Date(NOW.getTime() + 20 * 3_600_000), lastActivityAt: NOW });
    const customerBoxes = checklistItems(template).filter((i) => i.owner === "customer");
    expect(homeText([row("Acme", risky)])).toContain(
      `at risk for the call* — call in 20 hours, ${customerBoxes.length} boxes open for the customer, Finch not verified`,
    );
    // Counted in boxes, not steps: one step of several boxes left open is that many boxes.
    const step = template.steps.find(
      (s) => s.owner === "customer" && customerBoxes.filter((i) => i.stepKey === s.key).length > 1,
    );
    const stepBoxes = customerBoxes.filter((i) => i.stepKey === step?.key).map((i) => i.key);
    expect(stepBoxes.length).toBeGreaterThan(1);
    const oneStepLeft = facts({
      callAt: new Date(NOW.getTime() + 20 * 3_600_000),
      lastActivityAt: NOW,
      progress: progressWith(keys.filter((k) => !stepBoxes.includes(k))),
    });
    expect(homeText([row("Acme", oneStepLeft)])).toContain(
      `call in 20 hours, ${stepBoxes.length} boxes open for the customer`,
    );
    const missing = facts({ connection: "connected", missingPermissions: 2, lastActivityAt: NOW });
    const text = homeText([row("Acme", missing)]);
    expect(text).toContain("*permissions missing* — Finch cannot read 2 permissions");
    expect(text).toContain("Waiting on <@U0JANE> — switch on the missing permissions");
    const stalled = facts({
      progress: progressWith([keys[0] ?? ""]),
      lastActivityAt: new Date(NOW.getTime() - 6 * DAY),
    });
    expect(homeText([row("Acme", stalled)])).toContain("*stalled* — no customer activity for 6 days");
    expect(text).not.toMatch(/\w\(s\)/);
  });

  it("orders by risk, then by how soon the call is", () => {
    const soonFine = row(
      "Soon fine",
      facts({ callAt: new Date(NOW.getTime() + 3 * DAY), lastActivityAt: NOW }),
    );
    const atRisk = row(
      "At risk",
      facts({ callAt: new Date(NOW.getTime() + 10 * 3_600_000), lastActivityAt: NOW }),
    );
    const broken = row(
      "Broken",
      facts({ connection: "broken", lastActivityAt: NOW, callAt: new Date(NOW.getTime() + 9 * DAY) }),
    );
    const idle = row("Idle", facts());
    const later = row(
      "Later fine",
      facts({ callAt: new Date(NOW.getTime() + 5 * DAY), lastActivityAt: NOW }),
    );
    const sorted = [later, idle, soonFine, broken, atRisk].sort(compareRows).map((r) => r.company);
    expect(sorted).toEqual(["At risk", "Broken", "Idle", "Soon fine", "Later fine"]);
    const view = buildHomeView(
      { rows: [atRisk, broken, idle, soonFine, later], page: 0, pageSize: 10, total: 5, scope: "mine" },
      { teamId: "T1" },
    );
    expect(findBlockKitViolations(view.blocks as never, { maxBlocks: 100 })).toEqual([]);
  });
});
