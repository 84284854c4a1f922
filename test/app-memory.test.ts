/**
 * Per-app state lives in each app's context (src/app-memory.ts), not in module scope: two apps in one
 * process — tests start several, each against its own Slack stand-in — never see each other's caches.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { AppMemory, memorySlot } from "../src/app-memory.ts";
import { refreshHomeSoon } from "../src/cockpit/home.ts";
import type { AppContext } from "../src/context.ts";
import { slackUserFacts } from "../src/slack-gateway/users.ts";

/** A context of its own, whose Slack says `U0SAME` belongs to `teamId`; counts its users.info calls. */
function appOn(teamId: string) {
  const usersInfo = vi.fn(async () => ({ ok: true, user: { id: "U0SAME", team_id: teamId } }));
  const warnings: string[] = [];
  const ctx = {
    identity: { teamId },
    slack: { users: { info: usersInfo } },
    logger: { warn: (_: unknown, msg: string) => warnings.push(msg) },
    memory: new AppMemory(),
  } as unknown as AppContext;
  return { ctx, usersInfo, warnings };
}

describe("per-app memory", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("builds a slot once per app, and separately for each app", () => {
    const slot = memorySlot("test", () => new Map<string, number>());
    const a = new AppMemory();
    const b = new AppMemory();
    a.of(slot).set("k", 1);
    expect(a.of(slot).get("k")).toBe(1);
    expect(b.of(slot).has("k")).toBe(false);
  });

  it("two apps in one process do not share the users they looked up", async () => {
    const one = appOn("T0ONE");
    const two = appOn("T0TWO");
    expect((await slackUserFacts(one.ctx, "U0SAME"))?.teamId).toBe("T0ONE");
    expect((await slackUserFacts(one.ctx, "U0SAME"))?.teamId).toBe("T0ONE");
    expect(one.usersInfo).toHaveBeenCalledTimes(1);
    // The second app asks its own Slack, where the same id is someone else.
    expect((await slackUserFacts(two.ctx, "U0SAME"))?.teamId).toBe("T0TWO");
    expect(two.usersInfo).toHaveBeenCalledTimes(1);
  });

  it("an app that stops lets go of its pending Home refreshes; another app's still publish", async () => {
    vi.useFakeTimers();
    const stopping = appOn("T0ONE");
    const running = appOn("T0TWO");
    refreshHomeSoon(stopping.ctx, "U0REP", 100, 1_000);
    refreshHomeSoon(running.ctx, "U0REP", 100, 1_000);
    stopping.ctx.memory.dispose();
    await vi.advanceTimersByTimeAsync(500);
    // A publish attempt shows as the warning of a failing publish (these contexts have no views API).
    expect(stopping.warnings).toEqual([]);
    expect(running.warnings).toEqual(["could not refresh the Home tab"]);
  });
});
