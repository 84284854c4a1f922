/**
 * The Reconnect button of a health problem after go-live (health-check.ts) works on the closed onboarding:
 * the reauthentication session opens, and Finch's callback re-seals the token of the same connection (the
 * products verified before stay the baseline) and checks its health at once, so the thread hears the recovery.
 */
import type { AppContext } from "../context.ts";
import { sealToken } from "./connections.ts";
import { checkConnectionHealth } from "./health-check.ts";

/** Is the onboarding closed with a verified connection Fleet still holds (watched for health)? */
export async function isWatchedAfterGoLive(ctx: AppContext, onboardingId: string): Promise<boolean> {
  const row = await ctx.db.prisma.finchConnection.findUnique({
    where: { onboardingId },
    select: { status: true, verifiedAt: true, onboarding: { select: { status: true } } },
  });
  return !!row && row.onboarding.status === "done" && !!row.verifiedAt && row.status !== "disconnected";
}

/**
 * Stores a reauthenticated token of the watched connection; false when the code made another connection
 * (a closed onboarding takes no new connection: the caller closes it at Finch).
 */
export async function storeReauthAfterGoLive(
  ctx: AppContext,
  onboardingId: string,
  exchanged: { access_token: string; connection_id: string },
  codeHash: string,
): Promise<boolean> {
  const updated = await ctx.db.prisma.finchConnection.updateMany({
    where: { onboardingId, connectionId: exchanged.connection_id, status: { not: "disconnected" } },
    data: { ...sealToken(ctx, exchanged.access_token), codeHash },
  });
  if (updated.count !== 1) return false;
  await checkConnectionHealth(ctx, onboardingId);
  return true;
}

/** Finch's callback for a closed onboarding: the page when it reauthenticated its watched connection, else null. */
export async function reconnectAfterGoLive(
  ctx: AppContext,
  onboarding: { id: string; status: string },
  exchanged: { access_token: string; connection_id: string },
  codeHash: string,
): Promise<{ kind: "page"; status: number; title: string; message: string } | null> {
  if (onboarding.status !== "done" || !(await isWatchedAfterGoLive(ctx, onboarding.id))) return null;
  if (!(await storeReauthAfterGoLive(ctx, onboarding.id, exchanged, codeHash))) return null;
  return {
    kind: "page",
    status: 200,
    title: "Reconnected — you can close this page",
    message:
      "The connection to Fleet works again. Fleet checked it and says so in your Slack channel (or by email if you work by email).",
  };
}
