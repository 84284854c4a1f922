/** Gathers the facts of `/fleet status` for one onboarding. */

import type { Actor } from "../audit/actor.ts";
import { onboardingAnswerText } from "../blocks/onboarding-answers.ts";
import type { StatusFacts } from "../blocks/report-input.ts";
import { checklistItems } from "../checklist/items.ts";
import { computeProgress } from "../checklist/progress.ts";
import { providerCatalogue } from "../checklist/provider-catalogue.ts";
import { itemStatesOf } from "../checklist/state.ts";
import type { AppContext } from "../context.ts";
import type { Onboarding, StepState } from "../db/generated/client.ts";
import { camelJsonRows, camelRow } from "../db/rows.ts";
import { tickTargetByChannel } from "./checklist-reads.ts";
import { isCustomerTeam } from "./customer-team.ts";

export type { StatusFacts };

/** The row {@link statusFacts} reads; the lists come as JSON. */
type StatusRow = Pick<
  Onboarding,
  "providerId" | "status" | "channelId" | "ownerUserId" | "callAt" | "timeZone" | "createdAt"
> & { companyName: string; invites: unknown; connection: unknown; steps: unknown };

/** Reads everything the status summary shows (one statement). */
export async function statusFacts(ctx: AppContext, onboardingId: string): Promise<StatusFacts> {
  // One statement through the driver (src/db/rows.ts: `/fleet status` is a hot path): the onboarding with
  // its company, invites, connection and items' states.
  const [row] = await ctx.db.sql.query(
    `select o.provider_id, o.status, o.channel_id, o.owner_user_id, o.call_at, o.time_zone, o.created_at,
            c.name as company_name,
            coalesce((select json_agg(json_build_object('email', i.email, 'status', i.status, 'last_error', i.last_error)
                                      order by i.created_at)
                        from invite i where i.onboarding_id = o.id), '[]'::json) as invites,
            (select json_build_object('status', f.status, 'verified_at', f.verified_at)
               from finch_connection f where f.onboarding_id = o.id) as connection,
            coalesce((select json_agg(s) from step_state s where s.onboarding_id = o.id), '[]'::json) as steps
       from onboarding o join customer c on c.id = o.customer_id
      where o.id = $1::uuid`,
    [onboardingId],
  );
  if (!row) throw new Error(`no onboarding ${onboardingId}`);
  const o = camelRow<StatusRow>(row);
  const [connection] = o.connection
    ? camelJsonRows<StatusFacts["connection"]>([o.connection], ["verifiedAt"])
    : [];
  const template = providerCatalogue(ctx).template(o.providerId);
  const states = itemStatesOf(camelJsonRows<StepState>(o.steps, ["changedAt"]));
  const labels = new Map(checklistItems(template).map((i) => [i.key, i.label]));
  const ticks = [...states.entries()]
    .filter(([, s]) => s.done)
    .map(([key, s]) => ({
      label: labels.get(key) ?? key,
      byUserId: s.byUserId ?? null,
      source: s.source,
      at: s.at ?? o.createdAt,
    }))
    .sort((a, b) => b.at.getTime() - a.at.getTime());
  return {
    company: o.companyName,
    status: o.status,
    channelId: o.channelId,
    ownerUserId: o.ownerUserId,
    progress: computeProgress(template, states),
    ticks,
    invites: camelJsonRows<StatusFacts["invites"][number]>(o.invites),
    callAt: o.callAt,
    timeZone: o.timeZone,
    connection: connection ?? null,
  };
}

/**
 * The status behind a checklist's "Status" button: the onboarding of the channel the button is in (never the
 * button's value, which came back from Slack's client), for our people and the customer's own workspace.
 */
export async function statusFromChannel(
  ctx: AppContext,
  channelId: string | undefined,
  actor: Actor,
): Promise<{ ok: true; facts: StatusFacts } | { ok: false; message: string }> {
  const onboarding = channelId ? await tickTargetByChannel(ctx, channelId) : null;
  if (!onboarding) return { ok: false, message: onboardingAnswerText.channelHasNoOnboarding };
  if (!actor.internal && !(await isCustomerTeam(ctx, onboarding, actor.teamId))) {
    return { ok: false, message: onboardingAnswerText.statusNotForYou };
  }
  return { ok: true, facts: await statusFacts(ctx, onboarding.id) };
}
