/**
 * The private page's CSRF token: an HMAC of the link (its id and token hash) under a key derived from the app's
 * encryption key. Every form on the page carries it and every POST must return it, so a page on another site
 * cannot make a reader's browser tick or connect; a renewed link gets a new token (its hash changed).
 */
import { createHmac, hkdfSync, timingSafeEqual } from "node:crypto";
import type { KeyRing } from "../crypto.ts";
import type { PortalLink } from "../onboarding/portal-links.ts";

/** The name of the form field that carries the token. */
export const CSRF_FIELD = "csrf";

const derived = new WeakMap<Buffer, Buffer>();

function csrfKey(key: Buffer): Buffer {
  let k = derived.get(key);
  if (!k) {
    k = Buffer.from(hkdfSync("sha256", key, Buffer.alloc(0), "fleet-concierge/portal-csrf", 32));
    derived.set(key, k);
  }
  return k;
}

function tag(link: Pick<PortalLink, "id" | "tokenHash">, key: Buffer): Buffer {
  return createHmac("sha256", csrfKey(key)).update(`${link.id}.${link.tokenHash}`).digest();
}

/** The CSRF token of a link's page. */
export function csrfTokenFor(link: Pick<PortalLink, "id" | "tokenHash">, ring: KeyRing): string {
  return tag(link, ring.current.key).toString("base64url");
}

/** Whether `given` is the CSRF token of this link (under the current or a previous key). */
export function isValidCsrfToken(
  link: Pick<PortalLink, "id" | "tokenHash">,
  given: string | null | undefined,
  ring: KeyRing,
): boolean {
  if (!given || !/^[A-Za-z0-9_-]{43}$/.test(given)) return false;
  const provided = Buffer.from(given, "base64url");
  return [ring.current, ...ring.previous].some((k) => {
    const expected = tag(link, k.key);
    return expected.length === provided.length && timingSafeEqual(expected, provided);
  });
}
