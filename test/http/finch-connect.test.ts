/**
 * `GET /connect/:token` and `GET /finch/callback` over real HTTP: sessions created or reused, forged and
 * closed links, cancellation, bad and replayed codes — and the token stored only as ciphertext.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/context.ts";
import { connectLinkToken, decryptSecret, type KeyRing } from "../../src/crypto.ts";
import { connectUrlFor } from "../../src/onboarding/connect-links.ts";
import { connect, dms, nthVerification, onboard, openLink, threadReplies } from "../finch/helpers.ts";
import { eventually, type Harness, startHarness } from "../helpers/harness.ts";

describe("Finch Connect links and callback", () => {
  let h: Harness;
  const clock = new ManualClock();
  beforeAll(async () => {
    h = await startHarness({ clock });
  });
  afterAll(async () => h?.stop());

  it("redirects to a Finch session made from the template, and reuses it while it is valid", async () => {
    const o = await onboard(h);
    const url = connectUrlFor(h.app.ctx, o.id);
    const first = await openLink(url);
    expect(first.status).toBe(302);
    expect(first.location.startsWith(`${h.finch.url}connect?session=`)).toBe(true);
    expect(first.cookie).toMatch(/^fleet_connect=/);
    const second = await openLink(url);
    expect(second.location).toBe(first.location);
    const sessions = await h.db.prisma.finchConnectSession.findMany({ where: { onboardingId: o.id } });
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({ kind: "new", sessionId: first.sessionId });
    expect(h.finch.calls.filter((c) => c.path === "/connect/sessions")).toHaveLength(1);

    // A day later the session has expired: the same link makes a fresh one (it never goes stale).
    clock.advance(24 * 3600_000);
    const later = await openLink(url);
    expect(later.status).toBe(302);
    expect(later.sessionId).not.toBe(first.sessionId);
    clock.advance(-24 * 3600_000);

    // HEAD (link previews) creates nothing.
    const head = await fetch(url, { method: "HEAD", redirect: "manual" });
    expect(head.status).toBe(200);
    expect(await h.db.prisma.finchConnectSession.count({ where: { onboardingId: o.id } })).toBe(2);
  });

  it("a GET of a Connect link (a mail scanner) shows the button and creates no Finch session", async () => {
    const o = await onboard(h);
    const url = connectUrlFor(h.app.ctx, o.id);
    const finchCalls = h.finch.calls.filter((c) => c.path === "/connect/sessions").length;
    for (let i = 0; i < 3; i++) {
      const res = await fetch(url, { redirect: "manual" });
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(html).toContain('<form method="post">');
      expect(html).toContain("Continue to");
    }
    expect(await h.db.prisma.finchConnectSession.count({ where: { onboardingId: o.id } })).toBe(0);
    expect(h.finch.calls.filter((c) => c.path === "/connect/sessions")).toHaveLength(finchCalls);
    // The button's POST from another site is refused; from the page (or no Origin) it opens Finch.
    const foreign = await fetch(url, {
      method: "POST",
      redirect: "manual",
      headers: { origin: "https://evil.example" },
    });
    expect(foreign.status).toBe(403);
    expect(await h.db.prisma.finchConnectSession.count({ where: { onboardingId: o.id } })).toBe(0);
    const opened = await openLink(url);
    expect(opened.status).toBe(302);
  });

  it("answers a forged or unknown token with a 404 page, and a closed onboarding with a friendly page", async () => {
    const forged = await fetch(
      `${h.app.url}/connect/0123456789abcdef0123456789abcdef.AAAAAAAAAAAAAAAAAAAAAA`,
      {
        redirect: "manual",
      },
    );
    expect(forged.status).toBe(404);
    expect(await forged.text()).toContain("This link is not valid");
    const unknown = await fetch(
      `${h.app.url}/connect/${connectLinkToken("9e1c2a4e-0000-4000-8000-000000000009", h.app.ctx.keys)}`,
      { redirect: "manual" },
    );
    expect(unknown.status).toBe(404);

    const o = await onboard(h);
    await h.db.prisma.onboarding.update({ where: { id: o.id }, data: { status: "done" } });
    const closed = await fetch(connectUrlFor(h.app.ctx, o.id), { redirect: "manual" });
    expect(closed.status).toBe(410);
    expect(await closed.text()).toContain("This onboarding is closed");
  });

  it("stores the access token only as ciphertext under the key id, decryptable with the key", async () => {
    const o = await onboard(h);
    const { accessToken, code } = await connect(h, o);
    const rows = await h.db.sql.query(
      "select token_ciphertext, token_key_id, code_hash from finch_connection where onboarding_id = $1",
      [o.id],
    );
    const row = rows[0] as { token_ciphertext: string; token_key_id: string; code_hash: string };
    expect(row.token_key_id).toBe("k1");
    expect(row.token_ciphertext).not.toContain(accessToken);
    expect(row.token_ciphertext).toMatch(/^v1\.k1\./);
    expect(row.code_hash).toMatch(/^[0-9a-f]{64}$/);
    const ring: KeyRing = {
      current: { id: "k1", key: Buffer.from(h.secrets.encryptionKey, "base64") },
      previous: [],
    };
    expect(decryptSecret(row.token_ciphertext, ring)).toBe(accessToken);

    // Neither the token nor the code is anywhere else in the database.
    await nthVerification(h, o, 1);
    for (const table of [
      "finch_connection",
      "finch_connect_session",
      "verification",
      "audit_event",
      "processed_delivery",
      "slack_message",
      "step_state",
    ]) {
      const dump = JSON.stringify(await h.db.sql.query(`select * from ${table}`));
      expect(dump, table).not.toContain(accessToken);
      expect(dump, table).not.toContain(code);
    }
  });

  it("refuses a replayed code: friendly page, a thread note, nothing stored twice, Finch not asked again", async () => {
    const o = await onboard(h);
    const done = await connect(h, o);
    await nthVerification(h, o, 1);
    const exchanges = h.finch.calls.filter((c) => c.path === "/auth/token").length;
    const replay = await fetch(done.redirectUrl!, { redirect: "manual", headers: { cookie: done.cookie } });
    expect(replay.status).toBe(409);
    expect(await replay.text()).toContain("already used");
    expect(h.finch.calls.filter((c) => c.path === "/auth/token")).toHaveLength(exchanges);
    expect(await h.db.prisma.finchConnection.count({ where: { onboardingId: o.id } })).toBe(1);
    await eventually(() => threadReplies(h, o).some((m) => m.text.includes("already-used")), 5_000, "note");
    expect(
      await h.db.prisma.auditEvent.count({ where: { onboardingId: o.id, action: "finch.code_replayed" } }),
    ).toBe(1);
  });

  it("an invalid code: friendly page and a note in the thread the browser came from", async () => {
    const o = await onboard(h);
    const opened = await openLink(connectUrlFor(h.app.ctx, o.id));
    const res = await fetch(`${h.app.url}/finch/callback?code=not-a-real-code-123`, {
      redirect: "manual",
      headers: { cookie: opened.cookie },
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("This sign-in expired");
    await eventually(
      () => threadReplies(h, o).some((m) => m.text.includes("could not be completed")),
      5_000,
      "note",
    );
    expect(await h.db.prisma.finchConnection.count({ where: { onboardingId: o.id } })).toBe(0);
    const missing = await fetch(`${h.app.url}/finch/callback`, { redirect: "manual" });
    expect(missing.status).toBe(400);
  });

  it("Finch's cancel redirect: friendly page, a thread note, the rep told, nothing stored", async () => {
    const o = await onboard(h);
    const opened = await openLink(connectUrlFor(h.app.ctx, o.id));
    const cancel = await fetch(`${h.finch.url}connect/cancel?session=${opened.sessionId}`, {
      redirect: "manual",
    });
    const back = cancel.headers.get("location") ?? "";
    expect(back).toContain("/finch/callback?error=access_denied");
    const page = await fetch(back, { redirect: "manual", headers: { cookie: opened.cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Connection cancelled");
    await eventually(
      () => threadReplies(h, o).some((m) => m.text.includes("Finch Connect was closed")),
      5_000,
      "note",
    );
    await eventually(
      () => dms(h, "U0REP").some((m) => m.text.includes(o.company) && m.text.includes("cancelled")),
      5_000,
      "rep",
    );
    expect(await h.db.prisma.finchConnection.count({ where: { onboardingId: o.id } })).toBe(0);
  });

  it("a Finch outage while opening Connect shows a retry page and leaves the link working", async () => {
    const o = await onboard(h);
    h.finch.injectFault({ path: "/connect/sessions", status: 503, times: 3 });
    const res = await fetch(connectUrlFor(h.app.ctx, o.id), { method: "POST", redirect: "manual" });
    expect(res.status).toBe(503);
    expect(await res.text()).toContain("not reachable");
    const again = await openLink(connectUrlFor(h.app.ctx, o.id));
    expect(again.status).toBe(302);
  }, 20_000);
});
