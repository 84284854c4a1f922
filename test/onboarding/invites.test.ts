/** The Slack Connect invite lifecycle (src/onboarding/invites.ts), against a real, migrated PGlite. */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { AppContext } from "../../src/context.ts";
import type { Database } from "../../src/db/client.ts";
import { type OnboardingChange, OnboardingHooks } from "../../src/hooks.ts";
import { recordInviteEvent, recordMemberLeft, type SharedInviteEvent } from "../../src/onboarding/invites.ts";
import { openTestDatabase } from "../helpers/db.ts";
import { insertOnboarding } from "../helpers/fixtures.ts";

const HOME = "T0FLEET";
const CHANNEL = "C0ACME";
const HR = { id: "U0HR", team_id: "T0ACME" };
const EMAIL = "jane@acme.example";

describe("invite lifecycle", () => {
  let db: Database;
  let ctx: AppContext;
  let onboardingId: string;
  const postMessage = vi.fn(async (_message: unknown) => ({ ok: true, ts: "1.000001", channel: "D0REP" }));
  const changes: OnboardingChange[] = [];
  beforeAll(async () => {
    const hooks = new OnboardingHooks();
    hooks.subscribe((change) => {
      changes.push(change);
    });
    db = await openTestDatabase("pglite");
    ctx = {
      db,
      logger: { warn: vi.fn(), error: vi.fn(), info: vi.fn(), debug: vi.fn() },
      identity: { teamId: HOME, botUserId: "U0BOT" },
      config: { slack: { retries: 2 } },
      slack: { chat: { postMessage } },
      // The Home tab refresh after a leave subscribes to this hook at start-up; here only a recorder does.
      hooks,
    } as unknown as AppContext;
    const onboarding = await insertOnboarding(
      db,
      { homeTeamId: HOME, channelId: CHANNEL },
      { name: "Acme Corp" },
    );
    onboardingId = onboarding.id;
  });
  afterAll(async () => db?.close());
  beforeEach(async () => {
    postMessage.mockClear();
    changes.length = 0;
    await db.prisma.auditEvent.deleteMany();
    await db.prisma.invite.deleteMany();
  });

  const invite = (status: string, extra: { slackUserId?: string } = {}) =>
    db.prisma.invite.create({
      data: { onboardingId, email: EMAIL, status, slackInviteId: "I0FIRST", ...extra },
    });
  const stored = async () => db.prisma.invite.findFirstOrThrow({ where: { onboardingId } });
  const actions = async () =>
    (await db.prisma.auditEvent.findMany({ orderBy: { id: "asc" } })).map((a) => a.action);
  const event = (extra: Partial<SharedInviteEvent> = {}): SharedInviteEvent => ({
    invite: { id: "I0FIRST", recipient_email: EMAIL },
    channel: { id: CHANNEL },
    ...extra,
  });

  it("moves forward: sent → accepted (who accepted recorded) → approved, each audited", async () => {
    await invite("sent");
    await recordInviteEvent(ctx, event({ accepting_user: HR }), "accepted");
    expect(await stored()).toMatchObject({ status: "accepted", slackUserId: HR.id, slackTeamId: HR.team_id });
    await recordInviteEvent(ctx, event(), "approved");
    expect((await stored()).status).toBe("approved");
    const trail = await db.prisma.auditEvent.findMany({ orderBy: { id: "asc" } });
    expect(trail).toMatchObject([
      { action: "invite.accepted", actorUserId: HR.id, external: true, detail: { email: EMAIL } },
      { action: "invite.approved", actorUserId: null },
    ]);
  });

  it("never moves back: a late 'accepted' after 'approved' only records who accepted", async () => {
    await invite("approved");
    await recordInviteEvent(ctx, event({ accepting_user: HR }), "accepted");
    expect(await stored()).toMatchObject({ status: "approved", slackUserId: HR.id });
    expect(await actions()).toEqual(["invite.accepted"]);
  });

  it("a decline is final against a later accept, and an approval is not undone by a decline", async () => {
    await invite("sent");
    await recordInviteEvent(ctx, event({ declining_user: HR }), "declined");
    expect((await stored()).status).toBe("declined");
    await recordInviteEvent(ctx, event(), "accepted");
    expect((await stored()).status).toBe("declined");

    await db.prisma.invite.deleteMany();
    await invite("approved");
    await recordInviteEvent(ctx, event(), "declined");
    expect((await stored()).status).toBe("approved");
  });

  it("a repeated event that changes nothing stays out of the audit trail", async () => {
    await invite("sent");
    await recordInviteEvent(ctx, event(), "approved");
    await recordInviteEvent(ctx, event(), "approved");
    expect(await actions()).toEqual(["invite.approved"]);
  });

  it("a re-sent invitation (new id) is found by the recipient's address in the channel", async () => {
    await invite("sent");
    await recordInviteEvent(
      ctx,
      event({ invite: { id: "I0SECOND", recipient_email: "Jane@Acme.example" }, accepting_user: HR }),
      "accepted",
    );
    expect(await stored()).toMatchObject({ status: "accepted", slackUserId: HR.id });
  });

  it("ignores events for invitations it does not know", async () => {
    await invite("sent");
    await recordInviteEvent(ctx, { invite: { id: "I0UNKNOWN" } }, "accepted");
    await recordInviteEvent(
      ctx,
      event({ invite: { id: "I0OTHER" }, channel: { id: "C0OTHER" } }),
      "accepted",
    );
    await recordInviteEvent(ctx, { channel: { id: CHANNEL } }, "accepted");
    expect((await stored()).status).toBe("sent");
    expect(await actions()).toEqual([]);
  });

  it("an HR admin who leaves: the invite is marked left, audited, and the owning rep told privately", async () => {
    await invite("approved", { slackUserId: HR.id });
    await recordMemberLeft(ctx, CHANNEL, HR.id);
    expect((await stored()).status).toBe("left");
    expect(await actions()).toEqual(["invite.left"]);
    expect(postMessage).toHaveBeenCalledExactlyOnceWith({
      channel: "U0REP",
      text: expect.stringContaining(`${EMAIL} (<@${HR.id}>) left <#${CHANNEL}>`),
      // Posted once: a lost answer is looked up by this key (test/reliability/no-duplicates-notes.test.ts).
      metadata: { event_type: "fleet_note", event_payload: { idempotency_key: expect.any(String) } },
    });
    expect(changes).toEqual([{ onboardingId, ownerUserId: "U0REP", reason: "invite-left" }]);
  });

  it("someone else leaving, or leaving another channel, changes nothing", async () => {
    await invite("approved", { slackUserId: HR.id });
    await recordMemberLeft(ctx, CHANNEL, "U0SOMEONEELSE");
    await recordMemberLeft(ctx, "C0OTHER", HR.id);
    expect((await stored()).status).toBe("approved");
    expect(await actions()).toEqual([]);
    expect(postMessage).not.toHaveBeenCalled();
  });
});
