/**
 * The one sender of email: nodemailer over SMTP (`SMTP_URL`, `EMAIL_FROM`, optional DKIM). Without `SMTP_URL`
 * the sandbox keeps its mail in memory (its mailbox); anywhere else the email path is off, and callers tell the
 * rep why ({@link EMAIL_OFF_REASON}) instead of failing quietly.
 */
import type { Transporter } from "nodemailer";
import type { EmailConfig } from "./settings.ts";

/** What the mailer reads of the app's config (declared here, a floor below src/config.ts, which satisfies it). */
export interface MailerConfig {
  mode: string;
  email: EmailConfig;
}

/** What the rep is told when an email would have gone out but cannot. */
export const EMAIL_OFF_REASON =
  "email is off: SMTP_URL is not set, so Fleet Concierge cannot send mail (set SMTP_URL and EMAIL_FROM, see README → Customers without Slack)";

/** One email as built by a template. */
export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  html: string;
  headers?: Record<string, string>;
  /** Extra MIME alternatives (an iMIP `text/calendar` part). */
  icalEvent?: { method: "REQUEST" | "CANCEL"; content: string; filename?: string };
}

/** A mail the sandbox kept (its mailbox). */
export interface SandboxMail {
  to: string;
  subject: string;
  raw: string;
  at: Date;
  /** The parts as sent, for the sandbox page's mailbox (src/sandbox/routes/mailbox-routes.ts). */
  text?: string;
  html?: string;
  calendar?: string;
}

const SANDBOX_MAILBOX_SIZE = 50;
/** The sandbox's sent mail, newest last (bounded). */
export const sandboxMailbox: SandboxMail[] = [];

const transports = new WeakMap<MailerConfig, Promise<Transporter>>();

/** Whether email can go out with this configuration, and if not, why. */
export function emailAvailability(config: MailerConfig): { on: true } | { on: false; reason: string } {
  if (config.email.smtpUrl || config.mode === "sandbox") return { on: true };
  return { on: false, reason: EMAIL_OFF_REASON };
}

/**
 * One transport per configuration (the promise is kept, so emails sent at once share it). nodemailer
 * (~15 MiB) is loaded with the first email, not at every start: a deployment without SMTP sends none.
 */
function transportFor(config: MailerConfig): Promise<Transporter> {
  const known = transports.get(config);
  if (known) return known;
  const created = import("nodemailer").then(({ default: nodemailer }) =>
    config.email.smtpUrl
      ? nodemailer.createTransport(config.email.smtpUrl, {
          from: config.email.from,
          ...(config.email.dkim ? { dkim: config.email.dkim } : {}),
        })
      : nodemailer.createTransport({ streamTransport: true, buffer: true }, { from: config.email.from }),
  );
  transports.set(config, created);
  return created;
}

/**
 * Sends one email; resolves with the SMTP message id, or an error in words (never the message body: a link
 * to a private page is a secret).
 */
export async function sendEmail(
  config: MailerConfig,
  mail: OutgoingEmail,
): Promise<{ ok: true; messageId: string } | { ok: false; reason: string }> {
  const availability = emailAvailability(config);
  if (!availability.on) return { ok: false, reason: availability.reason };
  try {
    const info = await (await transportFor(config)).sendMail({
      from: config.email.from,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      ...(mail.headers ? { headers: mail.headers } : {}),
      ...(mail.icalEvent ? { icalEvent: mail.icalEvent } : {}),
    });
    if (!config.email.smtpUrl) keepInSandbox(mail, info.message);
    return { ok: true, messageId: String(info.messageId ?? "") };
  } catch (err) {
    const e = err as { code?: string; responseCode?: number };
    return {
      ok: false,
      reason: `the mail server refused it (${e.code ?? "error"}${e.responseCode ? ` ${e.responseCode}` : ""})`,
    };
  }
}

function keepInSandbox(mail: OutgoingEmail, message: unknown): void {
  const raw = Buffer.isBuffer(message) ? message.toString("utf8") : String(message ?? "");
  sandboxMailbox.push({
    to: mail.to,
    subject: mail.subject,
    raw,
    at: new Date(),
    text: mail.text,
    html: mail.html,
    ...(mail.icalEvent ? { calendar: mail.icalEvent.content } : {}),
  });
  if (sandboxMailbox.length > SANDBOX_MAILBOX_SIZE) sandboxMailbox.shift();
}
