/**
 * Finch webhooks, after the route verified the signature and claimed the event id: `account.updated`
 * and the initial-sync job events lead to a verification (posted only when something changed), a reauth
 * or disconnect to a Reconnect link. Unknown events and connections are acknowledged and ignored.
 */

import { audit } from "../audit/audit.ts";
import type { AppContext } from "../context.ts";
import type { WebhookEvent } from "./client.ts";
import { POLL_MIN_SECONDS } from "./connections.ts";
import { checkConnectionHealth } from "./health-check.ts";
import { verifyConnection } from "./verify.ts";

/** Job events that mean "the first sync finished": the data is there to verify. */
const SYNC_DONE = new Set(["job.initial_data_sync_org.succeeded", "job.initial_data_sync_payroll.succeeded"]);

/** Handles one verified, first-time webhook event. */
export async function handleFinchEvent(ctx: AppContext, event: WebhookEvent): Promise<void> {
  const eventType = typeof event.event_type === "string" ? event.event_type : "unknown";
  const connectionId = typeof event.connection_id === "string" ? event.connection_id : null;
  const connection = connectionId
    ? await ctx.db.prisma.finchConnection.findFirst({ where: { connectionId } })
    : null;
  if (!connection) {
    ctx.logger.info({ eventType, connectionId }, "finch webhook for no stored connection: ignored");
    return;
  }
  const onboardingId = connection.onboardingId;
  const onboarding = await ctx.db.prisma.onboarding.findUnique({
    where: { id: onboardingId },
    select: { status: true },
  });
  if (onboarding?.status === "done" && eventType === "account.updated") {
    // After go-live the connection is watched for health (src/finch/health-check.ts), not verified again. A
    // reauth or disconnect is taken from Finch's word (introspect may no longer answer for such a token).
    const told = String((event.data as { status?: unknown } | undefined)?.status ?? "");
    const known =
      told === "reauth" || told === "disconnected" ? { reading: { status: told, products: [] } } : {};
    await checkConnectionHealth(ctx, onboardingId, known);
    return;
  }
  if (onboarding?.status !== "active") {
    // Closed: the history stays as it was; no Finch reads, no rows, no posts.
    ctx.logger.info({ onboardingId, eventType }, "finch webhook for a closed onboarding: ignored");
    return;
  }
  const status =
    eventType === "account.updated"
      ? String((event.data as { status?: unknown } | undefined)?.status ?? "")
      : null;
  ctx.logger.info({ onboardingId, connectionId, eventType, status }, "finch webhook");
  await audit(ctx, { onboardingId, action: "finch.webhook", detail: { eventType, status } });

  if (eventType === "account.updated") {
    switch (status) {
      case "reauth":
      case "disconnected":
        await verifyConnection(ctx, onboardingId, {
          trigger: "webhook",
          announce: "if_changed",
          knownStatus: status,
        });
        return;
      case "pending":
      case "processing":
        // Still syncing: remember it and look again soon; the sync job's event usually comes first.
        await ctx.db.prisma.finchConnection.updateMany({
          where: { id: connection.id },
          data: {
            status,
            verifiedAt: null,
            nextPollAt: new Date(ctx.clock.now().getTime() + POLL_MIN_SECONDS * 1000),
            pollIntervalSec: POLL_MIN_SECONDS,
          },
        });
        return;
      default:
        // connected, error_permissions, error_no_account_setup, and statuses Finch adds later.
        await verifyConnection(ctx, onboardingId, { trigger: "webhook", announce: "if_changed" });
        return;
    }
  }
  if (SYNC_DONE.has(eventType)) {
    await verifyConnection(ctx, onboardingId, { trigger: "webhook", announce: "if_changed" });
  }
}
