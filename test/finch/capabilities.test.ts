/**
 * What Fleet asks Finch about a provider (GET /providers) and what it passes on: every template's auth
 * method reaches `connect.sessions.new`, only offered products are requested, and an assisted provider's
 * thread says Finch may take days while polling goes on.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppMemory } from "../../src/app-memory.ts";
import { providerCatalogue } from "../../src/checklist/provider-catalogue.ts";
import { loadTemplates } from "../../src/checklist/template-registry.ts";
import { ManualClock } from "../../src/context.ts";
import { forgetProviderCapabilities, providerCapabilities } from "../../src/finch/providers.ts";
import { connectUrlFor } from "../../src/onboarding/connect-links.ts";
import { FinchStandIn } from "../../src/sandbox/finch/index.ts";
import { documentedListing } from "../../src/sandbox/finch/provider-listing.ts";
import { type Harness, startHarness } from "../helpers/harness.ts";
import { connect, nthVerification, onboard, openLink } from "./helpers.ts";

describe("Finch provider capabilities", () => {
  let h: Harness;
  const clock = new ManualClock();
  beforeAll(async () => {
    h = await startHarness({ clock });
  });
  afterAll(async () => h?.stop());

  it("passes every template's auth method and only the products Finch lists for its provider", async () => {
    const o = await onboard(h);
    for (const t of loadTemplates()) {
      await h.db.prisma.finchConnectSession.deleteMany({ where: { onboardingId: o.id } });
      await h.db.prisma.onboarding.update({ where: { id: o.id }, data: { providerId: t.id } });
      const opened = await openLink(connectUrlFor(h.app.ctx, o.id));
      expect(opened.status, t.id).toBe(302);
      const session = h.finch.sessions.get(opened.sessionId)!;
      expect(session.providerId).toBe(t.finch.providerId);
      expect(session.authMethod, t.id).toBe(t.finch.authMethod);
      const listed = h.finch.providers.find((p) => p.id === t.finch.providerId)!;
      expect(session.products.every((p) => listed.products.includes(p))).toBe(true);
    }
    // Justworks: the template wants benefits, Finch does not list it, so it is not requested.
    await h.db.prisma.finchConnectSession.deleteMany({ where: { onboardingId: o.id } });
    await h.db.prisma.onboarding.update({ where: { id: o.id }, data: { providerId: "justworks" } });
    const justworks = h.finch.sessions.get((await openLink(connectUrlFor(h.app.ctx, o.id))).sessionId)!;
    expect(justworks.products).not.toContain("benefits");
    expect(justworks.authMethod).toBe("credential");
  });

  it("caches the listing: one GET /providers for many lookups, again after an hour", async () => {
    forgetProviderCapabilities(h.app.ctx);
    const before = h.finch.calls.filter((c) => c.path === "/providers").length;
    const a = await providerCapabilities(h.app.ctx, "justworks");
    const b = await providerCapabilities(h.app.ctx, "bamboo_hr");
    expect(a?.products.has("benefits")).toBe(false);
    expect(a?.authMethods).toEqual(["credential"]);
    expect(b?.products.size).toBeGreaterThan(0);
    expect(await providerCapabilities(h.app.ctx, "no_such_provider")).toBeNull();
    expect(h.finch.calls.filter((c) => c.path === "/providers").length).toBe(before + 1);
    clock.advance(61 * 60_000);
    await providerCapabilities(h.app.ctx, "justworks");
    expect(h.finch.calls.filter((c) => c.path === "/providers").length).toBe(before + 2);
  });

  it("keeps the listing per app: a second app in the same process asks Finch itself", async () => {
    await providerCapabilities(h.app.ctx, "justworks");
    const before = h.finch.calls.filter((c) => c.path === "/providers").length;
    const other = { ...h.app.ctx, memory: new AppMemory() };
    expect((await providerCapabilities(other, "justworks"))?.authMethods).toEqual(["credential"]);
    expect(h.finch.calls.filter((c) => c.path === "/providers").length).toBe(before + 1);
    // The first app's listing is still its own: no new call.
    await providerCapabilities(h.app.ctx, "justworks");
    expect(h.finch.calls.filter((c) => c.path === "/providers").length).toBe(before + 1);
  });

  it("keeps Finch's names per app: two apps with different listings each see their own generic guide", async () => {
    // A second Finch whose listing names Gusto (no shipped template) differently and offers it only assisted.
    const listing = documentedListing().map((p) =>
      p.id === "gusto"
        ? { ...p, display_name: "Gusto Payroll", authentication_methods: [{ type: "assisted" as const }] }
        : p,
    );
    const { config } = h.app.ctx;
    const otherFinch = await FinchStandIn.start({
      clientId: config.finch.clientId ?? "",
      clientSecret: config.finch.clientSecret ?? "",
      providers: listing,
    });
    try {
      const other = {
        ...h.app.ctx,
        config: { ...config, finch: { ...config.finch, baseUrl: otherFinch.url } },
        memory: new AppMemory(),
      };
      forgetProviderCapabilities(h.app.ctx);
      await providerCapabilities(h.app.ctx, "gusto");
      await providerCapabilities(other, "gusto");
      // The first app read its listing before the second: it still sees its own.
      const mine = providerCatalogue(h.app.ctx).template("gusto");
      const theirs = providerCatalogue(other).template("gusto");
      expect([mine.displayName, mine.finch.authMethod]).toEqual(["Gusto", "oauth"]);
      expect([theirs.displayName, theirs.finch.authMethod]).toEqual(["Gusto Payroll", "assisted"]);
      expect(providerCatalogue(h.app.ctx).allProviderChoices()).toContainEqual({
        id: "gusto",
        name: "Gusto",
        shipped: false,
      });
      expect(providerCatalogue(other).allProviderChoices()).toContainEqual({
        id: "gusto",
        name: "Gusto Payroll",
        shipped: false,
      });
    } finally {
      await otherFinch.stop();
    }
  });

  it("answers null (callers fall back to the template) when Finch cannot list providers", async () => {
    forgetProviderCapabilities(h.app.ctx);
    h.finch.injectFault({ path: "/providers", status: 500, times: 3 });
    expect(await providerCapabilities(h.app.ctx, "justworks")).toBeNull();
    forgetProviderCapabilities(h.app.ctx);
  });

  it("assisted: the thread says Finch may take days, and the connection stays polled", async () => {
    const o = await onboard(h);
    await h.db.prisma.onboarding.update({ where: { id: o.id }, data: { providerId: "adp_totalsource" } });
    await connect(h, o, { status: "pending" });
    const report = await nthVerification(h, o, 1);
    const text = JSON.stringify(report.blocks);
    expect(report.metadata?.event_payload).toMatchObject({
      outcome: "syncing",
      connection_status: "pending",
    });
    expect(text).toContain("can take a few days");
    // In plain words for the customer (Finch's own "assisted: pending" goes to the rep, issue 27).
    expect(text).toContain("*Connection:* being set up");
    expect(text).not.toContain("*assisted:* pending");
    expect(text).not.toContain(":x:");
    const row = await h.db.prisma.finchConnection.findUniqueOrThrow({ where: { onboardingId: o.id } });
    expect(row.verifiedAt).toBeNull();
    expect(row.nextPollAt).not.toBeNull();
  });
});
