/**
 * The connection-health emails of a customer who works by email (issue 24): a problem after go-live, with the
 * exact fix and the link to their private page (where the Reconnect button is), and the recovery. Plain-text
 * and HTML parts say the same; nothing secret is in them beyond the page's link itself.
 */
import { escapeHtml } from "../html/escape.ts";
import type { OutgoingEmail } from "./mailer.ts";

/** What a health email says. */
export type HealthNoticeInput =
  | {
      kind: "problem";
      to: string;
      company: string;
      providerName: string;
      /** The problem and its fix, in plain sentences (finch/health.ts healthReason). */
      reason: string;
      url: string;
      expiresAt: Date;
    }
  | { kind: "recovered"; to: string; company: string; providerName: string };

const SIGNATURE = "— The Fleet onboarding team";

function build(to: string, subject: string, paragraphs: string[], link?: { url: string; label: string }) {
  const text = ["Hello,", "", ...paragraphs.flatMap((p) => [p, ""])];
  if (link) text.push(`${link.label}: ${link.url}`, "");
  text.push(SIGNATURE);
  const html = [
    "<!doctype html>",
    '<html lang="en"><body style="font-family:sans-serif;line-height:1.5">',
    "<p>Hello,</p>",
    ...paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
    ...(link ? [`<p><a href="${escapeHtml(link.url)}">${escapeHtml(link.label)}</a></p>`] : []),
    `<p>${escapeHtml(SIGNATURE)}</p>`,
    "</body></html>",
  ].join("\n");
  return { to, subject, text: text.join("\n"), html };
}

/** Builds the email (pure). */
export function buildHealthNoticeEmail(input: HealthNoticeInput): OutgoingEmail {
  if (input.kind === "recovered") {
    return build(input.to, `${input.company}: your ${input.providerName} connection works again`, [
      `${input.providerName} is healthy again: Fleet receives ${input.company}'s HR data normally. Thank you!`,
    ]);
  }
  const until = input.expiresAt.toISOString().slice(0, 10);
  return build(
    input.to,
    `${input.company}: action needed on your ${input.providerName} connection to Fleet`,
    [
      input.reason,
      `The Reconnect ${input.providerName} button is on your private page. The link is personal to ${input.to} — please do not forward it. It works until ${until}.`,
    ],
    { url: input.url, label: "Open your private page" },
  );
}
