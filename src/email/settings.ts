/**
 * The email settings (issue 23): SMTP_URL, EMAIL_FROM, optional DKIM, INVITE_FALLBACK_AFTER_DAYS. Part of the
 * one config schema (src/config.ts reads the environment; this file only describes and maps these fields).
 */
import { z } from "zod";
import { optionalString } from "../config-fields.ts";

/** The raw fields, merged into the config schema. */
export const emailEnvShape = {
  INVITE_FALLBACK_AFTER_DAYS: z.coerce.number().int().min(1).max(13).default(3),
  SMTP_URL: optionalString.pipe(
    z.url({ protocol: /^smtps?$/, error: "must be an smtp:// or smtps:// URL" }).optional(),
  ),
  EMAIL_FROM: optionalString,
  EMAIL_DKIM_DOMAIN: optionalString,
  EMAIL_DKIM_SELECTOR: optionalString,
  EMAIL_DKIM_PRIVATE_KEY: optionalString,
};

type EmailRaw = z.output<z.ZodObject<typeof emailEnvShape>>;

/** Email to customers without Slack (src/email): SMTP, sender, optional DKIM, when the fallback starts. */
export interface EmailConfig {
  /** Unset: the email path is off (outside the sandbox), and reps are told why. */
  smtpUrl?: string;
  from: string;
  dkim?: { domainName: string; keySelector: string; privateKey: string };
  fallbackAfterDays: number;
}

/** The config's `email` part, or the problems with it. */
export function emailConfigFrom(r: EmailRaw): { config: EmailConfig; problems: string[] } {
  const problems: string[] = [];
  const dkimSet = [r.EMAIL_DKIM_DOMAIN, r.EMAIL_DKIM_SELECTOR, r.EMAIL_DKIM_PRIVATE_KEY].filter(Boolean);
  if (dkimSet.length !== 0 && dkimSet.length !== 3) {
    problems.push(
      "EMAIL_DKIM_DOMAIN, EMAIL_DKIM_SELECTOR and EMAIL_DKIM_PRIVATE_KEY go together: set all three or none",
    );
  }
  const dkim =
    r.EMAIL_DKIM_DOMAIN && r.EMAIL_DKIM_SELECTOR && r.EMAIL_DKIM_PRIVATE_KEY
      ? {
          domainName: r.EMAIL_DKIM_DOMAIN,
          keySelector: r.EMAIL_DKIM_SELECTOR,
          // A PEM key in one environment line carries its line breaks as "\n".
          privateKey: r.EMAIL_DKIM_PRIVATE_KEY.replace(/\\n/g, "\n"),
        }
      : undefined;
  return {
    config: {
      smtpUrl: r.SMTP_URL,
      from: r.EMAIL_FROM ?? "Fleet onboarding <onboarding@fleet.example>",
      ...(dkim ? { dkim } : {}),
      fallbackAfterDays: r.INVITE_FALLBACK_AFTER_DAYS,
    },
    problems,
  };
}
