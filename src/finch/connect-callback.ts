/**
 * Finch Connect, the way back: `GET /finch/callback` exchanges the code and stores the connection.
 *
 * Finch has no `state` parameter; the callback matches the onboarding by the `customer_id` the code
 * exchange returns, and a short-lived cookie set on the way out (src/finch/connect-session.ts) only
 * attributes cancellations and bad codes to a thread. Codes are stored nowhere: their SHA-256 is claimed
 * once (replays are refused).
 */

import { audit } from "../audit/audit.ts";
import { connectNotes } from "../blocks/finch-connect-notes.ts";
import { providerCatalogue } from "../checklist/provider-catalogue.ts";
import type { AppContext } from "../context.ts";
import { decryptSecret, fingerprint } from "../crypto.ts";
import { claimDelivery, releaseClaim, releaseQuietly } from "../db/claims.ts";
import { callbackPages, connectedPage } from "../html/connect-pages.ts";
import type { OnboardingWithCustomer } from "../onboarding/lookup.ts";
import { classifyFinchError, createConnectionClient, createFinchAppClient } from "./client.ts";
import type { BrowserAnswer } from "./connect-session.ts";
import { finchRedirectUri, POLL_MIN_SECONDS, postThreadNote, sealToken, tellRep } from "./connections.ts";
import { reconnectAfterGoLive } from "./health-reconnect.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** What the callback received. */
export interface CallbackInput {
  code: string | null;
  error: string | null;
  /** The onboarding the browser's cookie names (set when it left for Finch); only for attributing notes. */
  hintOnboardingId: string | null;
}

/** What the callback answers, and which onboarding to verify next. */
export type CallbackResult = Extract<BrowserAnswer, { kind: "page" }> & { verifyOnboardingId?: string };

/** What Finch's code exchange returns (the fields we use). */
interface Exchanged {
  access_token: string;
  connection_id: string;
  customer_id?: string | null;
  provider_id: string;
  products?: string[] | null;
}

/** The onboarding to tell about a cancel, a replay or a refused code: active ones only (closed ones hear nothing). */
async function noteTargetById(ctx: AppContext, onboardingId: string | null) {
  if (!onboardingId || !UUID.test(onboardingId)) return null;
  return ctx.db.prisma.onboarding.findFirst({
    where: { id: onboardingId, status: "active" },
    include: { customer: true },
  });
}

/** `GET /finch/callback`: exchange the code, store the token encrypted, and hand over to verification. */
export async function completeConnect(ctx: AppContext, input: CallbackInput): Promise<CallbackResult> {
  if (input.error !== null) return connectCancelled(ctx, input.error, input.hintOnboardingId);
  const code = input.code ?? "";
  if (!/^[A-Za-z0-9._~+/=-]{8,512}$/.test(code)) {
    return { kind: "page", status: 400, ...callbackPages.incomplete };
  }
  const codeHash = fingerprint(code);
  const claimKey = `finch-code:${codeHash}`;
  const firstUse =
    (await claimDelivery(ctx, claimKey)) &&
    !(await ctx.db.prisma.finchConnection.findUnique({ where: { codeHash }, select: { id: true } }));
  if (!firstUse) return codeReplayed(ctx, codeHash, input.hintOnboardingId);
  try {
    return await exchangeAndStore(ctx, code, codeHash, claimKey, input.hintOnboardingId);
  } catch (err) {
    // Nothing stored (say the database failed): the code is not "used" for us, so a reload is not called a
    // replay, and the customer can simply try again.
    await releaseQuietly(ctx, claimKey);
    throw err;
  }
}

/** After the claim: exchange the code at Finch, match the onboarding, store the connection. */
async function exchangeAndStore(
  ctx: AppContext,
  code: string,
  codeHash: string,
  claimKey: string,
  hintOnboardingId: string | null,
): Promise<CallbackResult> {
  const app = createFinchAppClient(ctx.config, ctx.logger);
  let exchanged: Exchanged;
  try {
    exchanged = await app.accessTokens.create({ code, redirect_uri: finchRedirectUri(ctx) });
  } catch (err) {
    return exchangeFailed(ctx, err, claimKey, hintOnboardingId);
  }

  const customerId = exchanged.customer_id ?? "";
  const onboarding = UUID.test(customerId)
    ? await ctx.db.prisma.onboarding.findUnique({ where: { id: customerId }, include: { customer: true } })
    : null;
  if (!onboarding) {
    ctx.logger.warn({ connectionId: exchanged.connection_id }, "finch connection matches no onboarding");
    return { kind: "page", status: 404, ...callbackPages.unmatched };
  }
  const reconnected = await reconnectAfterGoLive(ctx, onboarding, exchanged, codeHash);
  if (reconnected) return reconnected;
  if (onboarding.status !== "active") {
    // The onboarding was closed while the customer was at Finch: keep nothing, post nothing, and close the
    // new connection at Finch again so no token lingers there for us.
    ctx.logger.info({ onboardingId: onboarding.id }, "finch callback for a closed onboarding: ignored");
    await retireToken(ctx, exchanged.access_token, onboarding.id);
    return { kind: "page", status: 410, ...callbackPages.closed };
  }
  if (hintOnboardingId && hintOnboardingId !== onboarding.id) {
    ctx.logger.warn(
      { onboardingId: onboarding.id },
      "finch callback cookie names another onboarding; using customer_id",
    );
  }
  try {
    return await storeConnection(ctx, onboarding, exchanged, codeHash);
  } catch (err) {
    // Exchanged but not stored: close the new connection at Finch so no token lingers there for us — unless it
    // was stored after all (a later step failed), or it is a reauthentication of the connection we keep.
    const kept = await ctx.db.prisma.finchConnection
      .findUnique({ where: { onboardingId: onboarding.id }, select: { codeHash: true, connectionId: true } })
      .catch(() => undefined);
    if (
      kept === null ||
      (kept && kept.codeHash !== codeHash && kept.connectionId !== exchanged.connection_id)
    ) {
      await retireToken(ctx, exchanged.access_token, onboarding.id);
    }
    // Finch's session is used up: the next click on the Connect link must open a fresh one.
    const now = ctx.clock.now();
    await ctx.db.prisma.finchConnectSession
      .updateMany({
        where: { onboardingId: onboarding.id, expiresAt: { gt: now } },
        data: { expiresAt: now },
      })
      .catch(() => undefined);
    throw err;
  }
}

/** Finch Connect came back with an error (the customer closed it, say): nothing changes. */
async function connectCancelled(
  ctx: AppContext,
  error: string,
  hintOnboardingId: string | null,
): Promise<CallbackResult> {
  const reason = /^[a-z_]{1,40}$/.test(error) ? error : "unknown";
  const onboarding = await noteTargetById(ctx, hintOnboardingId);
  ctx.logger.info({ onboardingId: onboarding?.id ?? null, reason }, "finch connect returned an error");
  if (onboarding) {
    await postThreadNote(ctx, onboarding, connectNotes.cancelledThread);
    await tellRep(ctx, onboarding, connectNotes.cancelledRep(onboarding.customer.name, reason));
    await audit(ctx, {
      onboardingId: onboarding.id,
      action: "finch.connect_cancelled",
      detail: { reason },
    });
  }
  return { kind: "page", status: 200, ...callbackPages.cancelled };
}

/** A code seen before (a reload, or a replay): refused, and said so in the thread. */
async function codeReplayed(
  ctx: AppContext,
  codeHash: string,
  hintOnboardingId: string | null,
): Promise<CallbackResult> {
  const stored = await ctx.db.prisma.finchConnection.findUnique({ where: { codeHash } });
  const onboarding = await noteTargetById(ctx, stored?.onboardingId ?? hintOnboardingId);
  ctx.logger.warn({ onboardingId: onboarding?.id ?? null }, "finch authorization code used again: refused");
  if (onboarding) {
    await postThreadNote(ctx, onboarding, connectNotes.replayedThread);
    await tellRep(ctx, onboarding, connectNotes.replayedRep(onboarding.customer.name));
    await audit(ctx, { onboardingId: onboarding.id, action: "finch.code_replayed" });
  }
  return { kind: "page", status: 409, ...callbackPages.alreadyUsed };
}

/** Finch refused the code or did not answer: a passing failure frees the code for a reload. */
async function exchangeFailed(
  ctx: AppContext,
  err: unknown,
  claimKey: string,
  hintOnboardingId: string | null,
): Promise<CallbackResult> {
  const failure = classifyFinchError(err);
  const onboarding = await noteTargetById(ctx, hintOnboardingId);
  ctx.logger.warn({ onboardingId: onboarding?.id ?? null, ...failure }, "finch code exchange failed");
  if (failure.kind === "transient") {
    // The code is still unused at Finch: let a reload try again.
    await releaseClaim(ctx, claimKey);
    return { kind: "page", status: 503, ...callbackPages.finchUnreachable };
  }
  if (onboarding) {
    await postThreadNote(ctx, onboarding, connectNotes.refusedThread);
    await tellRep(ctx, onboarding, connectNotes.refusedRep(onboarding.customer.name, failure));
    await audit(ctx, {
      onboardingId: onboarding.id,
      action: "finch.code_refused",
      detail: { kind: failure.kind },
    });
  }
  return failure.kind === "invalid_grant"
    ? { kind: "page", status: 400, ...callbackPages.signInExpired }
    : { kind: "page", status: 502, ...callbackPages.couldNotFinish };
}

/** Stores the connection (token sealed), retires a replaced one, and hands over to verification. */
async function storeConnection(
  ctx: AppContext,
  onboarding: OnboardingWithCustomer,
  exchanged: Exchanged,
  codeHash: string,
): Promise<CallbackResult> {
  const template = providerCatalogue(ctx).template(onboarding.providerId);
  if (exchanged.provider_id !== template.finch.providerId) {
    ctx.logger.warn(
      { onboardingId: onboarding.id, providerId: exchanged.provider_id },
      "finch connection is for another provider than the template's",
    );
  }
  const now = ctx.clock.now();
  const fields = {
    connectionId: exchanged.connection_id,
    providerId: exchanged.provider_id,
    ...sealToken(ctx, exchanged.access_token),
    status: "pending",
    products: exchanged.products ?? [],
    codeHash,
    verifiedAt: null,
    nextPollAt: new Date(now.getTime() + POLL_MIN_SECONDS * 1000),
    pollIntervalSec: POLL_MIN_SECONDS,
  };
  const previous = await ctx.db.prisma.finchConnection.findUnique({ where: { onboardingId: onboarding.id } });
  // Re-connecting replaces the stored connection: one token per onboarding.
  await ctx.db.prisma.finchConnection.upsert({
    where: { onboardingId: onboarding.id },
    create: { onboardingId: onboarding.id, ...fields },
    update: fields,
  });
  // Used sessions cannot be reused; the next click makes a fresh one.
  await ctx.db.prisma.finchConnectSession.updateMany({
    where: { onboardingId: onboarding.id, expiresAt: { gt: now } },
    data: { expiresAt: now },
  });
  if (previous && previous.connectionId !== exchanged.connection_id) {
    await retireConnection(ctx, previous.tokenCiphertext, onboarding.id);
  }
  await audit(ctx, {
    onboardingId: onboarding.id,
    action: "finch.connected",
    detail: {
      connectionId: exchanged.connection_id,
      providerId: exchanged.provider_id,
      products: exchanged.products ?? [],
      replaced: previous ? previous.connectionId : null,
    },
  });
  ctx.logger.info(
    { onboardingId: onboarding.id, connectionId: exchanged.connection_id, reconnect: !!previous },
    "finch connected",
  );
  return {
    kind: "page",
    status: 200,
    ...connectedPage({ providerName: template.displayName }),
    verifyOnboardingId: onboarding.id,
  };
}

/** A different connection replaced this one: close the old one at Finch (best effort). */
async function retireConnection(
  ctx: AppContext,
  tokenCiphertext: string,
  onboardingId: string,
): Promise<void> {
  let token: string;
  try {
    token = decryptSecret(tokenCiphertext, ctx.keys);
  } catch (err) {
    ctx.logger.warn({ onboardingId, err }, "could not decrypt the replaced finch token");
    return;
  }
  await retireToken(ctx, token, onboardingId);
}

/** Closes a connection at Finch by its token (best effort). */
async function retireToken(ctx: AppContext, token: string, onboardingId: string): Promise<void> {
  try {
    const client = createConnectionClient(ctx.config, ctx.logger, token);
    await client.account.disconnect();
    ctx.logger.info({ onboardingId }, "finch connection closed at finch");
  } catch (err) {
    ctx.logger.warn(
      { onboardingId, ...classifyFinchError(err) },
      "could not close the finch connection at finch",
    );
  }
}
