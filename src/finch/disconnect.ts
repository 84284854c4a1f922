/**
 * `/fleet disconnect`: close the connection at Finch (`account.disconnect()`), then delete the stored
 * token. If Finch cannot be reached nothing is deleted — a token we throw away could never disconnect
 * the connection later.
 */

import { finchText } from "../blocks/finch-notes.ts";
import { getTemplate } from "../checklist/template-registry.ts";
import { refreshHomeSoon } from "../cockpit/home.ts";
import type { AppContext } from "../context.ts";
import type { Actor } from "../onboarding/actor.ts";
import { audit } from "../onboarding/audit.ts";
import { recordItemChange, refreshChecklist } from "../onboarding/checklist-service.ts";
import { classifyFinchError } from "./client.ts";
import { clientFor, postThreadNote, serialized } from "./connections.ts";

/** Result of a disconnect, for the rep's private answer. */
export interface DisconnectResult {
  ok: boolean;
  message: string;
}

/** Disconnects an onboarding's Finch connection and deletes its token. */
export function disconnectFinch(
  ctx: AppContext,
  onboardingId: string,
  actor: Actor,
): Promise<DisconnectResult> {
  return serialized(ctx, `finch:${onboardingId}`, async () => {
    const onboarding = await ctx.db.prisma.onboarding.findUnique({
      where: { id: onboardingId },
      include: { customer: true, connection: true },
    });
    if (!onboarding) return { ok: false, message: finchText.noSuchOnboarding };
    const connection = onboarding.connection;
    const template = getTemplate(onboarding.providerId);
    if (!connection) {
      return {
        ok: true,
        message: finchText.notConnectedNothingToDo(template.displayName, onboarding.customer.name),
      };
    }
    const log = { onboardingId, connectionId: connection.connectionId };
    try {
      const client = await clientFor(ctx, connection);
      await client.account.disconnect();
    } catch (err) {
      const failure = classifyFinchError(err);
      // A token Finch no longer accepts is already as good as disconnected; anything else keeps it.
      if (failure.kind !== "reauth") {
        ctx.logger.warn({ ...log, ...failure }, "finch disconnect failed; token kept");
        await audit(ctx, {
          onboardingId,
          action: "finch.disconnect_failed",
          actor,
          detail: { kind: failure.kind },
        });
        return {
          ok: false,
          message: finchText.disconnectNotConfirmed(failure.kind),
        };
      }
    }
    await ctx.db.prisma.$transaction([
      ctx.db.prisma.finchConnection.delete({ where: { id: connection.id } }),
      ctx.db.prisma.finchConnectSession.updateMany({
        where: { onboardingId, expiresAt: { gt: ctx.clock.now() } },
        data: { expiresAt: ctx.clock.now() },
      }),
    ]);
    ctx.logger.info(log, "finch disconnected; token deleted");
    refreshHomeSoon(ctx, onboarding.ownerUserId);
    await audit(ctx, {
      onboardingId,
      action: "finch.disconnected",
      actor,
      detail: { connectionId: connection.connectionId },
    });
    const connectStep = template.steps.find((s) => s.finchConnect)?.key;
    if (connectStep) {
      const changed = await recordItemChange(ctx, {
        onboardingId,
        itemKey: connectStep,
        done: false,
        source: "finch",
        actor,
        note: "Disconnected by Fleet",
      });
      if (changed) await refreshChecklist(ctx, onboardingId);
    }
    await postThreadNote(ctx, onboarding, finchText.disconnectedNote(actor.userId, template.displayName));
    return {
      ok: true,
      message: finchText.disconnected(template.displayName, onboarding.customer.name),
    };
  });
}
