/**
 * Publishing the App Home: on `app_home_opened`, on the rep's own toggles, and — debounced — whenever
 * something about their onboardings changes.
 */

import { memorySlot } from "../app-memory.ts";
import { buildExternalHomeView, buildHomeView } from "../blocks/home.ts";
import { BoundedCache } from "../bounded-cache.ts";
import { type AppContext, isOurUser } from "../context.ts";
import type { OnboardingChange } from "../hooks.ts";
import { isRepUser } from "../slack-gateway/reps.ts";
import { slackUserFacts } from "../slack-gateway/users.ts";
import { loadConnectionsNeedingAction } from "./connections-needing-action.ts";
import { failedRemindersOf } from "./failed-reminders.ts";
import { type HomeScope, loadDeadLetters, loadHomePage } from "./home-data.ts";
import { loadSetAside } from "./set-aside.ts";

/** Each app's page and scope each rep last looked at, so a refresh keeps their place (a day, 5,000 people). */
const LAST_VIEW = memorySlot(
  "home places",
  () =>
    new BoundedCache<string, { scope: HomeScope; page: number; deadPage: number; setAsidePage: number }>(
      5_000,
      86_400_000,
    ),
);

/** Whether the user is one of ours: our workspace or, on Enterprise Grid, our org (users.info, cached). */
export async function isOurMember(ctx: AppContext, userId: string): Promise<boolean> {
  const facts = await slackUserFacts(ctx, userId);
  return (
    !!facts?.teamId &&
    isOurUser(ctx.identity, { teamId: facts.teamId, enterpriseId: facts.enterpriseId ?? undefined })
  );
}

/** Publishes a user's Home: the cockpit for our people, a neutral page for everyone else. */
export async function publishHome(
  ctx: AppContext,
  userId: string,
  /** `scope: "all"` only for reps: the listener decides (src/slack/listeners/home.ts). */
  view: { scope?: HomeScope; page?: number; deadPage?: number; setAsidePage?: number; teamId?: string } = {},
): Promise<void> {
  const ours = view.teamId
    ? isOurUser(ctx.identity, { teamId: view.teamId })
    : await isOurMember(ctx, userId);
  if (!ours) {
    await ctx.slack.views.publish({ user_id: userId, view: buildExternalHomeView() });
    return;
  }
  const lastView = ctx.memory.of(LAST_VIEW);
  const previous = lastView.get(userId);
  const scope = view.scope ?? previous?.scope ?? "mine";
  const page = await loadHomePage(ctx, { userId, scope, page: view.page ?? previous?.page ?? 0 });
  // Deliveries that could not be applied: only reps see them (they may hold a customer's words).
  const rep = await isRepUser(ctx, userId);
  page.deadLetters = rep ? await loadDeadLetters(ctx, view.deadPage ?? previous?.deadPage ?? 0) : null;
  page.setAside = rep ? await loadSetAside(ctx, view.setAsidePage ?? previous?.setAsidePage ?? 0) : null;
  page.connections = await loadConnectionsNeedingAction(ctx, scope === "all" ? {} : { ownerUserId: userId });
  page.failedReminders = await failedRemindersOf(ctx, userId);
  lastView.set(userId, {
    scope,
    page: page.page,
    deadPage: page.deadLetters?.page ?? 0,
    setAsidePage: page.setAside?.page ?? 0,
  });
  await ctx.slack.views.publish({
    user_id: userId,
    view: buildHomeView(page, { teamId: ctx.identity.teamId }),
  });
}

/** Each app's refreshes waiting to publish, by rep; their timers are cleared when the app stops. */
const PENDING = memorySlot("home refreshes", () => {
  const pending = new Map<string, { timer: NodeJS.Timeout; firstAt: number }>();
  return Object.assign(pending, {
    dispose() {
      for (const { timer } of pending.values()) clearTimeout(timer);
      pending.clear();
    },
  });
});

/**
 * Re-publishes a rep's Home shortly after a change: several changes in a row publish once, and a steady
 * stream of changes (ticks every second) still publishes at least every `maxWaitMs`, not only once it stops.
 */
export function refreshHomeSoon(ctx: AppContext, userId: string, delayMs = 1_500, maxWaitMs = 5_000): void {
  const now = Date.now();
  const pending = ctx.memory.of(PENDING);
  const existing = pending.get(userId);
  if (existing) {
    // Waited long enough: let the pending publish fire; it reads the latest state.
    if (now - existing.firstAt + delayMs > maxWaitMs) return;
    clearTimeout(existing.timer);
  }
  const timer = setTimeout(() => {
    pending.delete(userId);
    publishHome(ctx, userId, { teamId: ctx.identity.teamId }).catch((err: unknown) =>
      ctx.logger.warn({ err, user: userId }, "could not refresh the Home tab"),
    );
  }, delayMs);
  timer.unref();
  pending.set(userId, { timer, firstAt: existing?.firstAt ?? now });
}

/** Subscribes the Home refresh to "an onboarding changed": the owner's Home follows (and, on a hand-over, the former owner's). */
export function subscribeHomeRefresh(ctx: AppContext): () => void {
  return ctx.hooks.subscribe((change: OnboardingChange) => {
    refreshHomeSoon(ctx, change.ownerUserId);
    if (change.formerOwnerUserId) refreshHomeSoon(ctx, change.formerOwnerUserId);
  });
}
