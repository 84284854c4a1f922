/** The listeners' guards (src/slack/listeners/guards.ts): who may act as a rep, and which onboarding is meant. */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { AppMemory } from "../../../src/app-memory.ts";
import type { Actor } from "../../../src/audit/actor.ts";
import type { AppContext } from "../../../src/context.ts";
import type { Database } from "../../../src/db/client.ts";
import { refusalFor } from "../../../src/slack/actors.ts";
import { allowRep, onboardingOrTell } from "../../../src/slack/listeners/guards.ts";
import { openTestDatabase } from "../../helpers/db.ts";
import { insertOnboarding } from "../../helpers/fixtures.ts";

const HOME = "T0FLEET";
const REP: Actor = { userId: "U0REP", teamId: HOME, internal: true };
const COLLEAGUE: Actor = { userId: "U0SALES", teamId: HOME, internal: true };
const HR: Actor = { userId: "U0HR", teamId: "T0ACME", internal: false };
/** A guest of our own workspace, even listed as a rep. */
const GUEST: Actor = { userId: "U0GUEST", teamId: HOME, internal: true };

describe("guards", () => {
  let db: Database;
  let ctx: AppContext;
  const warn = vi.fn();
  beforeAll(async () => {
    db = await openTestDatabase("pglite");
    const logger = { warn, error: vi.fn(), info: vi.fn(), debug: vi.fn() };
    ctx = {
      db,
      logger,
      identity: { teamId: HOME, botUserId: "U0BOT" },
      config: { slack: { repUserIds: [REP.userId, GUEST.userId], repUserGroupId: undefined } },
      slack: {
        users: {
          info: async ({ user }: { user: string }) => ({
            ok: true,
            user: {
              id: user,
              team_id: HOME,
              is_restricted: user === GUEST.userId,
              is_ultra_restricted: false,
            },
          }),
        },
      },
      memory: new AppMemory(),
    } as unknown as AppContext;
  });
  afterAll(async () => db?.close());
  beforeEach(async () => {
    warn.mockClear();
    await db.prisma.auditEvent.deleteMany();
  });

  const auditRows = () => db.prisma.auditEvent.findMany({ orderBy: { id: "asc" } });

  describe("allowRep", () => {
    it("lets a rep through without telling, logging or auditing anything", async () => {
      const tell = vi.fn(async () => {});
      expect(await allowRep(ctx, REP, { log: "refused", audit: "rep_action.refused", tell })).toBe(true);
      expect(tell).not.toHaveBeenCalled();
      expect(warn).not.toHaveBeenCalled();
      expect(await auditRows()).toEqual([]);
    });

    it("refuses a customer's HR admin: told politely, logged and audited as external", async () => {
      const tell = vi.fn(async (_text: string) => {});
      const allowed = await allowRep(ctx, HR, {
        log: "non-rep tried /fleet onboard",
        fields: { command: "onboard" },
        audit: "rep_action.refused",
        detail: { command: "onboard" },
        tell,
      });
      expect(allowed).toBe(false);
      expect(tell).toHaveBeenCalledExactlyOnceWith(refusalFor(HR));
      expect(tell.mock.calls[0]?.[0]).toMatch(/Fleet's team/);
      expect(warn).toHaveBeenCalledWith(
        { user: HR.userId, team: HR.teamId, command: "onboard" },
        "non-rep tried /fleet onboard",
      );
      expect(await auditRows()).toMatchObject([
        {
          action: "rep_action.refused",
          actorUserId: HR.userId,
          actorTeamId: HR.teamId,
          external: true,
          detail: { command: "onboard" },
          onboardingId: null,
        },
      ]);
    });

    it("refuses a guest of our workspace even when the rep list names them", async () => {
      const tell = vi.fn(async (_text: string) => {});
      expect(await allowRep(ctx, GUEST, { audit: "rep_action.refused", tell })).toBe(false);
      expect(tell).toHaveBeenCalledExactlyOnceWith(refusalFor(GUEST));
    });

    it("refuses a colleague who is not a rep, with the internal wording", async () => {
      const tell = vi.fn(async (_text: string) => {});
      expect(await allowRep(ctx, COLLEAGUE, { audit: "rep_action.refused", tell })).toBe(false);
      expect(tell).toHaveBeenCalledExactlyOnceWith(refusalFor(COLLEAGUE));
      expect(tell.mock.calls[0]?.[0]).toMatch(/only Fleet's account reps/);
      expect(await auditRows()).toMatchObject([{ actorUserId: COLLEAGUE.userId, external: false }]);
      expect(warn).not.toHaveBeenCalled();
    });

    it("records the refusal before telling, unless told to tell first (a slash command's ack)", async () => {
      const seenByTell: number[] = [];
      const tell = async () => {
        seenByTell.push(await db.prisma.auditEvent.count());
      };
      await allowRep(ctx, HR, { audit: "first", tell });
      await allowRep(ctx, HR, { audit: "second", tell, tellFirst: true });
      // The first refusal was in the trail when its person was told; the second was not yet.
      expect(seenByTell).toEqual([1, 1]);
      expect((await auditRows()).map((r) => r.action)).toEqual(["first", "second"]);
    });

    it("refuses without an audit row or a log line when the refusal asks for neither", async () => {
      const tell = vi.fn(async () => {});
      expect(await allowRep(ctx, HR, { tell })).toBe(false);
      expect(tell).toHaveBeenCalledOnce();
      expect(warn).not.toHaveBeenCalled();
      expect(await auditRows()).toEqual([]);
    });
  });

  describe("onboardingOrTell", () => {
    let onboardingId: string;
    beforeAll(async () => {
      const onboarding = await insertOnboarding(
        db,
        { ownerUserId: REP.userId, createdByUserId: REP.userId, homeTeamId: HOME, channelId: "C0ACME" },
        { name: "Acme Corp" },
      );
      onboardingId = onboarding.id;
    });

    it("finds the onboarding by company name, or by the channel, and tells nobody", async () => {
      const respond = vi.fn(async () => {});
      expect((await onboardingOrTell(ctx, "acme corp", undefined, respond as never))?.id).toBe(onboardingId);
      expect((await onboardingOrTell(ctx, "Acme", "C0ELSEWHERE", respond as never))?.id).toBe(onboardingId);
      expect((await onboardingOrTell(ctx, undefined, "C0ACME", respond as never))?.customer.name).toBe(
        "Acme Corp",
      );
      expect(respond).not.toHaveBeenCalled();
    });

    it("answers null and tells the rep, ephemerally, why nothing was found", async () => {
      const respond = vi.fn(async (_message: unknown) => {});
      expect(await onboardingOrTell(ctx, "Globex", undefined, respond as never)).toBeNull();
      expect(await onboardingOrTell(ctx, undefined, "C0NOTACUSTOMER", respond as never)).toBeNull();
      expect(respond.mock.calls.map(([m]) => m)).toEqual([
        {
          response_type: "ephemeral",
          text: expect.stringContaining(`I don't know a customer called "Globex"`),
        },
        { response_type: "ephemeral", text: expect.stringContaining("Which customer?") },
      ]);
    });
  });
});
