/**
 * The sandbox's mailbox (issue 23): every email the sandbox kept instead of sending (no SMTP_URL), newest first.
 * Each renders as the recipient would see it — the HTML part in a sandboxed iframe (no scripts; its links open in
 * a new tab, so the private page opens), the text part with its links clickable, and a summary of the calendar
 * part (method, what, when, UID, SEQUENCE). A witness of what went out: it reads the mail, not the app's rules.
 */
import type { ServerResponse } from "node:http";
import { escapeHtml } from "../../html/escape.ts";
import type { Router } from "../../http/router.ts";

/** One kept email, as the mailbox needs it. */
export interface MailboxEntry {
  to: string;
  subject: string;
  at: Date;
  text?: string;
  html?: string;
  calendar?: string;
}

const STYLE =
  "body{font-family:system-ui,sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem;color:#1d1c1d}" +
  "iframe{width:100%;height:28rem;border:1px solid #ccc;border-radius:6px}pre{white-space:pre-wrap;background:#f6f6f6;padding:.75rem;border-radius:6px}" +
  "li{margin:.4rem 0}.meta{color:#555}";

function send(res: ServerResponse, status: number, title: string, body: string): void {
  res.writeHead(status, {
    "content-type": "text/html; charset=utf-8",
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    // The email's own HTML runs in a sandboxed srcdoc frame: no script anywhere, inline styles only.
    "content-security-policy":
      "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-src 'self'",
  });
  res.end(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(title)} · Sandbox mailbox</title><style>${STYLE}</style></head><body>${body}</body></html>`,
  );
}

/** The text part, escaped, with its web links clickable (they open the private page in a new tab). */
function linkedText(text: string): string {
  return escapeHtml(text).replace(
    /https?:\/\/[^\s<>"&]+(?:&#38;[^\s<>"&]+)*/g,
    (url) => `<a href="${url}" target="_blank" rel="noopener noreferrer">${url}</a>`,
  );
}

/** Method, summary, start, UID and SEQUENCE of an iCalendar part (unfolded lines, first VEVENT). */
export function calendarSummary(ics: string): Record<string, string> {
  const lines = ics.replace(/\r?\n[ \t]/g, "").split(/\r?\n/);
  const out: Record<string, string> = {};
  for (const name of ["METHOD", "SUMMARY", "DTSTART", "UID", "SEQUENCE", "STATUS"]) {
    const line = lines.find((l) => l.startsWith(`${name}:`) || l.startsWith(`${name};`));
    if (line) out[name] = line.slice(line.indexOf(":") + 1);
  }
  return out;
}

function mailPage(mail: MailboxEntry, index: number): string {
  const parts = [
    `<p><a href="../mailbox">← Mailbox</a></p><h1>${escapeHtml(mail.subject)}</h1>`,
    `<p class="meta">To ${escapeHtml(mail.to)} · ${escapeHtml(mail.at.toISOString())} · #${index}</p>`,
  ];
  if (mail.html) {
    // <base target="_blank">: a link in the email opens in a new tab (the sandboxed frame may open popups).
    const doc = `<base target="_blank">${mail.html}`;
    parts.push(
      "<h2>HTML part</h2>",
      `<iframe title="The email's HTML part" sandbox="allow-popups allow-popups-to-escape-sandbox" srcdoc="${escapeHtml(doc)}"></iframe>`,
    );
  }
  if (mail.text) parts.push("<h2>Text part</h2>", `<pre>${linkedText(mail.text)}</pre>`);
  if (mail.calendar) {
    const summary = calendarSummary(mail.calendar);
    parts.push(
      "<h2>Calendar part</h2>",
      `<ul>${Object.entries(summary)
        .map(([k, v]) => `<li><strong>${escapeHtml(k)}</strong>: ${escapeHtml(v)}</li>`)
        .join("")}</ul>`,
    );
  }
  return parts.join("\n");
}

/** Mounts GET `/sandbox/mailbox` (the list) and `/sandbox/mailbox/:n` (one email). */
export function mountMailboxRoutes(router: Router, mailbox: readonly MailboxEntry[]): void {
  router.on("GET", "/sandbox/mailbox", ({ res }) => {
    const rows = mailbox
      .map((m, i) => ({ m, i }))
      .reverse()
      .map(
        ({ m, i }) =>
          `<li><a href="mailbox/${i}">${escapeHtml(m.subject)}</a> <span class="meta">to ${escapeHtml(m.to)}${m.calendar ? " · calendar invitation" : ""}</span></li>`,
      );
    const body = rows.length
      ? `<ol reversed>${rows.join("")}</ol>`
      : "<p>No email yet. Emails to customers who work by email appear here.</p>";
    send(
      res,
      200,
      "Mailbox",
      `<h1>Mailbox</h1><p class="meta">What the sandbox sent, newest first.</p>${body}`,
    );
  });
  router.on("GET", "/sandbox/mailbox/:n", ({ res, params }) => {
    const index = Number(params.n);
    const mail = Number.isInteger(index) ? mailbox[index] : undefined;
    if (!mail)
      return send(res, 404, "No such email", '<h1>No such email</h1><p><a href="../mailbox">Mailbox</a></p>');
    send(res, 200, mail.subject, mailPage(mail, index));
  });
}
