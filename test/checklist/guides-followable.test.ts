/**
 * Issue #21's done-when: every shipped checklist is rendered and read step by step as the customer reads it. A
 * step may only ask for a value the customer has at that step: what Finch Connect shows (the name or email of
 * Finch's admin user) exists only once Connect is open, so it may not be asked for before the Connect step.
 * Justworks names one integration-user email everywhere: steps, the day-before reminder and its call-prep list.
 */
import type { KnownBlock } from "@slack/types";
import { describe, expect, it } from "vitest";
import { buildChecklistMessage } from "../../src/blocks/checklist.ts";
import { buildCallReminderMessage } from "../../src/blocks/reminder.ts";
import { ProviderCatalogue } from "../../src/checklist/provider-catalogue.ts";
import type { LoginHolder, ProviderTemplate } from "../../src/checklist/template-format.ts";
import { getTemplate, loadTemplates } from "../../src/checklist/template-registry.ts";
import { callPrepFor } from "../../src/reminders/call-prep.ts";

/** Words that point at a value Finch Connect shows (and so is not there before Connect opens). */
const FROM_CONNECT =
  /(shown|provided|found|given|displayed|listed) (in|by) (the )?Finch Connect|Finch Connect (shows|gives|displays)|from Finch Connect|Finch Connect's (name|email|details|username)/i;
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
const FLEET_EMAIL = "integrations+{slug}@fleet.example";

/** Does `line` point at step `from` or a later one ("… in step 2")? */
function laterStepNamed(line: string, from: number): boolean {
  return [...line.matchAll(/\bstep (\d+)/gi)].some((m) => Number(m[1]) >= from);
}

/** The text of each step section, in order, as Slack shows it. */
function renderedSteps(template: ProviderTemplate, email: string, holder: LoginHolder = "fleet"): string[] {
  const message = buildChecklistMessage({
    template,
    loginHolder: holder,
    companyName: "Acme",
    integrationUserName: "Fleet Integration",
    integrationUserEmail: email,
    state: new Map(),
    renderNonce: "n1",
    onboardingId: "8e1c2a4e-0000-4000-8000-000000000001",
    callAt: null,
    connectUrl: "https://fleet.example/connect/x",
  });
  return message.blocks
    .filter((b: KnownBlock) => b.type === "section" && /^s\d+:n1$/.test(b.block_id ?? ""))
    .map((b) => (b.type === "section" ? (b.text?.text ?? "") : ""));
}

const shipped = [...loadTemplates(), new ProviderCatalogue().template("gusto")];

describe("every shipped checklist asks only for what the customer has at that step", () => {
  it.each(shipped.map((t) => [t.id, t] as const))("%s", (_, t) => {
    const connectAt = t.steps.findIndex((s) => s.finchConnect);
    expect(connectAt, "a step holds the Connect button").toBeGreaterThanOrEqual(0);
    for (const holder of ["fleet", "customer"] as const) {
      const steps = renderedSteps(t, "integrations+acme@fleet.example", holder);
      expect(steps).toHaveLength(t.steps.length);
      steps.forEach((text, i) => {
        if (i < connectAt) {
          // Allowed only on a line that sends the reader on to the Connect step (or a later one) for it.
          const early = text
            .split("\n")
            .filter((line) => FROM_CONNECT.test(line))
            .filter((line) => !laterStepNamed(line, connectAt + 1));
          expect(
            early,
            `step ${i + 1} asks for a Finch Connect value before Connect (step ${connectAt + 1})`,
          ).toEqual([]);
        }
        expect(text, `step ${i + 1} leaves a placeholder unfilled`).not.toMatch(/\{[A-Za-z]+\}/);
      });
    }
  });
});

describe("Justworks names one integration-user email everywhere", () => {
  const t = getTemplate("justworks");
  const email = "integrations+globex@fleet.example";

  it.each(["fleet", "customer"] as const)("in its steps (%s holds the login)", (holder) => {
    const address = holder === "fleet" ? email : "it-admin@globex.example";
    const steps = renderedSteps(t, address, holder);
    const found = new Set(steps.join("\n").match(EMAIL));
    expect([...found]).toEqual([address]);
    expect(steps[0]).toContain(`Work Email: \`${address}\``);
    expect(steps[0]).toContain("First Name: `Fleet`");
    expect(steps[0]).toContain("Last Name: `Integration`");
    expect(steps[4]).toContain(address);
    expect(steps[5]).toContain(address);
    expect(steps.join("\n")).not.toMatch(/password[^.]*(post|paste|send)[^.]*here|share the password/i);
  });

  it("says who holds the login and whether to press Connect before the call", () => {
    const fleet = renderedSteps(t, email, "fleet");
    expect(fleet[4]).toMatch(/Fleet sets the\s+integration user's password and holds its MFA device/);
    expect(fleet[5]).toMatch(/Wait for the call/);
    const customer = renderedSteps(t, "it-admin@globex.example", "customer");
    expect(customer[4]).toMatch(/mailbox at your company/);
    expect(customer[5]).toMatch(/press \*Connect Justworks\* now/);
  });

  it.each([
    ["fleet", email],
    ["customer", "it-admin@globex.example"],
  ])("in the day-before reminder and its call-prep list (%s holds the login)", (holder, address) => {
    const haveReady = callPrepFor(
      t,
      { companyName: "Globex", integrationUserName: "Fleet Integration", integrationUserEmail: address },
      FLEET_EMAIL,
    );
    const details = haveReady.map((i) => `${i.label} ${i.detail}`).join("\n");
    expect(details).toContain(address);
    expect(new Set(details.match(EMAIL))).toEqual(new Set([address]));
    expect(details.includes("Temporary password")).toBe(holder === "customer");
    const reminder = buildCallReminderMessage({
      reminderId: "r1",
      onboardingId: "8e1c2a4e-0000-4000-8000-000000000001",
      companyName: "Globex",
      providerName: "Justworks",
      callAt: new Date("2030-01-15T15:00:00Z"),
      timeZone: "America/New_York",
      openByOwner: { customer: [], fleet: ["Complete the connection"] },
      allStepsDone: false,
      connectionVerified: false,
      connectUrl: null,
      hrAdminUserIds: [],
      ownerUserId: "U0REP",
      haveReady,
      calendarUrl: "https://calendar.google.com/calendar/render?action=TEMPLATE",
    });
    const body = JSON.stringify(reminder.blocks);
    expect(new Set(body.match(EMAIL))).toEqual(new Set([address]));
  });
});

describe("the guides follow Finch's current pages", () => {
  it("never asks the customer to choose the provider: Fleet's Connect session opens on it", () => {
    for (const t of shipped) {
      for (const step of t.steps) {
        expect(`${step.title}\n${step.instructions}`, `${t.id} › ${step.key}`).not.toMatch(
          /\bchoose \*?(ADP|Paychex|Paylocity|Paycom|Zenefits|TriNet|Workday|UKG|HiBob|Bob|Eddy|PayFit|Xero|CharlieHR|APS|PrimePay|Whirks|Viewpoint|Advantage|Payroll Network|Insperity|BambooHR|Justworks)/i,
        );
      }
    }
  });

  it("TriNet: API keys from Admin • Manager > Marketplace (Finch's page of February 3, 2026)", () => {
    const t = getTemplate("trinet");
    expect(t.sources[0]).toEqual({
      url: "https://support.tryfinch.com/articles/4974453945-trinet-request-api-keys",
      updated: "2026-02-03",
    });
    const text = [...t.steps.map((s) => s.instructions), ...t.troubleshooting, t.finch.authNote].join("\n");
    expect(text).toContain("*Admin • Manager > Marketplace*");
    expect(text).toContain("*Set up Integration*");
    expect(text).toContain("Marketplace > My Connected Apps");
    expect(text).not.toContain("Integration Center");
  });

  it("Paycom: the Sync & Clone check first, and Security Question/Answer left unchecked (April 2026)", () => {
    const t = getTemplate("paycom");
    expect(t.sources.slice(0, 2)).toEqual([
      {
        url: "https://support.tryfinch.com/articles/9547786356-paycom-add-an-administrator",
        updated: "2026-04-28",
      },
      {
        url: "https://support.tryfinch.com/articles/1019537517-paycom-enabling-sync-and-clone",
        updated: "2026-04-21",
      },
    ]);
    expect(t.steps[0]?.key).toBe("sync-clone");
    expect(t.steps[0]?.instructions).toContain("Sync and Clone Settings");
    const addUser = t.steps.find((s) => s.key === "add-user")!;
    expect(addUser.instructions).toMatch(/Leave \*Security Question\/Answer\* unchecked/);
  });
});
