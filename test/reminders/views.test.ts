import type { AnyBlock, KnownBlock } from "@slack/types";
import { describe, expect, it } from "vitest";
import { computeProgress } from "../../src/checklist/progress.ts";
import { ProviderCatalogue } from "../../src/checklist/provider-catalogue.ts";
import { getTemplate } from "../../src/checklist/template-registry.ts";
import { callPrepFor } from "../../src/reminders/call-prep.ts";

const FLEET_EMAIL = "integrations+{slug}@fleet.example";
const VALUES = {
  companyName: "Acme",
  integrationUserName: "Fleet Integration",
  integrationUserEmail: "integrations+acme@fleet.example",
};

import { buildCallChangeMessage, callChangeNote, callChangeReply } from "../../src/blocks/call-change.ts";
import { findBlockKitViolations } from "../../src/blocks/limits.ts";
import { buildNudgeMessage } from "../../src/blocks/nudge.ts";
import { buildCallReminderMessage, type CallReminderInput } from "../../src/blocks/reminder.ts";
import { buildRepDigestMessage, MAX_DIGEST_CALLS } from "../../src/blocks/rep-digest.ts";
import {
  buildRescheduleModal,
  RescheduleField,
  readRescheduleModal,
} from "../../src/blocks/reschedule-modal.ts";
import type { DigestCall } from "../../src/reminders/facts.ts";
import { ActionId, CallbackId, MetadataEventType } from "../../src/slack-gateway/ids.ts";

const CALL = new Date("2026-12-03T13:30:00Z");
const LONG = Array.from("Société Générale & Fils <Zürich> 🚀👩‍💻 ".repeat(12)).slice(0, 200).join("");
const json = (v: unknown) => JSON.stringify(v);
const violations = (blocks: KnownBlock[], maxBlocks = 50) =>
  findBlockKitViolations(blocks as AnyBlock[], { maxBlocks });

function reminderInput(overrides: Partial<CallReminderInput> = {}): CallReminderInput {
  return {
    reminderId: "r-1",
    onboardingId: "o-1",
    companyName: "Acme",
    providerName: "Justworks",
    callAt: CALL,
    timeZone: "Europe/Berlin",
    openByOwner: {
      customer: ["Add Fleet's integration user", "Note the login details for the call"],
      fleet: ["Complete the connection"],
    },
    allStepsDone: false,
    connectionVerified: false,
    connectUrl: "https://fleet.example/connect/abc",
    hrAdminUserIds: ["U0HR", "not-a-user", "U0HR"],
    ownerUserId: "U0REP",
    haveReady: callPrepFor(getTemplate("justworks"), VALUES, FLEET_EMAIL),
    calendarUrl: "https://calendar.google.com/calendar/render?action=TEMPLATE&text=Acme",
    ...overrides,
  };
}

describe("day-before reminder", () => {
  it("says today/tomorrow by the call zone's calendar day, not UTC's, across a DST change too", () => {
    const when = (now: string, callAt = CALL, timeZone = "Europe/Berlin") =>
      json(buildCallReminderMessage(reminderInput({ now: new Date(now), callAt, timeZone })).blocks);
    // 23:30 UTC on Dec 1 is already Dec 2 in Berlin: the Dec 3 call is tomorrow there.
    expect(when("2026-12-01T23:30:00Z")).toContain("call is tomorrow, Thursday");
    expect(when("2026-12-02T23:30:00Z")).toContain("call is today, Thursday");
    // Two days ahead: no word.
    expect(when("2026-12-01T12:00:00Z")).toContain("call is Thursday");
    // New York springs forward on Sunday March 8, 2026: Monday's call is tomorrow on Sunday evening.
    const monday = new Date("2026-03-09T14:00:00Z");
    expect(when("2026-03-09T03:30:00Z", monday, "America/New_York")).toContain("call is tomorrow, Monday");
    expect(when("2026-03-09T04:30:00Z", monday, "America/New_York")).toContain("call is today, Monday");
  });

  it("says when, what is open by owner, what to have ready, and links Finch Connect", () => {
    const m = buildCallReminderMessage(reminderInput());
    expect(m.metadata).toEqual({
      event_type: MetadataEventType.reminder,
      event_payload: {
        kind: "day_before",
        reminder_id: "r-1",
        onboarding_id: "o-1",
        call_at: CALL.toISOString(),
      },
    });
    const body = json(m.blocks);
    // The call's own zone as people say it; the reader's own clock marked "your time".
    expect(body).toContain("call is Thursday, December 3, 2026 at 2:30 PM Berlin time (CET) (");
    expect(body).toContain(`<!date^${CALL.getTime() / 1000}^{time} your time|`);
    expect(body).not.toContain("Europe/Berlin");
    // Sent the day before (in the call's zone): the call is "tomorrow"; the same day: "today".
    const dayBefore = json(
      buildCallReminderMessage(reminderInput({ now: new Date("2026-12-02T09:00:00Z") })).blocks,
    );
    expect(dayBefore).toContain("call is tomorrow, Thursday, December 3, 2026 at 2:30 PM Berlin time (CET)");
    const sameDay = json(
      buildCallReminderMessage(reminderInput({ now: new Date("2026-12-03T08:00:00Z") })).blocks,
    );
    expect(sameDay).toContain("call is today, Thursday");
    expect(body).toContain("<@U0HR>");
    expect(body).not.toContain("not-a-user");
    expect(body.match(/<@U0HR>/g)).toHaveLength(1);
    expect(body).toContain("For you:");
    expect(body).not.toContain("HR admin");
    expect(body).toContain("• Add Fleet's integration user");
    expect(body).toContain("For Fleet, on the call");
    // Fleet's mailbox: Fleet holds the integration user's login, so no password or MFA device is asked for.
    for (const item of ["Your Justworks admin login", "integrations+acme@fleet.example", "Company name"]) {
      expect(body).toContain(item);
    }
    for (const item of ["Temporary password", "Justworks username"]) {
      expect(body).not.toContain(item);
    }
    const connect = m.blocks.find((b) => b.block_id === "reminder:connect");
    expect(connect).toMatchObject({
      accessory: {
        type: "button",
        action_id: ActionId.connectLink,
        url: "https://fleet.example/connect/abc",
      },
    });
    expect(body).toContain("<@U0REP> will move it");
    expect(m.text).toContain("3 steps still open");
    expect(violations(m.blocks)).toEqual([]);
  });

  it("drops the Connect link once verified, and praises a customer whose part is done", () => {
    const m = buildCallReminderMessage(
      reminderInput({
        openByOwner: { customer: [], fleet: ["Complete the connection"] },
        connectionVerified: true,
      }),
    );
    const body = json(m.blocks);
    expect(body).toContain("Your steps are all done");
    expect(body).not.toContain("/connect/");
    expect(m.blocks.some((b) => b.block_id === "reminder:connect")).toBe(false);
  });

  it("is a short confirmation when everything is done and verified", () => {
    const m = buildCallReminderMessage(
      reminderInput({
        openByOwner: { customer: [], fleet: [] },
        allStepsDone: true,
        connectionVerified: true,
      }),
    );
    expect(m.blocks.map((b) => b.block_id)).toEqual(["reminder:done", "reminder:footer"]);
    expect(json(m.blocks)).toContain("All set");
    expect(json(m.blocks)).not.toContain("Have these ready");
    expect(m.metadata.event_payload.call_at).toBe(CALL.toISOString());
  });

  it("escapes names and stays within Block Kit limits with long ones", () => {
    const m = buildCallReminderMessage(
      reminderInput({
        companyName: LONG,
        openByOwner: { customer: Array.from({ length: 40 }, (_, i) => `${LONG} ${i}`), fleet: [LONG] },
      }),
    );
    expect(json(m.blocks)).not.toContain("<Zürich>");
    expect(json(m.blocks)).toContain("&lt;Zürich&gt;");
    expect(m.text).not.toContain("<Zürich>");
    expect(violations(m.blocks)).toEqual([]);
  });

  it("carries the Add to Google Calendar link as a URL button, open steps or all done", () => {
    const url = "https://calendar.google.com/calendar/render?action=TEMPLATE&text=Acme%20call";
    const done = { openByOwner: { customer: [], fleet: [] }, allStepsDone: true, connectionVerified: true };
    for (const m of [
      buildCallReminderMessage(reminderInput({ calendarUrl: url })),
      buildCallReminderMessage(reminderInput({ calendarUrl: url, ...done })),
    ]) {
      const buttons = m.blocks.flatMap((b) =>
        b.type === "section" && b.accessory?.type === "button" ? [b.accessory] : [],
      );
      expect(buttons.filter((b) => b.action_id === ActionId.addToCalendar).map((b) => b.url)).toEqual([url]);
      expect(violations(m.blocks)).toEqual([]);
    }
  });

  it("asks the customer for the login, password and MFA device only when their mailbox holds the login", () => {
    const theirs = { ...VALUES, integrationUserEmail: "fleet-it@acme.example" };
    const items = callPrepFor(getTemplate("justworks"), theirs, FLEET_EMAIL);
    expect(items.map((i) => i.label)).toEqual([
      "Integration user's email",
      "Justworks username",
      "Temporary password",
      "MFA device",
      "Company name",
    ]);
    expect(items.map((i) => i.detail).join(" ")).toContain("fleet-it@acme.example");
  });

  it("takes the call-prep list from the provider's template, the generic guide's for a provider without one", () => {
    const generic = callPrepFor(new ProviderCatalogue().template("gusto"), VALUES, FLEET_EMAIL).map(
      (i) => i.label,
    );
    expect(generic.length).toBeGreaterThan(0);
    for (const t of ["bamboo_hr", "trinet", "adp_totalsource"]) {
      expect(callPrepFor(getTemplate(t), VALUES, FLEET_EMAIL)).toEqual(
        getTemplate(t).callPrep.map((i) => ({ label: i.label, detail: expect.any(String) })),
      );
    }
  });
});

function digestCall(i: number, overrides: Partial<DigestCall> = {}): DigestCall {
  return {
    onboardingId: `o-${i}`,
    companyName: `Company ${i}`,
    channelId: `C0CHAN${i}`,
    callAt: new Date(CALL.getTime() + (50 - i) * 60_000),
    timeZone: "America/New_York",
    stepsDone: 2,
    stepsTotal: 6,
    // Justworks with nothing done: every box open.
    openItems: computeProgress(getTemplate("justworks"), new Map()).openItems,
    connectionStatus: null,
    connectionVerified: false,
    invitesAccepted: 1,
    invitesTotal: 2,
    ...overrides,
  };
}

describe("rep digest", () => {
  it("lists tomorrow's calls in time order with readiness and a Reschedule button each", () => {
    const m = buildRepDigestMessage({
      reminderId: "r-9",
      userId: "U0REP",
      date: "2026-12-03",
      calls: [
        digestCall(1),
        digestCall(2, { openItems: [], connectionVerified: true, connectionStatus: "connected" }),
        digestCall(3, { openItems: [], connectionStatus: "pending" }),
      ],
    });
    expect(m.metadata).toEqual({
      event_type: MetadataEventType.repDigest,
      event_payload: { kind: "rep_digest", reminder_id: "r-9", user_id: "U0REP", date: "2026-12-03" },
    });
    const sections = m.blocks.filter((b) => b.type === "section");
    expect(sections.map((s) => json(s).match(/Company \d/)?.[0])).toEqual([
      "Company 3",
      "Company 2",
      "Company 1",
    ]);
    expect(json(sections[0])).toContain("Finch gets connected on the call");
    // Plain words on the line; Finch's own code only as the detail below it.
    expect(json(sections[0])).toContain("Finch: being set up, not verified");
    expect(json(sections[0])).toContain("_Finch's detail: status `pending`_");
    expect(json(sections[1])).toContain("Ready: every step done, Finch verified");
    // Each open box named with who acts, as the checklist and reminder name it (issue 27).
    expect(json(sections[2])).toContain(
      ":red_circle: 17 things left for the customer: *Add Fleet's integration user* in step 1 (Fleet checks it through Finch);",
    );
    expect(json(sections[2])).toContain("; and 13 more.");
    expect(json(sections[2])).toContain("invites accepted 1/2");
    expect(json(sections[2])).toContain("<#C0CHAN1>");
    expect(sections[2]).toMatchObject({ accessory: { action_id: ActionId.reschedule, value: "o-1" } });
    expect(m.text).toContain("3 onboarding calls");
    expect(violations(m.blocks)).toEqual([]);
  });

  it("shows no raw Finch status code outside the detail line, and no (s)", () => {
    for (const [status, words] of [
      ["error_permissions", "connected, with permissions missing"],
      ["reauth", "needs reconnecting"],
      ["error_no_account_setup", "connected, account not set up yet"],
      ["processing", "being set up"],
    ] as const) {
      const m = buildRepDigestMessage({
        reminderId: "r",
        userId: "U0REP",
        date: "2026-12-03",
        calls: [digestCall(1, { connectionStatus: status })],
      });
      const text = (m.blocks.find((b) => b.type === "section") as { text: { text: string } }).text.text;
      const [main, detail] = text.split("\n_Finch's detail:");
      expect(main).toContain(`Finch: ${words}, not verified`);
      expect(main).not.toContain(status);
      expect(detail).toContain(`\`${status}\``);
      expect(m.text).not.toMatch(/\(s\)/);
    }
  });

  it(`shows at most ${MAX_DIGEST_CALLS} calls and says how many more`, () => {
    const calls = Array.from({ length: 60 }, (_, i) => digestCall(i, { companyName: LONG }));
    const m = buildRepDigestMessage({ reminderId: "r", userId: "U0REP", date: "2026-12-03", calls });
    expect(m.blocks.length).toBeLessThanOrEqual(50);
    expect(json(m.blocks.at(-1))).toContain("15 more");
    expect(violations(m.blocks)).toEqual([]);
  });
});

describe("nudge", () => {
  const box = (label: string, stepNumber: number, verifiedBy: "finch" | "person" = "person") => ({
    key: `k:${label}`,
    label,
    kind: "permission" as const,
    stepNumber,
    stepTitle: `The title of step ${stepNumber}`,
    owner: "customer" as const,
    verifiedBy,
  });

  it("mentions the HR admins and names each open box and what to do, not step titles", () => {
    const m = buildNudgeMessage({
      reminderId: "r-2",
      onboardingId: "o-2",
      companyName: "Acme <b>",
      date: "2026-03-05",
      hrAdminUserIds: ["U0HR"],
      openItems: [box("Manage company benefits", 3)],
      callAt: CALL,
      timeZone: "Europe/Berlin",
    });
    expect(m.metadata).toEqual({
      event_type: MetadataEventType.nudge,
      event_payload: { kind: "nudge", reminder_id: "r-2", onboarding_id: "o-2", date: "2026-03-05" },
    });
    const body = json(m.blocks);
    expect(body).toContain("<@U0HR> — a friendly nudge");
    expect(body).toContain("the Acme &lt;b&gt; setup. One thing left for you:");
    expect(body).toContain("• tick *Manage company benefits* in step 3");
    expect(body).not.toContain("The title of step");
    expect(body).toContain(
      "It is needed for our onboarding call Thursday, December 3, 2026 at 2:30 PM Berlin time (CET).",
    );
    expect(violations(m.blocks)).toEqual([]);
    const noCall = buildNudgeMessage({
      ...{ reminderId: "r", onboardingId: "o", companyName: "A", date: "d", timeZone: "UTC" },
      hrAdminUserIds: [],
      openItems: [box("Read employees", 1, "finch"), box("Manage company benefits", 3)],
      callAt: null,
    });
    expect(json(noCall.blocks)).toContain(
      "A friendly nudge from Fleet about the A setup. Two things left for you:",
    );
    expect(json(noCall.blocks)).toContain("• *Read employees* in step 1 (Fleet checks it through Finch)");
    expect(json(noCall.blocks)).not.toContain("<!date");
  });
});

describe("reschedule modal", () => {
  const now = new Date("2026-11-20T12:00:00Z");
  it("pre-fills a future call and the zone, and reads the submission back", () => {
    const view = buildRescheduleModal({
      onboardingId: "o-3",
      companyName: LONG,
      callAt: CALL,
      timeZone: "Europe/Berlin",
      now,
      reminderLocalTime: "10:00",
    });
    expect(view).toMatchObject({
      type: "modal",
      callback_id: CallbackId.rescheduleModal,
      private_metadata: "o-3",
    });
    expect(view.title.text.length).toBeLessThanOrEqual(24);
    expect(json(view.blocks)).toContain(`"initial_date_time":${CALL.getTime() / 1000}`);
    expect(json(view.blocks)).toContain(
      '"initial_option":{"text":{"type":"plain_text","text":"Berlin time (CET)"},"value":"Europe/Berlin"}',
    );
    expect(json(view.blocks)).toContain("reminded at 10:00 Berlin time (CET) on the day before");
    expect(violations(view.blocks as KnownBlock[], 100)).toEqual([]);
    expect(
      readRescheduleModal({
        [RescheduleField.call]: { [RescheduleField.call]: { selected_date_time: 1_800_000_000 } },
        [RescheduleField.timeZone]: { [RescheduleField.timeZone]: { value: " America/Chicago " } },
      }),
    ).toEqual({ callAt: new Date(1_800_000_000_000), timeZone: "America/Chicago" });
    expect(readRescheduleModal({})).toEqual({ callAt: null, timeZone: "" });
  });

  it("does not pre-fill a call in the past and offers to book when there is none", () => {
    const past = buildRescheduleModal({
      onboardingId: "o",
      companyName: "A",
      callAt: new Date("2026-01-01T00:00:00Z"),
      timeZone: "UTC",
      now,
      reminderLocalTime: "10:00",
    });
    expect(json(past.blocks)).not.toContain("initial_date_time");
    const none = buildRescheduleModal({
      onboardingId: "o",
      companyName: "A",
      callAt: null,
      timeZone: "UTC",
      now,
      reminderLocalTime: "10:00",
    });
    expect(none.submit?.text).toBe("Book call");
    expect(json(none.blocks)).toContain("No call booked yet");
  });
});

describe("call change texts", () => {
  const facts = {
    companyName: "Acme",
    callAt: CALL,
    timeZone: "Europe/Berlin",
    previousCallAt: new Date("2026-12-01T13:30:00Z"),
    previousTimeZone: "Europe/Berlin",
    reminderAt: new Date("2026-12-02T09:00:00Z"),
    now: new Date("2026-11-20T12:00:00Z"),
  };
  it("say moved or booked, and when the reminder goes out", () => {
    expect(callChangeNote({ ...facts, byUserId: "U0REP" })).toMatch(
      /moved to .*Berlin time \(CET\).* \(was .*Berlin time \(CET\)\).*<@U0REP>$/,
    );
    expect(callChangeNote({ ...facts, previousCallAt: null })).toContain("Onboarding call booked");
    expect(callChangeReply({ ...facts, changed: true })).toContain(
      "The customer is reminded Wednesday, December 2 at 10:00 AM Berlin time (CET).",
    );
    expect(callChangeReply({ ...facts, changed: true, reminderAt: facts.now })).toContain(
      "goes out within a minute",
    );
    expect(callChangeReply({ ...facts, changed: false })).toContain("already booked");
  });

  it("the channel note carries the note and an Add to Google Calendar button", () => {
    const calendarUrl = "https://calendar.google.com/calendar/render?action=TEMPLATE&ctz=Europe%2FBerlin";
    const m = buildCallChangeMessage({ ...facts, calendarUrl });
    expect(m.text).toBe(callChangeNote(facts));
    expect(json(m.blocks)).toContain("moved to");
    const actions = m.blocks.find((b) => b.type === "actions");
    expect(actions?.type === "actions" ? actions.elements : []).toEqual([
      expect.objectContaining({ type: "button", action_id: ActionId.addToCalendar, url: calendarUrl }),
    ]);
    expect(violations(m.blocks)).toEqual([]);
  });
});
