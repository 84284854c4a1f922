/**
 * Multi-step work survives a crash between its steps (#12): the step Slack already did is found again on
 * resume, not done twice; a half-done step is not recorded as done.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fingerprint } from "../../src/crypto.ts";
import { verifyConnection } from "../../src/finch/verify.ts";
import { connect, onboard, verifications } from "../finch/helpers.ts";
import {
  eventually,
  type Harness,
  HOME_TEAM,
  HR,
  latestOnboardingChannel,
  REP,
  startHarness,
} from "../helpers/harness.ts";

async function onboardCommand(h: Harness, text: string) {
  const res = await h.driver.command({ text, userId: REP.id, teamId: HOME_TEAM.id, channelId: "C0SALES" });
  expect(res.status).toBe(200);
  return (await h.driver.waitForResponse(res.responseUrl, 20_000)) as { text: string };
}

/** Makes every update of `table` that sets `column` to `value` fail, as a crash right after the step would. */
async function failWrites(h: Harness, table: string, condition: string): Promise<() => Promise<void>> {
  const name = `fail_${table}_${Math.random().toString(36).slice(2, 8)}`;
  await h.db.prisma.$executeRawUnsafe(
    `CREATE FUNCTION ${name}() RETURNS trigger AS $$ BEGIN IF ${condition} THEN RAISE EXCEPTION 'simulated crash'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`,
  );
  await h.db.prisma.$executeRawUnsafe(
    `CREATE TRIGGER ${name} BEFORE INSERT OR UPDATE ON "${table}" FOR EACH ROW EXECUTE FUNCTION ${name}()`,
  );
  return async () => {
    await h.db.prisma.$executeRawUnsafe(`DROP TRIGGER ${name} ON "${table}"`);
    await h.db.prisma.$executeRawUnsafe(`DROP FUNCTION ${name}()`);
  };
}

describe("a Slack Connect invitation across a crash", () => {
  let h: Harness;
  beforeAll(async () => {
    // Enterprise Grid: Slack can list the pending invitations (conversations.listConnectInvites).
    h = await startHarness({ enterpriseId: "E0FLEET" });
    h.slack.addChannel({ id: "C0SALES", name: "sales", members: [REP.id] });
  });
  afterAll(async () => h?.stop());

  it("Slack sent it, the run died before recording it: the resumed run adopts it, one invitation", async () => {
    const heal = await failWrites(h, "invite", `NEW.status = 'sent'`);
    try {
      await onboardCommand(h, `onboard Crashy Co hr=${HR.email}`).catch(() => undefined);
    } finally {
      await heal();
    }
    const channel = await latestOnboardingChannel(h);
    const atSlack = () => h.slack.invites.filter((i) => i.channelId === channel.id && i.email === HR.email);
    expect(atSlack()).toHaveLength(1);
    const report = await onboardCommand(h, `onboard Crashy Co hr=${HR.email}`);
    expect(report.text).not.toContain(":x:");
    expect(report.text).not.toContain("already has a pending");
    expect(atSlack()).toHaveLength(1);
    const onboarding = await h.db.prisma.onboarding.findFirstOrThrow({ where: { channelId: channel.id } });
    const invite = await h.db.prisma.invite.findFirstOrThrow({ where: { onboardingId: onboarding.id } });
    expect(invite.status).toBe("sent");
    expect(invite.slackInviteId).toBe(atSlack()[0]?.id);
    const sent = await h.db.prisma.auditEvent.count({
      where: { onboardingId: onboarding.id, action: "invite.sent" },
    });
    expect(sent).toBe(1);
  });

  it.each(["5xx", "drop"] as const)(
    "inviteShared invites, then %s: stored with Slack's invite id",
    async (after) => {
      h.slack.injectFault({ method: "conversations.inviteShared", after });
      const report = await onboardCommand(h, `onboard Lost Id ${after} Co hr=${HR.email}`);
      expect(report.text).not.toContain(":x:");
      const channel = await latestOnboardingChannel(h);
      const atSlack = h.slack.invites.filter((i) => i.channelId === channel.id && i.email === HR.email);
      expect(atSlack).toHaveLength(1);
      const onboarding = await h.db.prisma.onboarding.findFirstOrThrow({ where: { channelId: channel.id } });
      const invite = await h.db.prisma.invite.findFirstOrThrow({ where: { onboardingId: onboarding.id } });
      expect(invite).toMatchObject({ status: "sent", slackInviteId: atSlack[0]?.id, adopted: true });
    },
  );
});

describe("Finch: a connection stored, a verification announced, only when done", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h?.stop());

  it("storing the connection fails: the code's claim is released, a reload is no replay, and the retry connects", async () => {
    const o = await onboard(h);
    const heal = await failWrites(h, "finch_connection", "true");
    let first: Awaited<ReturnType<typeof connect>>;
    try {
      first = await connect(h, o);
    } finally {
      await heal();
    }
    expect(first.page.status).toBeGreaterThanOrEqual(500);
    const code = new URL(first.redirectUrl ?? "").searchParams.get("code") ?? "";
    const claim = await h.db.prisma.processedDelivery.findUnique({
      where: { key: `finch-code:${fingerprint(code)}` },
    });
    expect(claim).toBeNull();
    // Reloading the page is not taken for a replay ("already used — you're all set" would be a lie).
    const reload = await fetch(first.redirectUrl ?? "", {
      redirect: "manual",
      headers: { cookie: first.cookie },
    });
    expect(reload.status).not.toBe(409);
    expect(await h.db.prisma.finchConnection.count({ where: { onboardingId: o.id } })).toBe(0);
    // Starting again from the Connect link works.
    const again = await connect(h, o);
    expect(again.page.status).toBe(200);
    expect(await h.db.prisma.finchConnection.count({ where: { onboardingId: o.id } })).toBe(1);
  });

  it("is not announced, and the next check (even with nothing changed) posts it", async () => {
    const o = await onboard(h);
    h.slack.injectFault({ method: "chat.postMessage", error: "not_in_channel", times: 50 });
    try {
      await connect(h, o);
      await eventually(
        () =>
          h.db.prisma.auditEvent.findFirst({ where: { onboardingId: o.id, action: "finch.verification" } }),
        15_000,
        "the first verification",
      );
    } finally {
      h.slack.clearFaults();
    }
    expect(verifications(h, o)).toHaveLength(0);
    const first = await h.db.prisma.verification.findFirstOrThrow({ where: { onboardingId: o.id } });
    expect(first.announcedAt).toBeNull();
    // A poll: nothing changed at Finch, but the channel never saw the report.
    await verifyConnection(h.app.ctx, o.id, { trigger: "poll", announce: "if_changed" });
    expect(verifications(h, o)).toHaveLength(1);
    const rows = await h.db.prisma.verification.findMany({ where: { onboardingId: o.id } });
    expect(rows.filter((r) => r.announcedAt !== null)).toHaveLength(1);
    // And once announced, an unchanged poll posts nothing more.
    await verifyConnection(h.app.ctx, o.id, { trigger: "poll", announce: "if_changed" });
    expect(verifications(h, o)).toHaveLength(1);
  });
});
