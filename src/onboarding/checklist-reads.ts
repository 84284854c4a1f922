/**
 * The checklist's hot reads — a tick, its render, its celebration check — each one statement through the
 * driver (see src/db/rows.ts for why not Prisma), in the shapes the callers used to get from Prisma.
 */
import type { AppContext } from "../context.ts";
import type { Onboarding, StepState } from "../db/generated/client.ts";
import { camelJsonRows, camelRow } from "../db/rows.ts";

type Ctx = Pick<AppContext, "db">;

/** The onboarding a tick in its channel is about, with the workspaces its accepted invites came from. */
export type TickTarget = Pick<
  Onboarding,
  "id" | "status" | "providerId" | "channelId" | "checklistTs" | "ownerUserId"
> & { invites: Array<{ slackTeamId: string | null }> };

/** What the checklist message shows of an onboarding. */
export type RenderFacts = Pick<
  Onboarding,
  | "id"
  | "status"
  | "providerId"
  | "channelId"
  | "checklistTs"
  | "integrationUserName"
  | "integrationUserEmail"
  | "callAt"
  | "checklistVersion"
> & { companyName: string; guestsPostOnly: boolean; steps: StepState[] };

/** What deciding "the customer's steps are all done" needs. */
export type CelebrationFacts = Pick<
  Onboarding,
  "providerId" | "channelId" | "checklistTs" | "ownerUserId" | "customerStepsDoneAt"
> & { companyName: string; steps: StepState[] };

/** An onboarding's item states as a JSON list (one round trip with the onboarding). */
const STEPS = `coalesce((select json_agg(s) from step_state s where s.onboarding_id = o.id), '[]'::json) as steps`;
const stepsOf = (value: unknown) => camelJsonRows<StepState>(value, ["changedAt"]);

/** The onboarding whose customer channel `channelId` is, for a tick; null if none. */
export function tickTargetByChannel(ctx: Ctx, channelId: string): Promise<TickTarget | null> {
  return tickTarget(ctx, "o.channel_id = $1::text", channelId);
}

/** The onboarding `onboardingId`, for a tick from its private page; null if none. */
export function tickTargetById(ctx: Ctx, onboardingId: string): Promise<TickTarget | null> {
  return tickTarget(ctx, "o.id = $1::uuid", onboardingId);
}

async function tickTarget(ctx: Ctx, where: string, value: string): Promise<TickTarget | null> {
  const [row] = await ctx.db.sql.query(
    `select o.id, o.status, o.provider_id, o.channel_id, o.checklist_ts, o.owner_user_id,
            -- JSON, not array(): PGlite 0.3 parsed a null array element as the text 'NULL'.
            coalesce((select json_agg(i.slack_team_id) from invite i where i.onboarding_id = o.id), '[]'::json)
              as invite_team_ids
       from onboarding o
      where ${where}`,
    [value],
  );
  if (!row) return null;
  const { inviteTeamIds, ...onboarding } = camelRow<TickTarget & { inviteTeamIds: Array<string | null> }>(
    row,
  );
  return { ...onboarding, invites: inviteTeamIds.map((slackTeamId) => ({ slackTeamId })) };
}

/** Reads `columns` of one onboarding with its company's name and items' states; throws if there is none. */
async function withSteps<T extends { steps: StepState[] }>(
  ctx: Ctx,
  columns: string,
  onboardingId: string,
): Promise<T> {
  const [row] = await ctx.db.sql.query(
    `select ${columns}, c.name as company_name, ${STEPS}
       from onboarding o join customer c on c.id = o.customer_id
      where o.id = $1::uuid`,
    [onboardingId],
  );
  if (!row) throw new Error(`no onboarding ${onboardingId}`);
  const facts = camelRow<T>(row);
  return { ...facts, steps: stepsOf(facts.steps) };
}

/** What the checklist of `onboardingId` shows; throws if there is no such onboarding. */
export function renderFacts(ctx: Ctx, onboardingId: string): Promise<RenderFacts> {
  return withSteps<RenderFacts>(
    ctx,
    `o.id, o.status, o.provider_id, o.channel_id, o.checklist_ts, o.integration_user_name,
     o.integration_user_email, o.call_at, o.checklist_version,
     exists (select 1 from invite i where i.onboarding_id = o.id and i.external_limited) as guests_post_only`,
    onboardingId,
  );
}

/** What the celebration check needs of `onboardingId`; throws if there is no such onboarding. */
export function celebrationFacts(ctx: Ctx, onboardingId: string): Promise<CelebrationFacts> {
  return withSteps<CelebrationFacts>(
    ctx,
    "o.provider_id, o.channel_id, o.checklist_ts, o.owner_user_id, o.customer_steps_done_at",
    onboardingId,
  );
}
