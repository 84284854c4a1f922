/**
 * Unsubscribing from reminders and nudges by email (issue 23; RFC 2369 `List-Unsubscribe`, RFC 8058 one-click).
 * The link names the recipient's portal-link row (kept across renewals) with an HMAC under the app's key, so
 * it works for as long as the row exists — also after the page's token was renewed or expired — and opens
 * nothing else. Stopping nudges never stops the verification outcome or calendar changes.
 */
import { createHmac, hkdfSync, timingSafeEqual } from "node:crypto";
import { emailActor } from "../audit/actor.ts";
import { audit } from "../audit/audit.ts";
import type { AppContext } from "../context.ts";
import type { KeyRing } from "../crypto.ts";

function tag(id: string, key: Buffer): Buffer {
  const derived = Buffer.from(hkdfSync("sha256", key, Buffer.alloc(0), "fleet-concierge/unsubscribe", 32));
  return createHmac("sha256", derived).update(id).digest().subarray(0, 16);
}

/** The unsubscribe token of a portal-link row: its id (hex) and a tag. */
export function unsubscribeTokenFor(linkId: string, ring: KeyRing): string {
  const id = linkId.replace(/-/g, "");
  return `${id}.${tag(id, ring.current.key).toString("base64url")}`;
}

/** The portal-link row id of an unsubscribe token, or null when forged. */
export function readUnsubscribeToken(token: string, ring: KeyRing): string | null {
  const m = /^([0-9a-f]{32})\.([A-Za-z0-9_-]{22})$/.exec(token);
  if (!m) return null;
  const given = Buffer.from(m[2] ?? "", "base64url");
  const valid = [ring.current, ...ring.previous].some((k) => {
    const expected = tag(m[1] ?? "", k.key);
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
  const h = m[1] ?? "";
  return valid
    ? `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
    : null;
}

/** The one-click unsubscribe URL of a portal-link row. */
export function unsubscribeUrlFor(ctx: Pick<AppContext, "publicUrl" | "keys">, linkId: string): string {
  return `${ctx.publicUrl}u/${unsubscribeTokenFor(linkId, ctx.keys)}`;
}

/** The recipient a token names (null: forged or gone), and whether nudges are already stopped. */
export async function unsubscribeTarget(
  ctx: Pick<AppContext, "db" | "keys">,
  token: string,
): Promise<{ linkId: string; onboardingId: string; email: string; stopped: boolean } | null> {
  const linkId = readUnsubscribeToken(token, ctx.keys);
  if (!linkId) return null;
  const row = await ctx.db.prisma.portalLink.findUnique({ where: { id: linkId } });
  return row
    ? { linkId, onboardingId: row.onboardingId, email: row.email, stopped: row.nudgesStoppedAt !== null }
    : null;
}

/** Stops reminders and nudges to the token's recipient, once, and records it. False for a bad token. */
export async function stopNudges(ctx: AppContext, token: string): Promise<boolean> {
  const target = await unsubscribeTarget(ctx, token);
  if (!target) return false;
  const updated = await ctx.db.prisma.portalLink.updateMany({
    where: { id: target.linkId, nudgesStoppedAt: null },
    data: { nudgesStoppedAt: ctx.clock.now() },
  });
  if (updated.count > 0) {
    await audit(ctx, {
      onboardingId: target.onboardingId,
      action: "email.unsubscribed",
      actor: emailActor(target.email),
      detail: { email: target.email },
    });
  }
  return true;
}
