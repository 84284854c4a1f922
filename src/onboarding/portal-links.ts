/**
 * Links to an onboarding's private progress page, one per recipient. The token is 32 random bytes (base64url)
 * and only its SHA-256 is stored, so a database leak opens no page. A link is scoped to one onboarding and one
 * email address, expires after {@link PORTAL_LINK_DAYS} days (issuing it again renews it and retires the older
 * token), and is revoked by the rep or when the onboarding is closed (`/fleet done`).
 */

import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { Actor } from "../audit/actor.ts";
import { audit } from "../audit/audit.ts";
import { onboardingAnswerText } from "../blocks/onboarding-answers.ts";
import type { AppContext } from "../context.ts";
import { decryptSecret, encryptSecret } from "../crypto.ts";

/** How long a link opens the page after it was (re)issued. */
export const PORTAL_LINK_DAYS = 14;
const TOKEN_BYTES = 32;
/** base64url of 32 bytes: 43 characters, nothing else is ever a token. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const EMAIL_PATTERN = /^[^\s@<>"]{1,64}@[^\s@<>"]{1,190}\.[^\s@<>".]{2,63}$/;

type Ctx = Pick<AppContext, "db" | "clock" | "publicUrl" | "logger" | "keys">;

/** A stored link, as the page needs it (never the token). */
export interface PortalLink {
  id: string;
  onboardingId: string;
  email: string;
  tokenHash: string;
  expiresAt: Date;
  revokedAt: Date | null;
}

/** What opening a token found. */
export type LinkLookup =
  | { ok: true; link: PortalLink }
  | { ok: false; reason: "unknown" | "expired" | "revoked" };

/** The SHA-256 (hex) of a token: what the database keeps. */
export function hashPortalToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** The page's URL for a token: the token is the only identifier in it. */
export function portalUrlFor(ctx: Pick<AppContext, "publicUrl">, token: string): string {
  return `${ctx.publicUrl}p/${token}`;
}

/** A normalized recipient address, or null when it is not one. */
export function normalizeEmail(email: string): string | null {
  const value = email.trim().toLowerCase();
  return value.length <= 254 && EMAIL_PATTERN.test(value) ? value : null;
}

/**
 * Issues (or renews) the link of `email` for an onboarding: a new token, a fresh expiry, the revocation lifted.
 * Returns the token once — it is stored only hashed — or an error for an unknown or closed onboarding or a bad
 * address, with nothing written.
 */
export async function issuePortalLink(
  ctx: Ctx,
  input: {
    onboardingId: string;
    email: string;
    actor?: Actor | null;
    /** A closed onboarding's connection has a health problem (finch/health-email.ts): its page offers Reconnect. */
    afterGoLive?: boolean;
  },
): Promise<
  { ok: true; token: string; url: string; expiresAt: Date; linkId: string } | { ok: false; message: string }
> {
  const email = normalizeEmail(input.email);
  if (!email) return { ok: false, message: onboardingAnswerText.notAnEmail(input.email) };
  const onboarding = await ctx.db.prisma.onboarding.findUnique({
    where: { id: input.onboardingId },
    select: { status: true },
  });
  if (!onboarding) return { ok: false, message: onboardingAnswerText.noSuchOnboarding };
  if (onboarding.status !== (input.afterGoLive ? "done" : "active")) {
    return { ok: false, message: onboardingAnswerText.closedNoPage };
  }
  const token = randomBytes(TOKEN_BYTES).toString("base64url");
  const now = ctx.clock.now();
  const expiresAt = new Date(now.getTime() + PORTAL_LINK_DAYS * 24 * 3600_000);
  // The row (and its id) is kept across renewals: an unsubscribe link made from the id keeps working.
  const [row] = await ctx.db.sql.query(
    `insert into portal_link (id, onboarding_id, email, token_hash, issued_at, expires_at, token_ciphertext)
     values ($1::uuid, $2::uuid, $3::text, $4::text, $5::timestamptz, $6::timestamptz, $7::text)
     on conflict (onboarding_id, email) do update
       set token_hash = excluded.token_hash, issued_at = excluded.issued_at,
           expires_at = excluded.expires_at, revoked_at = null, revoked_by = null,
           token_ciphertext = excluded.token_ciphertext
     returning id`,
    [
      randomUUID(),
      input.onboardingId,
      email,
      hashPortalToken(token),
      now,
      expiresAt,
      encryptSecret(token, ctx.keys).ciphertext,
    ],
  );
  await audit(ctx, {
    onboardingId: input.onboardingId,
    action: "portal.link_issued",
    actor: input.actor ?? null,
    detail: { email },
  });
  return { ok: true, token, url: portalUrlFor(ctx, token), expiresAt, linkId: String(row?.id) };
}

/** The link a token opens, or why it opens nothing. Reads only: opening a link changes nothing. */
export async function findPortalLink(
  ctx: Pick<AppContext, "db" | "clock">,
  token: string,
): Promise<LinkLookup> {
  if (!TOKEN_PATTERN.test(token)) return { ok: false, reason: "unknown" };
  const [row] = await ctx.db.sql.query(
    `select id, onboarding_id, email, token_hash, expires_at, revoked_at
       from portal_link where token_hash = $1::text`,
    [hashPortalToken(token)],
  );
  if (!row) return { ok: false, reason: "unknown" };
  const link: PortalLink = {
    id: String(row.id),
    onboardingId: String(row.onboarding_id),
    email: String(row.email),
    tokenHash: String(row.token_hash),
    expiresAt: new Date(row.expires_at as string | Date),
    revokedAt: row.revoked_at ? new Date(row.revoked_at as string | Date) : null,
  };
  if (link.revokedAt) return { ok: false, reason: "revoked" };
  if (link.expiresAt.getTime() <= ctx.clock.now().getTime()) return { ok: false, reason: "expired" };
  return { ok: true, link };
}

/**
 * Revokes the links of an onboarding (of one address, or all): for the rep (App Home, a command) and for
 * `/fleet done`. Returns how many were still open.
 */
export async function revokePortalLinks(
  ctx: Ctx,
  input: { onboardingId: string; email?: string; actor?: Actor | null; reason: "rep" | "closed" },
): Promise<number> {
  const email = input.email === undefined ? null : normalizeEmail(input.email);
  if (input.email !== undefined && !email) return 0;
  const rows = await ctx.db.sql.query(
    `update portal_link set revoked_at = $2::timestamptz, revoked_by = $3::text
      where onboarding_id = $1::uuid and revoked_at is null and ($4::text is null or email = $4::text)
      returning email`,
    [input.onboardingId, ctx.clock.now(), input.reason, email],
  );
  if (rows.length > 0) {
    await audit(ctx, {
      onboardingId: input.onboardingId,
      action: "portal.links_revoked",
      actor: input.actor ?? null,
      detail: { reason: input.reason, emails: rows.map((r) => String(r.email)) },
    });
  }
  return rows.length;
}

/** Update emails reuse a link with at least this long to live; an older one is renewed. */
const REUSE_MIN_MS = 2 * 24 * 3600_000;

/**
 * The recipient's current link for an update email: the one they have (decrypted), while it is open and has
 * days to live — renewing it would break a page they may have open — else a freshly issued one.
 */
export async function currentOrFreshLink(
  ctx: Ctx,
  input: { onboardingId: string; email: string },
): ReturnType<typeof issuePortalLink> {
  const row = await ctx.db.prisma.portalLink.findUnique({
    where: { onboardingId_email: { onboardingId: input.onboardingId, email: input.email } },
  });
  const usable =
    row?.tokenCiphertext &&
    !row.revokedAt &&
    row.expiresAt.getTime() - ctx.clock.now().getTime() > REUSE_MIN_MS;
  if (row && usable && row.tokenCiphertext) {
    try {
      const token = decryptSecret(row.tokenCiphertext, ctx.keys);
      return { ok: true, token, url: portalUrlFor(ctx, token), expiresAt: row.expiresAt, linkId: row.id };
    } catch {
      // A key no longer in the ring: issue a fresh link.
    }
  }
  return issuePortalLink(ctx, input);
}
