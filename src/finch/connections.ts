/**
 * Stored Finch connections: the access token lives only encrypted (AES-256-GCM, key id beside it) and is
 * decrypted just long enough to build a client. Also the small shared helpers of the Finch feature: the
 * redirect URI, the per-onboarding serialization and the notes to the thread and to the rep.
 */
import type { AppContext } from "../context.ts";
import { decryptSecret, encryptSecret, needsReEncryption } from "../crypto.ts";
import type { FinchConnection } from "../db/generated/client.ts";
import { withAdvisoryLock } from "../db/locks.ts";
import { noteMetadata, postOnce } from "../slack-gateway/post-once.ts";
import { createConnectionClient, type FinchClient } from "./client.ts";

/** How soon an unverified connection is polled after a change (then backing off, doubling). */
export const POLL_MIN_SECONDS = 60;
/** The longest wait between polls of an unverified connection. */
export const POLL_MAX_SECONDS = 3600;
/**
 * Verified connections are re-checked (introspect) this often, so a lost `reauth` / disconnect webhook — or a
 * plan without webhooks — is still noticed within a day.
 */
export const RECHECK_VERIFIED_SECONDS = 24 * 3600;

/** Where Finch sends the browser after Connect (registered in Finch's dashboard). */
export function finchRedirectUri(ctx: AppContext): string {
  return `${ctx.publicUrl}finch/callback`;
}

/** Encrypts an access token for storage. */
export function sealToken(
  ctx: AppContext,
  accessToken: string,
): { tokenCiphertext: string; tokenKeyId: string } {
  const { ciphertext, keyId } = encryptSecret(accessToken, ctx.keys);
  return { tokenCiphertext: ciphertext, tokenKeyId: keyId };
}

/** A client for a stored connection; a token sealed with an older key is re-sealed with the current one. */
export async function clientFor(ctx: AppContext, connection: FinchConnection): Promise<FinchClient> {
  const token = decryptSecret(connection.tokenCiphertext, ctx.keys);
  if (needsReEncryption(connection.tokenCiphertext, ctx.keys)) {
    await ctx.db.prisma.finchConnection.update({ where: { id: connection.id }, data: sealToken(ctx, token) });
    ctx.logger.info(
      { onboardingId: connection.onboardingId },
      "finch token re-encrypted with the current key",
    );
  }
  return createConnectionClient(ctx.config, ctx.logger, token);
}

/**
 * Runs `work` after any earlier work for the same onboarding, on every replica (one verification or
 * disconnect at a time per customer): a PostgreSQL advisory lock, see db/locks.ts.
 */
export function serialized<T>(ctx: Pick<AppContext, "db">, key: string, work: () => Promise<T>): Promise<T> {
  return withAdvisoryLock(ctx, key, work);
}

/** What notes need to know about an onboarding. */
export interface NoteTarget {
  id: string;
  channelId: string | null;
  checklistTs: string | null;
  ownerUserId: string;
}

/** Posts a short note in the checklist's thread (best effort: a Slack failure is logged, not thrown). */
export async function postThreadNote(ctx: AppContext, onboarding: NoteTarget, text: string): Promise<void> {
  if (!onboarding.channelId) return;
  try {
    await postOnce(ctx, {
      channel: onboarding.channelId,
      ...(onboarding.checklistTs ? { thread_ts: onboarding.checklistTs } : {}),
      metadata: noteMetadata(`finch-note:${onboarding.id}`),
      text,
      unfurl_links: false,
    });
  } catch (err) {
    ctx.logger.warn({ err, onboardingId: onboarding.id }, "could not post a Finch note in the thread");
  }
}

/** Tells the onboarding's rep privately (a DM: chat.postMessage to the user id). Best effort. */
export async function tellRep(ctx: AppContext, onboarding: NoteTarget, text: string): Promise<void> {
  try {
    await postOnce(ctx, {
      channel: onboarding.ownerUserId,
      metadata: noteMetadata(`rep-note:${onboarding.id}`),
      text,
      unfurl_links: false,
    });
  } catch (err) {
    ctx.logger.warn({ err, onboardingId: onboarding.id }, "could not message the rep");
  }
}
