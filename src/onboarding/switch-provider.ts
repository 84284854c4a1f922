/**
 * `/fleet provider`: switching an onboarding to another HR provider's checklist. Allowed only before anything
 * was ticked or proven (a tick on the old template would mean nothing on the new one) and before Finch is
 * connected. The switch is one conditional update, so two racing switches cannot both re-post; then the old
 * checklist message says it was replaced and is unpinned, and the new one is posted and pinned once.
 */

import type { Actor } from "../audit/actor.ts";
import { audit } from "../audit/audit.ts";
import { overtakenText } from "../blocks/onboarding-notes.ts";
import { buildReplacedChecklistMessage, switchProviderText } from "../blocks/switch-provider-notes.ts";
import { finchAssistWarning } from "../checklist/finch-assist.ts";
import { providerCatalogue } from "../checklist/provider-catalogue.ts";
import type { AppContext } from "../context.ts";
import { markOvertaken } from "../slack-gateway/delivery-scope.ts";
import { adviceFor, slackErrorCode } from "../slack-gateway/errors.ts";
import { MetadataEventType } from "../slack-gateway/ids.ts";
import { pinMessage, unpinMessage, updateMessage } from "../slack-gateway/messages.ts";
import { postOnce } from "../slack-gateway/post-once.ts";
import { buildChecklistFor } from "./checklist-service.ts";
import { changedNow, fieldChange, isOvertaken, notOvertaken } from "./field-changes.ts";

/** What the rep is told. */
export type SwitchProviderResult = { ok: true; text: string } | { ok: false; text: string };

/** A newer change of the provider was applied after this one happened: nothing changed, the sender is told. */
function overtaken(company: string): SwitchProviderResult {
  markOvertaken();
  return { ok: false, text: overtakenText(company, "provider") };
}

/** Switches the onboarding's checklist to `providerId`'s template, or says why not. */
export async function switchProvider(
  ctx: AppContext,
  onboardingId: string,
  providerId: string,
  actor: Actor,
): Promise<SwitchProviderResult> {
  const to = providerCatalogue(ctx).template(providerId);
  const o = await ctx.db.prisma.onboarding.findUniqueOrThrow({
    where: { id: onboardingId },
    include: { customer: true, connection: { select: { id: true } } },
  });
  const company = o.customer.name;
  const from = providerCatalogue(ctx).template(o.providerId);
  if (o.status !== "active") return { ok: false, text: switchProviderText.notActive(company, o.status) };
  const moment = fieldChange("provider");
  if (isOvertaken(o, moment)) return overtaken(company);
  if (o.providerId === providerId) {
    // Unchanged, the provider still counts as set now: an older switch replayed after this one cannot win.
    const kept = await ctx.db.prisma.onboarding.updateMany({
      where: { id: onboardingId, ...notOvertaken(moment) },
      data: changedNow(moment),
    });
    if (kept.count === 0) return overtaken(company);
    return { ok: true, text: switchProviderText.alreadyUses(company, to.displayName) };
  }
  if (o.connection) {
    return {
      ok: false,
      text: switchProviderText.connected(company, from.displayName),
    };
  }
  const ticked = await ctx.db.prisma.tick.count({ where: { onboardingId } });
  const done = await ctx.db.prisma.stepState.count({ where: { onboardingId, done: true } });
  if (ticked > 0 || done > 0) {
    return {
      ok: false,
      text: switchProviderText.hasTicks(company, from.displayName, to.displayName),
    };
  }

  const oldTs = o.checklistTs;
  const switched = await ctx.db.prisma.$transaction(async (tx) => {
    const updated = await tx.onboarding.updateMany({
      where: {
        id: onboardingId,
        status: "active",
        providerId: o.providerId,
        checklistTs: oldTs,
        ...notOvertaken(moment),
      },
      data: { providerId, checklistTs: null, checklistVersion: { increment: 1 }, ...changedNow(moment) },
    });
    if (updated.count === 0) return false;
    await tx.stepState.deleteMany({ where: { onboardingId } });
    return true;
  });
  if (!switched) return { ok: false, text: switchProviderText.changedMeanwhile(company) };
  await audit(ctx, {
    onboardingId,
    action: "onboarding.provider_changed",
    actor,
    detail: { from: o.providerId, to: providerId },
  });

  const lines = [switchProviderText.switched(company, to.displayName)];
  const assist = finchAssistWarning(to, ctx.config.finch.assistEnabled);
  if (assist) lines.push(switchProviderText.assist(assist));
  if (!o.channelId) return { ok: true, text: lines.join("\n") };
  if (oldTs)
    lines.push(
      ...(await retireChecklist(ctx, o.channelId, oldTs, onboardingId, from.displayName, to.displayName)),
    );
  lines.push(...(await postNewChecklist(ctx, onboardingId, o.channelId, company)));
  return { ok: true, text: lines.join("\n") };
}

/** The old checklist says it was replaced (its metadata no longer marks it as the checklist) and is unpinned. */
async function retireChecklist(
  ctx: AppContext,
  channelId: string,
  ts: string,
  onboardingId: string,
  fromName: string,
  toName: string,
): Promise<string[]> {
  const problems: string[] = [];
  const replaced = buildReplacedChecklistMessage(fromName, toName);
  try {
    await updateMessage(ctx.slack, {
      channel: channelId,
      ts,
      text: replaced.text,
      blocks: replaced.blocks,
      metadata: {
        event_type: MetadataEventType.checklistReplaced,
        event_payload: { onboarding_id: onboardingId },
      },
    });
  } catch (err) {
    problems.push(switchProviderText.notMarkedReplaced(adviceFor(slackErrorCode(err))));
  }
  try {
    await unpinMessage(ctx.slack, channelId, ts);
  } catch (err) {
    const code = slackErrorCode(err);
    if (code !== "no_pin") problems.push(switchProviderText.notUnpinned(adviceFor(code)));
  }
  return problems;
}

async function postNewChecklist(
  ctx: AppContext,
  onboardingId: string,
  channelId: string,
  company: string,
): Promise<string[]> {
  try {
    const { message } = await buildChecklistFor(ctx, onboardingId);
    // Once: a checklist Slack posted without answering is adopted, not doubled.
    const { ts } = await postOnce(ctx, {
      channel: channelId,
      text: message.text,
      blocks: message.blocks,
      metadata: message.metadata,
      unfurl_links: false,
    });
    await ctx.db.prisma.onboarding.update({ where: { id: onboardingId }, data: { checklistTs: ts } });
    await ctx.db.prisma.slackMessage.create({ data: { onboardingId, kind: "checklist", channelId, ts } });
    try {
      await pinMessage(ctx.slack, channelId, ts);
    } catch (err) {
      return [switchProviderText.postedNotPinned(adviceFor(slackErrorCode(err)))];
    }
    return [switchProviderText.pinned(channelId)];
  } catch (err) {
    ctx.logger.warn({ err, onboardingId }, "could not post the new checklist");
    return [switchProviderText.notPosted(company, adviceFor(slackErrorCode(err)))];
  }
}
