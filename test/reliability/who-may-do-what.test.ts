/**
 * Who may do what (issue #12, point 5): guests of our own workspace are never reps, even when listed; an
 * onboarding's owner must be a rep (`/fleet owner` and the modal's owner picker); everyone's onboardings in
 * the App Home are for reps only; a Connect link cannot replace a verified connection.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OnboardField } from "../../src/blocks/onboard-modal.ts";
import { connectUrlFor, reconnectUrlFor } from "../../src/onboarding/connect-links.ts";
import { connect, onboard, openLink } from "../finch/helpers.ts";
import { eventually, type Harness, HOME_TEAM, REP, REP2, startHarness } from "../helpers/harness.ts";

const GUEST = { id: "U0GUEST", teamId: HOME_TEAM.id, name: "gus.guest", guest: "multi" as const };
const SINGLE = { id: "U0SINGLE", teamId: HOME_TEAM.id, name: "sam.single", guest: "single" as const };
const COLLEAGUE = { id: "U0PAT", teamId: HOME_TEAM.id, name: "pat.finance" };

describe("who may do what", () => {
  let h: Harness;
  beforeAll(async () => {
    // The guests are even on the rep list: being a guest still wins. Pat is a colleague, not a rep.
    h = await startHarness({
      env: { FLEET_REP_USER_IDS: [REP.id, REP2.id, GUEST.id, SINGLE.id].join(",") },
    });
    for (const user of [GUEST, SINGLE, COLLEAGUE]) h.slack.addUser(user);
  });
  afterAll(async () => h?.stop());

  async function command(userId: string, text: string, channelId = "C0SALES") {
    const res = await h.driver.command({ text, userId, teamId: HOME_TEAM.id, channelId });
    const sync = JSON.stringify(res.body ?? "");
    if (!sync.includes("Working on it")) return sync;
    return JSON.stringify(await h.driver.waitForResponse(res.responseUrl, 10_000));
  }

  it("guests of our workspace (multi- and single-channel) are never reps, even on the rep list", async () => {
    for (const guest of [GUEST, SINGLE]) {
      const reply = await command(guest.id, "onboard Guestco hr=a@guestco.example");
      expect(reply).toContain("only Fleet's account reps");
    }
    expect(await h.db.prisma.customer.count({ where: { name: "Guestco" } })).toBe(0);
    // Nor can a rep make a guest the owner of a new onboarding.
    const reply = await command(REP.id, `onboard Guestco hr=a@guestco.example owner=<@${GUEST.id}>`);
    expect(reply).toContain("not one of Fleet's account reps");
    expect(await h.db.prisma.customer.count({ where: { name: "Guestco" } })).toBe(0);
  });

  it("/fleet owner: only a rep can own an onboarding — not a guest, not a colleague who is no rep", async () => {
    const o = await onboard(h, "Ownerco");
    for (const user of [GUEST, COLLEAGUE]) {
      const reply = await command(REP.id, `owner Ownerco <@${user.id}>`);
      expect(reply).toContain("not one of Fleet's account reps");
    }
    expect((await h.db.prisma.onboarding.findUniqueOrThrow({ where: { id: o.id } })).ownerUserId).toBe(
      REP.id,
    );
    expect(await command(REP.id, `owner Ownerco <@${REP2.id}>`)).toContain(`now belongs to <@${REP2.id}>`);
  });

  it("the modal's owner picker refuses a guest as owning rep and creates nothing", async () => {
    const submit = (owner: string) =>
      h.driver.viewSubmission({
        user: { id: REP.id, teamId: HOME_TEAM.id },
        view: {
          id: "V0MODAL",
          callback_id: "onboard_modal",
          state: {
            values: {
              [OnboardField.company]: {
                [OnboardField.company]: { type: "plain_text_input", value: "Pickerco" },
              },
              [OnboardField.hrEmails]: {
                [OnboardField.hrEmails]: { type: "plain_text_input", value: "hr@pickerco.example" },
              },
              [OnboardField.provider]: {
                [OnboardField.provider]: {
                  type: "static_select",
                  selected_option: { value: "justworks", text: { type: "plain_text", text: "Justworks" } },
                },
              },
              [OnboardField.timeZone]: {
                [OnboardField.timeZone]: { type: "plain_text_input", value: "Europe/Berlin" },
              },
              [OnboardField.owner]: { [OnboardField.owner]: { type: "users_select", selected_user: owner } },
            },
          } as never,
        },
      });
    const refused = await submit(SINGLE.id);
    expect(refused.body).toMatchObject({
      response_action: "errors",
      errors: { [OnboardField.owner]: expect.stringContaining("account reps") },
    });
    await h.app.inFlight.drain(5_000);
    expect(await h.db.prisma.customer.count({ where: { name: "Pickerco" } })).toBe(0);
  });

  it("everyone's onboardings in the App Home are for reps only", async () => {
    await onboard(h, "Homeco");
    // Let the Homes' debounced refreshes (1.5 s after a hand-over) go out first, so they are not taken
    // for the answer to the selection below.
    await new Promise((r) => setTimeout(r, 2_000));
    const select = async (userId: string) => {
      const before = h.slack.homeView(userId)?.updates ?? -1;
      await h.driver.blockActions({
        user: { id: userId, teamId: HOME_TEAM.id },
        view: { id: `V0HOME${userId}`, type: "home", blocks: [] },
        actions: [{ action_id: "home_scope", type: "static_select", selected_option: { value: "all" } }],
      });
      return eventually(
        () => {
          const v = h.slack.homeView(userId);
          return v && v.updates !== before ? JSON.stringify(v.blocks) : null;
        },
        5_000,
        "home view",
      );
    };
    expect(await select(REP2.id)).toContain("Homeco");
    for (const user of [COLLEAGUE, GUEST]) expect(await select(user.id)).not.toContain("Homeco");
  });

  it("a Connect link cannot replace a verified connection; the rep's explicit reconnect still works", async () => {
    const o = await onboard(h, "Verifiedco");
    await connect(h, o);
    await eventually(
      () =>
        h.db.prisma.finchConnection.findFirst({ where: { onboardingId: o.id, verifiedAt: { not: null } } }),
      10_000,
      "verified connection",
    );
    const sessionsBefore = await h.db.prisma.finchConnectSession.count({ where: { onboardingId: o.id } });
    const res = await fetch(connectUrlFor(h.app.ctx, o.id), { redirect: "manual" });
    expect(res.status).toBe(409);
    expect(await res.text()).toContain("already connected");
    expect(await h.db.prisma.finchConnectSession.count({ where: { onboardingId: o.id } })).toBe(
      sessionsBefore,
    );
    // The rep's explicit reconnect: a re-authentication of the same connection, not a new one.
    const reply = await command(REP.id, "reconnect Verifiedco");
    expect(reply).toContain("Reconnect link");
    const opened = await openLink(reconnectUrlFor(h.app.ctx, o.id));
    expect(opened.status).toBe(302);
    const session = await h.db.prisma.finchConnectSession.findFirstOrThrow({
      where: { onboardingId: o.id },
      orderBy: { createdAt: "desc" },
    });
    expect(session.kind).toBe("reauth");
  });
});

describe("/finch/callback rate limit", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { FINCH_CALLBACK_LIMIT_PER_MINUTE: "5" } });
  });
  afterAll(async () => h?.stop());

  it("answers 429 with Retry-After and a friendly page past the per-IP limit; refused guesses leave no rows", async () => {
    const statuses: number[] = [];
    let limited: Response | undefined;
    for (let i = 0; i < 8; i++) {
      const res = await fetch(`${h.app.url}/finch/callback?code=unknown-code-${i}-${"x".repeat(12)}`, {
        redirect: "manual",
      });
      statuses.push(res.status);
      if (res.status === 429) limited ??= res;
      else await res.text();
    }
    expect(statuses.slice(0, 5).every((s) => s !== 429)).toBe(true);
    expect(statuses.slice(5)).toEqual([429, 429, 429]);
    const retryAfter = Number(limited?.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(await limited?.text()).toContain("Too many attempts");
    // Only the five allowed guesses were claimed (and pruned later: test/db/claims.test.ts).
    expect(await h.db.prisma.processedDelivery.count({ where: { key: { startsWith: "finch-code:" } } })).toBe(
      5,
    );
  });
});
