/**
 * The field types the configuration schema (config.ts) is built from: trimmed optional strings, lists,
 * keys, times, URLs. Pure zod, no environment.
 */

import proxyaddr from "proxy-addr";
import { z } from "zod";

/** Throws a clear error when an entry of `trusted` is neither an address, a CIDR range nor a proxy-addr name. */
function checkTrustedProxies(trusted: readonly string[]): void {
  proxyaddr.compile([...trusted]);
}

export const optionalString = z
  .string()
  .transform((s) => s.trim())
  .optional()
  .transform((s) => (s === "" ? undefined : s));

export const isTimeZone = (zone: string): boolean => {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

export const validProxyList = (list: string): boolean => {
  try {
    checkTrustedProxies(
      list
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    );
    return true;
  } catch {
    return false;
  }
};

export const localTime = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be a 24-hour local time like 10:00");

export const httpUrl = (what: string) =>
  z.url({ protocol: /^https?$/, error: `must be an http(s) URL (${what})` });

export const base64Key = z
  .string()
  .refine((s) => /^[A-Za-z0-9+/]+={0,2}$/.test(s) && Buffer.from(s, "base64").length === 32, {
    message: "must be 32 random bytes in base64 (e.g. `openssl rand -base64 32`)",
  });

export const csv = optionalString.transform((s) =>
  s
    ? s
        .split(",")
        .map((x) => x.trim())
        .filter(Boolean)
    : [],
);
