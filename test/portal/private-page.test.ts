/**
 * The private progress page over real HTTP, against the Slack and Finch stand-ins: a GET changes nothing (no
 * tick, no Finch session); ticks by POST go through Slack's tick path and show in the pinned checklist; bad,
 * expired, revoked and renewed links, a POST without its CSRF token, from another site, or with another
 * onboarding's token are refused clearly and change nothing; Connect creates the Finch session on POST only.
 */
import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checklistItems } from "../../src/checklist/items.ts";
import { getTemplate } from "../../src/checklist/template-registry.ts";
import { ManualClock } from "../../src/context.ts";
import { issuePortalLink, PORTAL_LINK_DAYS, revokePortalLinks } from "../../src/onboarding/portal-links.ts";
import { nthVerification, type Onboarded, onboard } from "../finch/helpers.ts";
import { eventually, type Harness, HOME_TEAM, HR, REP, startHarness } from "../helpers/harness.ts";

const DAY = 24 * 3600_000;

describe("the private progress page", () => {
  let h: Harness;
  const clock = new ManualClock();
  beforeAll(async () => {
    h = await startHarness({ clock, env: { PORTAL_LIMIT_PER_MINUTE: "10000" } });
  });
  afterAll(async () => h?.stop());

  async function issue(o: Pick<Onboarded, "id">, email = HR.email): Promise<string> {
    const issued = await issuePortalLink(h.app.ctx, { onboardingId: o.id, email });
    if (!issued.ok) throw new Error(issued.message);
    expect(issued.url).toBe(`${h.app.url}/p/${issued.token}`);
    return issued.url;
  }

  async function page(url: string): Promise<{ status: number; html: string; headers: Headers }> {
    const res = await fetch(url, { redirect: "manual" });
    return { status: res.status, html: await res.text(), headers: res.headers };
  }

  const csrfOf = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? "";

  function post(url: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
    return fetch(url, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
      body: new URLSearchParams(fields).toString(),
    });
  }

  /** Everything a refused request must leave as it was. */
  async function snapshot(onboardingId: string) {
    const o = await h.db.prisma.onboarding.findUniqueOrThrow({ where: { id: onboardingId } });
    return {
      version: o.checklistVersion,
      ticks: await h.db.prisma.tick.count({ where: { onboardingId } }),
      steps: await h.db.prisma.stepState.count({ where: { onboardingId, done: true } }),
      sessions: await h.db.prisma.finchConnectSession.count({ where: { onboardingId } }),
      updates: h.slack.callsTo("chat.update").length,
    };
  }

  async function customerItems(o: Pick<Onboarded, "id">): Promise<string[]> {
    const row = await h.db.prisma.onboarding.findUniqueOrThrow({ where: { id: o.id } });
    return checklistItems(getTemplate(row.providerId))
      .filter((i) => i.owner === "customer")
      .map((i) => i.key);
  }

  /** The item keys the pinned Slack checklist shows ticked. */
  function tickedInSlack(o: Onboarded): string[] {
    const message = h.slack.messages(o.channelId).find((m) => m.ts === o.checklistTs);
    const blocks = (message?.blocks ?? []) as Array<{ type: string; elements?: unknown[] }>;
    return blocks
      .filter((b) => b.type === "actions")
      .flatMap(
        (b) => (b.elements ?? []) as Array<{ type: string; initial_options?: Array<{ value: string }> }>,
      )
      .filter((e) => e.type === "checkboxes")
      .flatMap((e) => (e.initial_options ?? []).map((opt) => opt.value));
  }

  it("opens with a GET that changes nothing, sends no-store and no-referrer, and shows the checklist", async () => {
    const o = await onboard(h);
    const url = await issue(o);
    const before = await snapshot(o.id);
    // What a GET could write: ticks, sessions, anything said as the page's reader.
    const readerAudits = () =>
      h.db.prisma.auditEvent.count({ where: { onboardingId: o.id, actorUserId: { startsWith: "email:" } } });
    const audits = await readerAudits();
    const sessionCalls = h.finch.calls.filter((c) => c.path === "/connect/sessions").length;
    for (let i = 0; i < 3; i++) {
      const res = await page(url);
      expect(res.status).toBe(200);
      expect(res.headers.get("cache-control")).toBe("no-store");
      expect(res.headers.get("referrer-policy")).toBe("no-referrer");
      expect(res.html).toContain('<html lang="en">');
      expect(res.html).toContain(o.company);
      expect(res.html).toMatch(/<button class="primary" type="submit">Connect /);
    }
    const head = await fetch(url, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await snapshot(o.id)).toEqual(before);
    expect(await readerAudits()).toBe(audits);
    expect(
      await h.db.prisma.auditEvent.count({
        where: { onboardingId: o.id, action: { startsWith: "portal." } },
      }),
    ).toBe(1);
    expect(h.finch.calls.filter((c) => c.path === "/connect/sessions")).toHaveLength(sessionCalls);
    // The token is stored only as its SHA-256 and never logged.
    const token = url.split("/p/")[1] ?? "";
    const stored = await h.db.sql.query("select * from portal_link where onboarding_id = $1::uuid", [o.id]);
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain(token);
    expect(stored[0]?.token_hash).toBe(createHash("sha256").update(token).digest("hex"));
    expect(
      JSON.stringify(await h.db.prisma.auditEvent.findMany({ where: { onboardingId: o.id } }), (_k, v) =>
        typeof v === "bigint" ? String(v) : v,
      ),
    ).not.toContain(token);
    expect(h.logs.join("")).not.toContain(token);
    // Only the token identifies anything in the page's URLs.
    expect(res_urls(await page(url))).not.toContain(o.id);
  });

  it("takes two ticks by POST through Slack's tick path: the pinned checklist shows them, the audit names the email", async () => {
    const o = await onboard(h);
    const url = await issue(o);
    const [first, second] = await customerItems(o);
    // As browsers post it under our no-referrer policy (Origin: null), and with our own origin.
    for (const [item, origin] of [
      [first!, "null"],
      [second!, new URL(h.app.url).origin],
    ] as const) {
      const csrf = csrfOf((await page(url)).html);
      const res = await post(`${url}/tick`, { csrf, item, done: "1" }, { origin });
      expect(res.status).toBe(303);
      expect(res.headers.get("location")).toBe(url);
    }
    await eventually(
      () => {
        const ticked = tickedInSlack(o);
        return ticked.includes(first!) && ticked.includes(second!) ? ticked : null;
      },
      10_000,
      "both ticks in the Slack checklist",
    );
    const message = h.slack.messages(o.channelId).find((m) => m.ts === o.checklistTs);
    expect(JSON.stringify(message?.blocks)).toContain(`Ticked on the private page by ${HR.email}`);
    const ticks = await h.db.prisma.tick.findMany({ where: { onboardingId: o.id } });
    expect(ticks.map((t) => [t.itemKey, t.source, t.userId, t.external])).toEqual([
      [first, "page", `email:${HR.email}`, true],
      [second, "page", `email:${HR.email}`, true],
    ]);
    const audits = await h.db.prisma.auditEvent.findMany({ where: { onboardingId: o.id, action: "tick" } });
    expect(audits.map((a) => [a.actorUserId, a.actorTeamId, a.detail])).toEqual([
      [`email:${HR.email}`, "email", { item: first, via: "page" }],
      [`email:${HR.email}`, "email", { item: second, via: "page" }],
    ]);
    const after = await page(url);
    expect(after.html).toContain("Ticked by you on this page");

    // And the other door: a tick in Slack shows on the page.
    const third = (await customerItems(o))[2]!;
    const checklist = h.slack.messages(o.channelId).find((m) => m.ts === o.checklistTs);
    const res = await h.driver.blockActions({
      user: { id: HR.id, teamId: HR.teamId },
      channelId: o.channelId,
      message: checklist!,
      actions: [{ action_id: `tick:${third}`, selected_options: [{ value: third }] }],
    });
    expect(res.status).toBe(200);
    const withSlackTick = await eventually(
      async () => {
        const p = await page(url);
        return p.html.includes("Ticked in Slack") ? p : null;
      },
      10_000,
      "the Slack tick on the page",
    );
    expect(withSlackTick.html.match(/✓ Done/g)).toHaveLength(3);
  });

  it("refuses a POST without its CSRF token, with a wrong one, or from another site, and changes nothing", async () => {
    const o = await onboard(h);
    const url = await issue(o);
    const [item] = await customerItems(o);
    const csrf = csrfOf((await page(url)).html);
    const before = await snapshot(o.id);
    const attempts = [
      post(`${url}/tick`, { item: item!, done: "1" }),
      post(`${url}/tick`, { csrf: `${csrf.slice(0, -2)}AA`, item: item!, done: "1" }),
      post(`${url}/tick`, { csrf, item: item!, done: "1" }, { origin: "https://evil.example" }),
      post(`${url}/connect`, {}),
      fetch(`${url}/tick`, { method: "POST", body: JSON.stringify({ csrf, item, done: "1" }) }),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.status).toBe(403);
      expect(await res.text()).toContain("This action was not accepted");
    }
    // With its token, but Fleet's own step or an unknown item: the tick rules answer, on the page.
    const row = await h.db.prisma.onboarding.findUniqueOrThrow({ where: { id: o.id } });
    const fleetStep = checklistItems(getTemplate(row.providerId)).find((i) => i.owner === "fleet")!.key;
    const fleet = await post(`${url}/tick`, { csrf, item: fleetStep, done: "1" });
    expect(fleet.status).toBe(409);
    expect(await fleet.text()).toContain("That step is Fleet&#39;s");
    const unknown = await post(`${url}/tick`, { csrf, item: "no-such-item", done: "1" });
    expect(unknown.status).toBe(409);
    expect(await unknown.text()).toContain("does not exist");
    const { version: _v, updates: _u, ...unchanged } = before;
    const { version: _v2, updates: _u2, ...now } = await snapshot(o.id);
    expect(now).toEqual(unchanged);
  });

  it("refuses a token of another onboarding: a page's CSRF token and form fields never reach another one", async () => {
    const a = await onboard(h);
    const b = await onboard(h);
    const urlA = await issue(a);
    const urlB = await issue(b);
    const [item] = await customerItems(a);
    const csrfA = csrfOf((await page(urlA)).html);
    const beforeA = await snapshot(a.id);
    const beforeB = await snapshot(b.id);
    // A's CSRF token with B's link; and A's link naming B in the form.
    const crossed = await post(`${urlB}/tick`, { csrf: csrfA, item: item!, done: "1" });
    expect(crossed.status).toBe(403);
    expect(await crossed.text()).toContain("This action was not accepted");
    const connect = await post(`${urlB}/connect`, { csrf: csrfA });
    expect(connect.status).toBe(403);
    expect(await snapshot(a.id)).toEqual(beforeA);
    expect(await snapshot(b.id)).toEqual(beforeB);
    const smuggled = await post(`${urlA}/tick`, { csrf: csrfA, item: item!, done: "1", onboarding: b.id });
    expect(smuggled.status).toBe(303);
    expect((await snapshot(b.id)).ticks).toBe(0);
    expect((await snapshot(a.id)).ticks).toBe(1);
  });

  it("answers a bad, an expired and a revoked link with a clear page, for GET and POST, and changes nothing", async () => {
    const o = await onboard(h);
    const url = await issue(o);
    const [item] = await customerItems(o);
    const csrf = csrfOf((await page(url)).html);
    const before = await snapshot(o.id);

    for (const bad of [`${h.app.url}/p/${randomBytes(32).toString("base64url")}`, `${h.app.url}/p/nope`]) {
      const res = await page(bad);
      expect(res.status).toBe(404);
      expect(res.html).toContain("This link is not valid");
      expect(res.headers.get("referrer-policy")).toBe("no-referrer");
      expect((await post(`${bad}/tick`, { csrf, item: item!, done: "1" })).status).toBe(404);
    }

    clock.advance(PORTAL_LINK_DAYS * DAY + 60_000);
    try {
      const expired = await page(url);
      expect(expired.status).toBe(410);
      expect(expired.html).toContain("This link has expired");
      expect((await post(`${url}/tick`, { csrf, item: item!, done: "1" })).status).toBe(410);
      expect((await post(`${url}/connect`, { csrf })).status).toBe(410);
    } finally {
      clock.advance(-(PORTAL_LINK_DAYS * DAY + 60_000));
    }

    expect(await revokePortalLinks(h.app.ctx, { onboardingId: o.id, reason: "rep" })).toBe(1);
    const revoked = await page(url);
    expect(revoked.status).toBe(410);
    expect(revoked.html).toContain("This link no longer works");
    expect((await post(`${url}/tick`, { csrf, item: item!, done: "1" })).status).toBe(410);
    expect(await snapshot(o.id)).toEqual(before);
  });

  it("renews on a fresh issue (the older token stops working) and is revoked by /fleet done", async () => {
    const o = await onboard(h);
    const old = await issue(o);
    clock.advance(10 * DAY);
    try {
      const fresh = await issue(o, ` ${HR.email.toUpperCase()} `);
      expect((await page(old)).status).toBe(404);
      clock.advance(10 * DAY); // 20 days after the first issue, 10 after the renewal
      expect((await page(fresh)).status).toBe(200);
      clock.advance(-10 * DAY);
      const done = await h.driver.command({
        text: `done ${o.company}`,
        userId: REP.id,
        teamId: HOME_TEAM.id,
        channelId: "C0SALES",
      });
      expect(done.status).toBe(200);
      await eventually(
        async () => (await h.db.prisma.onboarding.findUnique({ where: { id: o.id } }))?.status === "done",
        10_000,
        "closed",
      );
      const closed = await eventually(
        async () => ((await page(fresh)).status === 410 ? page(fresh) : null),
        10_000,
        "revoked by /fleet done",
      );
      expect(closed.html).toContain("This link no longer works");
      const issued = await issuePortalLink(h.app.ctx, { onboardingId: o.id, email: HR.email });
      expect(issued).toMatchObject({ ok: false });
    } finally {
      clock.advance(-10 * DAY);
    }
  });

  it("creates the Finch session on the Connect POST only, and sends the browser to Finch", async () => {
    const o = await onboard(h);
    const url = await issue(o);
    const csrf = csrfOf((await page(url)).html);
    expect(await h.db.prisma.finchConnectSession.count({ where: { onboardingId: o.id } })).toBe(0);
    const res = await post(`${url}/connect`, { csrf });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")?.startsWith(`${h.finch.url}connect?session=`)).toBe(true);
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    expect(await h.db.prisma.finchConnectSession.count({ where: { onboardingId: o.id } })).toBe(1);
    const audited = await h.db.prisma.auditEvent.findFirst({
      where: { onboardingId: o.id, action: "portal.connect" },
    });
    expect(audited?.actorUserId).toBe(`email:${HR.email}`);

    // Finch completes Connect with payroll denied: the verification reaches the Slack thread and the page.
    const sessionId = new URL(res.headers.get("location") ?? "").searchParams.get("session") ?? "";
    const done = h.finch.completeSession(sessionId, { deniedProducts: ["pay_statement", "payment"] });
    const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const callback = await fetch(done.redirectUrl!, { redirect: "manual", headers: { cookie } });
    expect(callback.status).toBe(200);
    await nthVerification(h, o, 1);
    const after = await eventually(
      async () => {
        const p = await page(url);
        return p.html.includes("No check yet") ? null : p;
      },
      10_000,
      "the verification on the page",
    );
    expect(after.html).toContain("some permissions are missing");
    expect(after.html).toMatch(/<li><strong>[^<]+<\/strong>: [^<]+<\/li>/);
  });

  it("serves the call's .ics (same UID and SEQUENCE as in Slack) and shows the call in the chosen zone", async () => {
    const o = await onboard(h);
    const url = await issue(o);
    expect((await page(`${url}/call.ics`)).status).toBe(404);
    await h.db.prisma.onboarding.update({
      where: { id: o.id },
      data: { callAt: new Date("2027-01-12T16:00:00Z"), timeZone: "America/Chicago", callSequence: 2 },
    });
    const ics = await page(`${url}/call.ics`);
    expect(ics.status).toBe(200);
    expect(ics.headers.get("content-type")).toContain("text/calendar");
    expect(ics.headers.get("cache-control")).toBe("no-store");
    expect(ics.html).toContain(`UID:onboarding-call-${o.id}@fleet-concierge`);
    expect(ics.html).toContain("SEQUENCE:2");
    expect((await page(url)).html).toContain("Tuesday, January 12, 2027 at 10:00 AM Chicago time");
    const berlin = await page(`${url}?tz=Europe%2FBerlin`);
    expect(berlin.html).toContain("Tuesday, January 12, 2027 at 5:00 PM Berlin time");
    expect(berlin.html).toContain("https://calendar.google.com/calendar/render?");
    expect((await page(`${url}?tz=Not%2FA_Zone`)).html).toContain("10:00 AM Chicago time");
  });

  it("refuses a bad address and an unknown onboarding when issuing, writing nothing", async () => {
    const o = await onboard(h);
    expect(await issuePortalLink(h.app.ctx, { onboardingId: o.id, email: "not an email" })).toMatchObject({
      ok: false,
    });
    expect(
      await issuePortalLink(h.app.ctx, {
        onboardingId: "9e1c2a4e-0000-4000-8000-000000000009",
        email: HR.email,
      }),
    ).toMatchObject({ ok: false });
    expect(await h.db.prisma.portalLink.count({ where: { onboardingId: o.id } })).toBe(0);
  });
});

/** Every href and form action of a page. */
function res_urls(res: { html: string }): string {
  return [...res.html.matchAll(/(?:href|action)="([^"]+)"/g)].map((m) => m[1]).join("\n");
}
