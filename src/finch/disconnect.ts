/**
 * `/fleet disconnect`: close the connection at Finch (`account.disconnect()`), then delete the stored
 * token. If Finch cannot be reached nothing is deleted — a token we throw away could never disconnect
 * the connection later.
 */

import type { Actor } from "../audit/actor.ts";
import { audit } from "../audit/audit.ts";
import { finchText } from "../blocks/finch-notes.ts";
import { providerCatalogue } from "../checklist/provider-catalogue.ts";
import type { AppContext } from "../context.ts";
import { recordItemChange, refreshChecklist } from "../onboarding/checklist-service.ts";
import { classifyFinchError } from "./client.ts";
import { clientFor, postThreadNote, serialized } from "./connections.ts";

/** Result of a disconnect, for the rep's private answer. */
export interface DisconnectResult {
  ok: boolean;
  message: string;
}

/** Does the onboarding have a stored Finch connection (something `/fleet disconnect` would close)? */
export async function hasConnection(ctx: AppContext, onboardingId: string): Promise<boolean> {
  const connection = await ctx.db.prisma.finchConnection.findUnique({
    where: { onboardingId },
    select: { id: true },
  });
  return connection !== null;
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
    const template = providerCatalogue(ctx).template(onboarding.providerId);
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
    await forgetConnection(ctx, onboardingId, connection.id);
    ctx.logger.info(log, "finch disconnected; token deleted");
    await ctx.hooks.changed({
      onboardingId,
      ownerUserId: onboarding.ownerUserId,
      reason: "finch-disconnected",
    });
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

/** Deletes the connection (and its token) and ends the onboarding's open Connect sessions, in one transaction. */
async function forgetConnection(
  ctx: AppContext,
  onboardingId: string,
  connectionRowId: string,
): Promise<void> {
  await ctx.db.prisma.$transaction([
    ctx.db.prisma.finchConnection.delete({ where: { id: connectionRowId } }),
    ctx.db.prisma.finchConnectSession.updateMany({
      where: { onboardingId, expiresAt: { gt: ctx.clock.now() } },
      data: { expiresAt: ctx.clock.now() },
    }),
  ]);
}
