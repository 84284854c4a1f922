/**
 * A tick on the private page goes through the durable intake, like a tick in Slack: stored before the page's
 * answer, applied by the intake (leased, retried with backoff, a dead letter in the App Home after the last
 * attempt), and ordered with the Slack ticks of the same checkbox — the same order key as Slack's delivery of
 * that checkbox (src/slack/intake/describe.ts), so a page tick then a Slack untick end unticked, and a stale
 * one is obsolete. The stored body names the link by id and its recipient; never the page's token.
 */
import { randomUUID } from "node:crypto";
import { emailActor } from "../audit/actor.ts";
import type { AppContext } from "../context.ts";
import { decryptSecret } from "../crypto.ts";
import type { IncomingDelivery, StoredDelivery } from "../intake/delivery.ts";
import type { DurableIntake } from "../intake/intake.ts";
import { tickFromPage } from "../onboarding/checklist-service.ts";
import type { PortalLink } from "../onboarding/portal-links.ts";
import { inDelivery } from "../slack-gateway/delivery-scope.ts";
import { tickActionId } from "../slack-gateway/ids.ts";
import type { PageStep } from "./page-data.ts";

/** What a page tick's delivery carries (stored encrypted). */
interface PageTickBody {
  linkId: string;
  onboardingId: string;
  email: string;
  itemKey: string;
  checked: boolean;
}

/** The intake's kind for a page tick. */
export const PAGE_TICK_KIND = "portal:tick";

/**
 * Describes one POST of a tick: a fresh key per POST (a reload after the 303 does not post again), the order
 * key of the checkbox in the onboarding's channel (or of the onboarding, without a channel yet).
 */
export function describePageTick(
  link: PortalLink,
  tick: { itemKey: string; checked: boolean; channelId: string | null },
): IncomingDelivery {
  const element = tickActionId(tick.itemKey);
  const body: PageTickBody = {
    linkId: link.id,
    onboardingId: link.onboardingId,
    email: link.email,
    itemKey: tick.itemKey,
    checked: tick.checked,
  };
  return {
    key: `portal:${randomUUID()}`,
    source: "portal",
    kind: PAGE_TICK_KIND,
    orderKey: tick.channelId
      ? `slack:${tick.channelId}:${element}`
      : `portal:${link.onboardingId}:${element}`,
    // The tick carries the box's whole state: a newer applied change of the box makes it obsolete.
    absolute: true,
    userId: null,
    teamId: null,
    channelId: tick.channelId,
    summary: `private page: checkbox ${element} (${tick.checked ? "ticked" : "unticked"})`.slice(0, 150),
    body,
    receivedAt: new Date(),
  };
}

/**
 * Registers the applier of page ticks: Slack's tick path by the link's recipient. A tick the rules refuse now
 * (the onboarding closed meanwhile) is applied as refused, not retried; a failure (Slack's chat.update) is.
 */
export function handlePageTicks(ctx: AppContext, intake: DurableIntake): void {
  intake.handle("portal", (delivery: StoredDelivery, live: boolean) => {
    const body = delivery.body as PageTickBody;
    const scope = {
      key: delivery.key,
      attempt: delivery.attempts,
      receivedAt: delivery.receivedAt,
      replay: !live,
    };
    return inDelivery(scope, async () => {
      const result = await tickFromPage(ctx, {
        onboardingId: body.onboardingId,
        itemKey: body.itemKey,
        checked: body.checked,
        actor: emailActor(body.email),
      });
      if (!result.ok) {
        ctx.logger.info(
          { onboardingId: body.onboardingId, reason: result.reason },
          "a stored page tick was not applied: the tick rules refused it",
        );
      }
    });
  });
}

/**
 * The page's ticks of an onboarding that are stored but not applied yet (queued behind an older change of their
 * box, or waiting for a retry): item key → the state asked for, the latest one winning.
 */
export async function savingPageTicks(ctx: AppContext, onboardingId: string): Promise<Map<string, boolean>> {
  const rows = await ctx.db.prisma.intakeDelivery.findMany({
    where: { source: "portal", kind: PAGE_TICK_KIND, status: { in: ["pending", "applying"] } },
    orderBy: { receivedAt: "asc" },
    select: { payload: true },
    take: 200,
  });
  const saving = new Map<string, boolean>();
  for (const row of rows) {
    if (!row.payload) continue;
    try {
      const body = JSON.parse(decryptSecret(row.payload, ctx.keys)) as PageTickBody;
      if (body.onboardingId === onboardingId) saving.set(body.itemKey, body.checked);
    } catch {
      // Unreadable: the intake makes it a dead letter; the page shows the state as stored.
    }
  }
  return saving;
}

/** The page's steps with the ticks still being saved shown as asked, marked `saving`. */
export function withSaving(steps: PageStep[], saving: Map<string, boolean>): PageStep[] {
  if (saving.size === 0) return steps;
  return steps.map((step) => ({
    ...step,
    items: step.items.map((item) => {
      const asked = saving.get(item.key);
      return asked === undefined ? item : { ...item, done: asked, saving: true };
    }),
  }));
}
