/**
 * Reads what the reminder, digest and nudge messages say, fresh from the database at send time (a
 * reminder queued yesterday must show today's progress). Plain objects out; the views render them.
 */

import type { DigestCall } from "../blocks/rep-digest.ts";
import { checklistItems } from "../checklist/items.ts";
import type { ItemState } from "../checklist/progress.ts";
import { computeProgress, type OpenItem } from "../checklist/progress.ts";
import { providerCatalogue } from "../checklist/provider-catalogue.ts";
import { loadItemStatesOfMany } from "../checklist/state.ts";
import type { ProviderTemplate } from "../checklist/template-format.ts";
import type { AppContext } from "../context.ts";
import { nudgeAllowed } from "./rules.ts";

export type { DigestCall };

/** Invite statuses whose Slack user is (still) in the channel and may be mentioned. */
const IN_CHANNEL = ["accepted", "approved"];

/** Everything the day-before reminder needs about one onboarding. */
export interface CallReminderFacts {
  status: string;
  callAt: Date | null;
  timeZone: string;
  channelId: string | null;
  companyName: string;
  providerId: string;
  providerName: string;
  ownerUserId: string;
  integrationUserEmail: string;
  openByOwner: { customer: string[]; fleet: string[] };
  /** Every open box, named, with who acts (the one truth the checklist and report also show). */
  openItems: OpenItem[];
  allStepsDone: boolean;
  connectionVerified: boolean;
  hrAdminUserIds: string[];
}

/** An onboarding as the reminders read it, with its items' stored states. */
export interface OnboardingForReminders {
  id: string;
  status: string;
  providerId: string;
  callAt: Date | null;
  timeZone: string;
  channelId: string | null;
  ownerUserId: string;
  integrationUserEmail: string;
  createdAt: Date;
  lastCustomerActivityAt: Date | null;
  lastNudgeAt: Date | null;
  customer: { name: string };
  invites: Array<{ slackUserId: string | null; status: string }>;
  connection: { status: string; verifiedAt: Date | null } | null;
  states: Map<string, ItemState>;
}

/**
 * Reads many onboardings for their reminders in one statement, whatever their count (each with its customer's
 * name, connection, invites and item states): a page of reminders costs one query, not a handful per
 * reminder. In SQL through the driver rather than a Prisma `findMany` with includes, which takes five queries
 * and several times the CPU (or `$queryRaw`, which still costs Prisma's query compiler). Missing ids are
 * absent from the map.
 */
export async function loadForReminders(
  ctx: Pick<AppContext, "db">,
  onboardingIds: readonly string[],
): Promise<Map<string, OnboardingForReminders>> {
  const ids = [...new Set(onboardingIds)];
  if (ids.length === 0) return new Map();
  const rows = (await ctx.db.sql.query(
    `SELECT o.id::text AS id, o.status, o.provider_id AS "providerId", o.call_at AS "callAt",
      o.time_zone AS "timeZone", o.channel_id AS "channelId", o.owner_user_id AS "ownerUserId",
      o.integration_user_email AS "integrationUserEmail", o.created_at AS "createdAt",
      o.last_customer_activity_at AS "lastCustomerActivityAt", o.last_nudge_at AS "lastNudgeAt",
      c.name AS "customerName", fc.status AS "connectionStatus", fc.verified_at AS "connectionVerifiedAt",
      (SELECT coalesce(json_agg(json_build_object('slackUserId', i.slack_user_id, 'status', i.status)), '[]')::text
        FROM invite AS i WHERE i.onboarding_id = o.id) AS invites,
      (SELECT coalesce(json_agg(json_build_object('itemKey', s.item_key, 'done', s.done, 'source', s.source,
          'byUserId', s.by_user_id, 'changedAt', s.changed_at, 'note', s.note)), '[]')::text
        FROM step_state AS s WHERE s.onboarding_id = o.id) AS states
    FROM onboarding AS o
    JOIN customer AS c ON c.id = o.customer_id
    LEFT JOIN finch_connection AS fc ON fc.onboarding_id = o.id
    WHERE o.id = ANY($1::uuid[])`,
    [ids],
  )) as RawOnboarding[];
  return new Map(rows.map((r) => [r.id, fromRaw(r)]));
}

type RawOnboarding = Omit<OnboardingForReminders, "customer" | "invites" | "connection" | "states"> & {
  customerName: string;
  connectionStatus: string | null;
  connectionVerifiedAt: Date | null;
  invites: string;
  states: string;
};

function fromRaw(r: RawOnboarding): OnboardingForReminders {
  const { customerName, connectionStatus, connectionVerifiedAt, invites, states, ...o } = r;
  const stateRows = JSON.parse(states) as Array<{
    itemKey: string;
    done: boolean;
    source: string;
    byUserId: string | null;
    changedAt: string;
    note: string | null;
  }>;
  return {
    ...o,
    customer: { name: customerName },
    connection:
      connectionStatus === null ? null : { status: connectionStatus, verifiedAt: connectionVerifiedAt },
    invites: JSON.parse(invites),
    states: new Map(
      stateRows.map((s) => [
        s.itemKey,
        {
          done: s.done,
          source: s.source === "finch" ? "finch" : "slack",
          byUserId: s.byUserId,
          at: new Date(s.changedAt),
          note: s.note,
        },
      ]),
    ),
  };
}

/** The facts of an onboarding's day-before reminder; null when the onboarding no longer exists. */
export async function callReminderFacts(
  ctx: AppContext,
  onboardingId: string,
): Promise<CallReminderFacts | null> {
  const o = (await loadForReminders(ctx, [onboardingId])).get(onboardingId);
  return o ? callReminderFactsOf(o, providerCatalogue(ctx).template(o.providerId)) : null;
}

/** {@link callReminderFacts} of an onboarding already read, with its provider's template. */
export function callReminderFactsOf(
  o: OnboardingForReminders,
  template: ProviderTemplate,
): CallReminderFacts {
  const progress = computeProgress(template, o.states);
  return {
    status: o.status,
    callAt: o.callAt,
    timeZone: o.timeZone,
    channelId: o.channelId,
    companyName: o.customer.name,
    providerId: o.providerId,
    providerName: template.displayName,
    ownerUserId: o.ownerUserId,
    integrationUserEmail: o.integrationUserEmail,
    openByOwner: progress.openByOwner,
    openItems: progress.openItems,
    allStepsDone: progress.allDone,
    connectionVerified: !!o.connection?.verifiedAt,
    hrAdminUserIds: inChannelAdmins(o.invites),
  };
}

const inChannelAdmins = (invites: OnboardingForReminders["invites"]) =>
  invites.flatMap((i) => (i.slackUserId && IN_CHANNEL.includes(i.status) ? [i.slackUserId] : []));

/** Whether an onboarding should be nudged now, and what the nudge says. */
export interface NudgeFacts {
  eligible: boolean;
  reason: string | null;
  status: string;
  channelId: string | null;
  companyName: string;
  timeZone: string;
  callAt: Date | null;
  openCustomerSteps: string[];
  /** The customer's open boxes (what the nudge names). */
  openCustomerItems: OpenItem[];
  hrAdminUserIds: string[];
  lastTouch: Date;
}

/** Reads an onboarding's nudge facts and applies the nudge rules ({@link nudgeAllowed}). */
export async function nudgeFacts(ctx: AppContext, onboardingId: string, now: Date): Promise<NudgeFacts> {
  const o = (await loadForReminders(ctx, [onboardingId])).get(onboardingId);
  if (!o) throw new Error(`onboarding ${onboardingId} not found`);
  return nudgeFactsOf(ctx, o, now);
}

/** {@link nudgeFacts} of an onboarding already read. */
export function nudgeFactsOf(
  ctx: Pick<AppContext, "config" | "memory">,
  o: OnboardingForReminders,
  now: Date,
): NudgeFacts {
  const template = providerCatalogue(ctx).template(o.providerId);
  const states = o.states;
  const progress = computeProgress(template, states);
  // "Untouched" means no change to any customer-owned item (ticks by anyone, or Finch proving one).
  const customerItems = new Set(
    checklistItems(template)
      .filter((i) => i.owner === "customer")
      .map((i) => i.key),
  );
  let lastTouch =
    o.lastCustomerActivityAt && o.lastCustomerActivityAt > o.createdAt
      ? o.lastCustomerActivityAt
      : o.createdAt;
  for (const [key, state] of states) {
    if (customerItems.has(key) && state.at && state.at > lastTouch) lastTouch = state.at;
  }
  const hrAdminUserIds = inChannelAdmins(o.invites);
  const verdict =
    o.status !== "active"
      ? ({ ok: false, reason: "the onboarding is closed" } as const)
      : !o.channelId
        ? ({ ok: false, reason: "the onboarding has no channel yet" } as const)
        : nudgeAllowed({
            now,
            timeZone: o.timeZone,
            nudgeAfterDays: ctx.config.thresholds.nudgeAfterDays,
            lastTouch,
            lastNudgeAt: o.lastNudgeAt,
            callAt: o.callAt,
            openCustomerSteps: progress.openByOwner.customer,
            customerInChannel: o.invites.some((i) => IN_CHANNEL.includes(i.status)),
          });
  return {
    eligible: verdict.ok,
    reason: verdict.ok ? null : verdict.reason,
    status: o.status,
    channelId: o.channelId,
    companyName: o.customer.name,
    timeZone: o.timeZone,
    callAt: o.callAt,
    openCustomerSteps: progress.openByOwner.customer,
    openCustomerItems: progress.openItems.filter((i) => i.owner === "customer"),
    hrAdminUserIds,
    lastTouch,
  };
}

/** The rep's active onboardings with a call in [start, end), with each customer's readiness. */
export async function digestCalls(
  ctx: AppContext,
  userId: string,
  window: { start: Date; end: Date },
): Promise<DigestCall[]> {
  const rows = await ctx.db.prisma.onboarding.findMany({
    where: { ownerUserId: userId, status: "active", callAt: { gte: window.start, lt: window.end } },
    include: {
      customer: { select: { name: true } },
      invites: { select: { status: true } },
      connection: { select: { status: true, verifiedAt: true } },
    },
    orderBy: { callAt: "asc" },
  });
  const states = await loadItemStatesOfMany(
    ctx,
    rows.map((o) => o.id),
  );
  const calls: DigestCall[] = [];
  for (const o of rows) {
    if (!o.callAt) continue;
    const progress = computeProgress(
      providerCatalogue(ctx).template(o.providerId),
      states.get(o.id) ?? new Map(),
    );
    calls.push({
      onboardingId: o.id,
      companyName: o.customer.name,
      channelId: o.channelId,
      callAt: o.callAt,
      timeZone: o.timeZone,
      stepsDone: progress.stepsDone,
      stepsTotal: progress.stepsTotal,
      openItems: progress.openItems,
      connectionStatus: o.connection?.status ?? null,
      connectionVerified: !!o.connection?.verifiedAt,
      invitesAccepted: o.invites.filter((i) => IN_CHANNEL.includes(i.status)).length,
      invitesTotal: o.invites.length,
    });
  }
  return calls;
}
