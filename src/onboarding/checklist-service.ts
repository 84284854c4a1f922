/**
 * The checklist's state lives in the database; Slack shows a rendering of it. Every change bumps the
 * onboarding's `checklistVersion`; a render re-reads and re-sends until the version it showed is still the
 * latest, so two people ticking at the same moment both end up visible (no lost update).
 */

import { randomBytes } from "node:crypto";
import { memorySlot } from "../app-memory.ts";
import type { Actor } from "../audit/actor.ts";
import { audit } from "../audit/audit.ts";
import { buildChecklistMessage } from "../blocks/checklist.ts";
import { celebrationRepText, celebrationText } from "../blocks/onboarding-notes.ts";
import { checklistItems } from "../checklist/items.ts";
import { loginHolderOf } from "../checklist/login-holder.ts";
import { computeProgress } from "../checklist/progress.ts";
import { providerCatalogue } from "../checklist/provider-catalogue.ts";
import { itemStatesOf } from "../checklist/state.ts";
import type { AppContext } from "../context.ts";
import { withAdvisoryLock } from "../db/locks.ts";
import { mayHaveRunBefore } from "../slack-gateway/delivery-scope.ts";
import { MetadataEventType } from "../slack-gateway/ids.ts";
import { updateMessage } from "../slack-gateway/messages.ts";
import { postOnce } from "../slack-gateway/post-once.ts";
import { isFullMember } from "../slack-gateway/reps.ts";
import {
  celebrationFacts,
  renderFacts,
  type TickTarget,
  tickTargetByChannel,
  tickTargetById,
} from "./checklist-reads.ts";
import { connectUrlFor } from "./connect-links.ts";
import { isCustomerTeam } from "./customer-team.ts";

/** Builds the checklist message of an onboarding from the database (one statement, ./checklist-reads.ts). */
export async function buildChecklistFor(ctx: AppContext, onboardingId: string) {
  const onboarding = await renderFacts(ctx, onboardingId);
  const message = buildChecklistMessage({
    template: providerCatalogue(ctx).template(onboarding.providerId),
    loginHolder: loginHolderOf(onboarding.integrationUserEmail, ctx.config.integrationUser.email),
    companyName: onboarding.companyName,
    integrationUserName: onboarding.integrationUserName,
    integrationUserEmail: onboarding.integrationUserEmail,
    state: itemStatesOf(onboarding.steps),
    renderNonce: randomBytes(6).toString("base64url"),
    onboardingId,
    callAt: onboarding.callAt,
    connectUrl: onboarding.status === "active" ? connectUrlFor(ctx, onboardingId) : null,
    guestsPostOnly: onboarding.guestsPostOnly,
  });
  return { onboarding, message, version: onboarding.checklistVersion };
}

/** Each app's renders in flight, by onboarding, and whether another change arrived meanwhile. */
const RENDERING = memorySlot(
  "checklist renders",
  () => new Map<string, { done: Promise<void>; again: boolean }>(),
);

/**
 * Re-renders the pinned checklist until Slack shows the latest version. Within one process, changes that
 * arrive while a render is in flight are folded into one more render after it (a burst of ticks costs two
 * chat.update calls, not one per tick); across replicas each render runs under a PostgreSQL advisory lock
 * (db/locks.ts) and the version check keeps the last render current.
 */
export function refreshChecklist(ctx: AppContext, onboardingId: string): Promise<void> {
  const rendering = ctx.memory.of(RENDERING);
  const inFlight = rendering.get(onboardingId);
  if (inFlight) {
    inFlight.again = true;
    return inFlight.done;
  }
  const state = { again: false, done: Promise.resolve() };
  state.done = (async () => {
    try {
      do {
        state.again = false;
        // The render itself runs under the onboarding's lock: replicas never update the message at once.
        await withAdvisoryLock(ctx, `checklist:${onboardingId}`, () => renderUntilCurrent(ctx, onboardingId));
      } while (state.again);
    } finally {
      rendering.delete(onboardingId);
    }
  })();
  rendering.set(onboardingId, state);
  return state.done;
}

async function renderUntilCurrent(ctx: AppContext, onboardingId: string): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const { onboarding, message, version } = await buildChecklistFor(ctx, onboardingId);
    if (!onboarding.channelId || !onboarding.checklistTs) return;
    await updateMessage(ctx.slack, {
      channel: onboarding.channelId,
      ts: onboarding.checklistTs,
      text: message.text,
      blocks: message.blocks,
      metadata: message.metadata,
    });
    // Straight to the driver (db.sql): a one-column read that Prisma would spend more CPU planning than running.
    const [now] = (await ctx.db.sql.query("select checklist_version from onboarding where id = $1::uuid", [
      onboardingId,
    ])) as Array<{ checklist_version: number }>;
    if (!now || now.checklist_version === version) return;
  }
  ctx.logger.warn({ onboardingId }, "checklist kept changing while rendering; the next change re-renders it");
}

/** A tick or untick, from a person (in Slack or on the private page) or from Finch's verification. */
export interface ItemChange {
  onboardingId: string;
  itemKey: string;
  done: boolean;
  source: "slack" | "finch" | "page";
  actor?: Actor | null;
  note?: string | null;
  /** Also writes this audit event (detail: the item) in the same statement, if the change was made. */
  auditAction?: string;
}

/**
 * Stores one item change (state + history + version bump) in ONE statement; false when nothing changed.
 * `on conflict … do update … where distinct` locks the item's row, so concurrent deliveries of the same
 * tick record it once, and ticks of different items never wait on an interactive transaction.
 */
export async function recordItemChange(ctx: AppContext, change: ItemChange): Promise<boolean> {
  const now = ctx.clock.now();
  const external = change.actor ? !change.actor.internal : false;
  const userId = change.actor?.userId ?? null;
  const teamId = change.actor?.teamId ?? null;
  const note = change.note ?? null;
  // Through the driver (db.sql): this runs on every tick, and Prisma's raw query costs more CPU than it.
  const rows = await ctx.db.sql.query(
    `with changed as (
      insert into step_state as s (onboarding_id, item_key, done, source, by_user_id, by_team_id, by_external, note, changed_at)
      values ($1::uuid, $2::text, $3::boolean, $4::text, $5::text, $6::text, $7::boolean, $8::text, $9::timestamptz)
      on conflict (onboarding_id, item_key) do update
        set done = excluded.done, source = excluded.source, by_user_id = excluded.by_user_id,
            by_team_id = excluded.by_team_id, by_external = excluded.by_external, note = excluded.note,
            changed_at = excluded.changed_at
        where s.done is distinct from excluded.done or s.source is distinct from excluded.source
      returning 1
    ), history as (
      insert into tick (onboarding_id, item_key, checked, source, user_id, team_id, external, at)
      select $1::uuid, $2::text, $3::boolean, $4::text, $5::text, $6::text, $7::boolean, $9::timestamptz
      from changed
      returning 1
    ), audited as (
      insert into audit_event (onboarding_id, action, actor_user_id, actor_team_id, external, detail)
      select $1::uuid, $10::text, $5::text, $6::text, $7::boolean,
             case when $4::text = 'page' then jsonb_build_object('item', $2::text, 'via', 'page')
                  else jsonb_build_object('item', $2::text) end
      from changed where $10::text is not null
      returning 1
    )
    update onboarding
       set checklist_version = checklist_version + 1,
           last_customer_activity_at = case when $7::boolean then $9::timestamptz else last_customer_activity_at end,
           updated_at = $9::timestamptz
     where id = $1::uuid and exists (select 1 from changed)
    returning checklist_version as version`,
    [
      change.onboardingId,
      change.itemKey,
      change.done,
      change.source,
      userId,
      teamId,
      external,
      note,
      now,
      change.auditAction ?? null,
    ],
  );
  return rows.length > 0;
}

/** Result of a tick from Slack. */
export type TickResult =
  | { ok: true; changed: boolean }
  | { ok: false; reason: "not_a_checklist" | "unknown_item" | "not_allowed" | "closed"; message: string };

/** Handles a checkbox tick on a checklist message: authorize, store, re-render, celebrate. */
export async function tickFromSlack(
  ctx: AppContext,
  input: { channelId: string; messageTs: string; itemKey: string; checked: boolean; actor: Actor },
): Promise<TickResult> {
  const onboarding = await tickTargetByChannel(ctx, input.channelId);
  if (!onboarding || onboarding.checklistTs !== input.messageTs) {
    return { ok: false, reason: "not_a_checklist", message: "That message is not an active checklist." };
  }
  return applyTick(ctx, onboarding, { ...input, source: "slack" });
}

/**
 * A tick or untick from the customer's private page (src/portal): the same path as a tick in Slack — same
 * rules, same history, the Slack checklist re-rendered when a channel exists — by an email actor.
 */
export async function tickFromPage(
  ctx: AppContext,
  input: { onboardingId: string; itemKey: string; checked: boolean; actor: Actor },
): Promise<TickResult> {
  const onboarding = await tickTargetById(ctx, input.onboardingId);
  if (!onboarding) {
    return { ok: false, reason: "not_a_checklist", message: "This onboarding does not exist (any more)." };
  }
  return applyTick(ctx, onboarding, { ...input, source: "page" });
}

/**
 * Whether the private page may tick `itemKey` (the same rules as {@link tickFromPage}, nothing written but the
 * refusal's audit): checked before the tick is stored in the intake, so a refused one is answered on the page.
 * On success, the onboarding's channel (its Slack ticks' order key).
 */
export async function checkPageTick(
  ctx: AppContext,
  input: { onboardingId: string; itemKey: string; actor: Actor },
): Promise<{ ok: true; channelId: string | null } | Extract<TickResult, { ok: false }>> {
  const o = await tickTargetById(ctx, input.onboardingId);
  if (!o)
    return { ok: false, reason: "not_a_checklist", message: "This onboarding does not exist (any more)." };
  if (o.status !== "active") return { ok: false, reason: "closed", message: CLOSED };
  const item = checklistItems(providerCatalogue(ctx).template(o.providerId)).find(
    (i) => i.key === input.itemKey,
  );
  if (!item) return { ok: false, reason: "unknown_item", message: UNKNOWN_ITEM };
  const refusal = await tickRefusal(ctx, o, item.owner, input.actor);
  if (!refusal) return { ok: true, channelId: o.channelId };
  const detail = { item: input.itemKey, via: "page" };
  await audit(ctx, { onboardingId: o.id, action: "tick.refused", actor: input.actor, detail });
  return { ok: false, reason: "not_allowed", message: refusal };
}

const CLOSED = "This onboarding is closed; the checklist is kept for the record.";
const UNKNOWN_ITEM = "That checklist item does not exist (any more).";

/** Authorizes, stores, re-renders and celebrates one tick of an onboarding's checklist. */
async function applyTick(
  ctx: AppContext,
  onboarding: TickTarget,
  input: { itemKey: string; checked: boolean; actor: Actor; source: "slack" | "page" },
): Promise<TickResult> {
  if (onboarding.status !== "active") {
    return { ok: false, reason: "closed", message: CLOSED };
  }
  const template = providerCatalogue(ctx).template(onboarding.providerId);
  const item = checklistItems(template).find((i) => i.key === input.itemKey);
  if (!item) {
    return { ok: false, reason: "unknown_item", message: UNKNOWN_ITEM };
  }
  const refusal = await tickRefusal(ctx, onboarding, item.owner, input.actor);
  if (refusal) {
    await audit(ctx, {
      onboardingId: onboarding.id,
      action: "tick.refused",
      actor: input.actor,
      detail: { item: input.itemKey, via: input.source },
    });
    ctx.logger.warn({ onboardingId: onboarding.id, team: input.actor.teamId }, "tick refused");
    // Re-render so the refused person's client drops the tick it shows.
    await refreshChecklist(ctx, onboarding.id);
    return { ok: false, reason: "not_allowed", message: refusal };
  }
  const changed = await recordItemChange(ctx, {
    onboardingId: onboarding.id,
    itemKey: input.itemKey,
    done: input.checked,
    source: input.source,
    actor: input.actor,
    auditAction: input.checked ? "tick" : "untick",
  });
  // Always re-render: a client that showed a stale state gets the truth back.
  await refreshChecklist(ctx, onboarding.id);
  // Also on a retry of the tick (nothing changes then): its first attempt may have failed to celebrate.
  if (changed || mayHaveRunBefore()) {
    await ctx.hooks.changed({
      onboardingId: onboarding.id,
      ownerUserId: onboarding.ownerUserId,
      reason: "checklist",
    });
  }
  return { ok: true, changed };
}

/**
 * Why `actor` may not tick an item owned by `owner`, or null. The customer's team ticks its own steps; Fleet's
 * steps (the connection, proven by Finch) are for Fleet's full members — not a guest of our workspace
 * (users.info `is_restricted` / `is_ultra_restricted`), nor anyone Slack cannot vouch for.
 */
async function tickRefusal(
  ctx: AppContext,
  onboarding: Parameters<typeof isCustomerTeam>[1],
  owner: string,
  actor: Actor,
): Promise<string | null> {
  if (actor.email !== undefined) {
    // The private page's link is the authorization: its recipient ticks the customer's steps only.
    return owner === "fleet"
      ? "That step is Fleet's: it ticks itself when Finch has verified the connection."
      : null;
  }
  if (actor.internal) {
    if (owner !== "fleet" || (await isFullMember(ctx, actor.userId))) return null;
    return "That step is Fleet's: only Fleet's team can tick it, not guests of Fleet's workspace.";
  }
  if (!(await isCustomerTeam(ctx, onboarding, actor.teamId))) {
    return "Only this customer's team and Fleet can tick this checklist.";
  }
  if (owner === "fleet")
    return "That step is Fleet's: it ticks itself when Finch has verified the connection.";
  return null;
}

/** Subscribes the celebration to "an onboarding changed": each change of a checklist may finish the customer's steps. */
export function subscribeCelebration(ctx: AppContext): () => void {
  return ctx.hooks.subscribe(async (change) => {
    if (change.reason === "checklist") await celebrateIfCustomerDone(ctx, change.onboardingId);
  });
}

/**
 * When every customer-owned step is done: one thread note and one message to the rep (exactly once). Marked
 * announced (`customerStepsDoneAt`) only after both are posted, so a failure is retried with the delivery;
 * the posts are keyed per round (ticked off, unticked, ticked off again) and adopted when already there.
 */
export async function celebrateIfCustomerDone(ctx: AppContext, onboardingId: string): Promise<void> {
  const onboarding = await celebrationFacts(ctx, onboardingId);
  const progress = computeProgress(
    providerCatalogue(ctx).template(onboarding.providerId),
    itemStatesOf(onboarding.steps),
  );
  if (!progress.customerStepsDone) {
    if (onboarding.customerStepsDoneAt) {
      await ctx.db.prisma.onboarding.update({
        where: { id: onboardingId },
        data: { customerStepsDoneAt: null },
      });
    }
    return;
  }
  if (onboarding.customerStepsDoneAt || !onboarding.channelId) return;
  // One announcer at a time: a second tick or replica waits, then sees it announced.
  await withAdvisoryLock(ctx, `celebration:${onboardingId}`, () => announceCelebration(ctx, onboardingId));
}

async function announceCelebration(ctx: AppContext, onboardingId: string): Promise<void> {
  const onboarding = await celebrationFacts(ctx, onboardingId);
  const progress = computeProgress(
    providerCatalogue(ctx).template(onboarding.providerId),
    itemStatesOf(onboarding.steps),
  );
  if (!progress.customerStepsDone || onboarding.customerStepsDoneAt || !onboarding.channelId) return;
  const round = await ctx.db.prisma.auditEvent.count({
    where: { onboardingId, action: "customer_steps.done" },
  });
  const celebration = (to: string) => ({
    event_type: MetadataEventType.celebration,
    event_payload: {
      onboarding_id: onboardingId,
      to,
      idempotency_key: `celebration:${onboardingId}:${to}${round > 0 ? `:${round + 1}` : ""}`,
    },
  });
  await postOnce(
    ctx,
    {
      channel: onboarding.channelId,
      ...(onboarding.checklistTs ? { thread_ts: onboarding.checklistTs } : {}),
      text: celebrationText({ done: progress.stepsDone, total: progress.stepsTotal }),
      metadata: celebration("customer"),
    },
    { lookFirst: true },
  );
  await postOnce(
    ctx,
    {
      channel: onboarding.ownerUserId,
      text: celebrationRepText({
        companyName: onboarding.companyName,
        channelId: onboarding.channelId,
        done: progress.stepsDone,
        total: progress.stepsTotal,
      }),
      metadata: celebration("rep"),
    },
    { lookFirst: true },
  );
  await ctx.db.prisma.onboarding.updateMany({
    where: { id: onboardingId, customerStepsDoneAt: null },
    data: { customerStepsDoneAt: ctx.clock.now() },
  });
  await audit(ctx, { onboardingId, action: "customer_steps.done" });
}
