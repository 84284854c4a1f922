/**
 * Issue #14: every shipped provider guide works end to end. For each template, a customer is onboarded with
 * `provider=<Finch id>` against the Finch stand-in (which lists each provider with its products and auth method),
 * connects through Finch Connect with that auth method, and the checklist's thread ends "verified".
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadTemplates } from "../../src/checklist/template-registry.ts";
import { connect, verifications } from "../finch/helpers.ts";
import { eventually, type Harness, HOME_TEAM, HR, REP, startHarness } from "../helpers/harness.ts";

const templates = loadTemplates();

describe("every shipped provider guide, onboarded and verified", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h?.stop());

  it("ships the providers the issue names (those Finch has a page for) and more", () => {
    const ids = templates.map((t) => t.finch.providerId);
    for (const id of [
      "justworks",
      "bamboo_hr",
      "adp_workforce_now",
      "adp_run",
      "paychex_flex",
      "paylocity",
    ]) {
      expect(ids).toContain(id);
    }
    for (const id of ["trinet", "insperity"]) expect(ids).toContain(id);
    expect(ids.length).toBeGreaterThanOrEqual(20);
  });

  it.each(templates.map((t) => [t.finch.providerId, t] as const))("%s", async (providerId, template) => {
    const company = `Co ${providerId}`;
    const sales = h.slack.addChannel({ name: `sales-${providerId.replace(/_/g, "-")}`, members: [REP.id] });
    const res = await h.driver.command({
      text: `onboard ${company} hr=${HR.email} provider=${providerId}`,
      userId: REP.id,
      teamId: HOME_TEAM.id,
      channelId: sales.id,
    });
    expect(res.status).toBe(200);
    const o = await eventually(
      () =>
        h.db.prisma.onboarding.findFirst({
          where: { customer: { name: company }, checklistTs: { not: null } },
        }),
      15_000,
      `${providerId}'s checklist`,
    );
    expect(o.providerId).toBe(providerId);
    const checklist = h.slack.messages(o.channelId!).find((m) => m.ts === o.checklistTs);
    expect(JSON.stringify(checklist?.blocks)).toContain(`${template.displayName} setup for ${company}`);

    await connect(h, { id: o.id });
    const session = [...h.finch.sessions.values()].find((s) => s.customerId === o.id);
    expect(session?.authMethod).toBe(template.finch.authMethod);
    const onboarded = { id: o.id, company, channelId: o.channelId!, checklistTs: o.checklistTs! };
    const verified = await eventually(
      () => verifications(h, onboarded).find((m) => m.metadata?.event_payload?.outcome === "verified"),
      20_000,
      `${providerId} verified`,
    );
    expect(`${verified.text} ${JSON.stringify(verified.blocks)}`).toContain("connected and verified");
  });
});
