/**
 * Customer names → matching keys and Slack channel names. Transliteration by @sindresorhus/slugify (a
 * well-kept library that knows ß, Æ, Ł … which Unicode normalisation alone does not).
 */
import { createHash } from "node:crypto";
import slugify from "@sindresorhus/slugify";

const SLUG_OPTIONS = {
  separator: "-",
  decamelize: false,
  customReplacements: [["&", " and "]] as [string, string][],
};

/**
 * Case-, accent- and punctuation-insensitive key used to find a customer again ("ACME, Inc." = "Acme Inc").
 * Names in scripts slugify cannot transliterate (株式会社テスト, 한국회사 …) keep their own letters, NFKC
 * folded and lower-cased, so two such customers never share a key.
 */
export function customerNameKey(name: string): string {
  const latin = slugify(name, { ...SLUG_OPTIONS, separator: " " });
  if (latin) return latin;
  return name
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

/** Slack channel names: lowercase letters, digits, hyphens and underscores, at most 80 characters. */
export const CHANNEL_NAME_MAX = 80;

/** `fleet-<slug>` for a company, with an optional numeric suffix for clashes, never over 80 chars. */
export function channelNameFor(companyName: string, suffix?: number): string {
  const tail = suffix ? `-${suffix}` : "";
  const slug = slugify(companyName, SLUG_OPTIONS) || `customer-${shortHash(companyName)}`;
  const room = CHANNEL_NAME_MAX - "fleet-".length - tail.length;
  const cut = slug.slice(0, room).replace(/-+$/, "");
  return `fleet-${cut}${tail}`;
}

/** Slug used in the integration user's email (`{slug}`). */
export function companySlug(companyName: string): string {
  return (
    slugify(companyName, SLUG_OPTIONS).slice(0, 40).replace(/-+$/, "") || `customer-${shortHash(companyName)}`
  );
}

/** Six hex characters that tell names apart when they have no Latin letters to show. */
function shortHash(name: string): string {
  return createHash("sha256").update(customerNameKey(name)).digest("hex").slice(0, 6);
}
