/**
 * The private progress page as server-rendered HTML: no JavaScript, one column that fits a phone, real headings,
 * labelled forms, visible focus and text contrast of at least 4.5:1. Every action is a POST form carrying the
 * page's CSRF token; links never change anything. Pure: the same data renders the same page.
 */
import { escapeHtml } from "../html/escape.ts";
import { mrkdwnToHtml } from "../html/mrkdwn-html.ts";
import { formatCallTime, zoneChoices } from "../time-zones.ts";
import { CSRF_FIELD } from "./csrf.ts";
import type { PageItem, PageStep, PageVerification, PortalPageData } from "./page-data.ts";

/** How the page is rendered for one request. */
export interface PageContext {
  /** The page's own URL (PUBLIC_URL + p/<token>); forms post below it. */
  pageUrl: string;
  csrf: string;
  /** The zone the reader chose for the call, or the call's own. */
  readerZone: string;
  /** A one-line outcome of the reader's last action (after a POST), if any. */
  notice?: string | null;
}

const STYLE = `*{box-sizing:border-box}body{font:1rem/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d1c1d;background:#fff;margin:0}
main{max-width:44rem;margin:0 auto;padding:1rem}h1{font-size:1.6rem;margin:.5rem 0}h2{font-size:1.25rem;margin-top:2rem}
h3{font-size:1.05rem;margin:1.5rem 0 .25rem}.meta,.hint{color:#454245}.done{color:#007a5a;font-weight:600}
section.step{border-top:1px solid #d0d0d0;padding-top:.5rem}ul.items{list-style:none;padding:0}ul.items li{margin:.75rem 0;padding:.5rem;border:1px solid #d0d0d0;border-radius:6px}
button,.button{font:inherit;padding:.5rem 1rem;border-radius:6px;border:2px solid #1d1c1d;background:#fff;color:#1d1c1d;cursor:pointer;min-height:44px;text-decoration:none;display:inline-block}
.primary{background:#007a5a;border-color:#007a5a;color:#fff}a{color:#0b4f9c}
a:focus-visible,button:focus-visible,select:focus-visible,.button:focus-visible{outline:3px solid #0b4f9c;outline-offset:2px}
progress{width:100%;height:1rem}.notice{background:#e8f5fa;border-left:4px solid #0b4f9c;padding:.5rem 1rem}
code{background:#f4f4f4;padding:0 .2rem;border-radius:3px;word-break:break-all}.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
form.inline{display:inline}label{display:block;font-weight:600}select{font:inherit;min-height:44px;max-width:100%}`;

const OUTCOME_TEXT: Record<string, string> = {
  verified: "Verified: the connection works and every permission Fleet needs is there.",
  missing: "Connected, but some permissions are missing. Grant them as below; Fleet checks again by itself.",
  syncing: "Connected: Finch is still reading your data. Fleet checks again by itself.",
  retry: "Finch could not be reached; Fleet checks again by itself.",
  reauth: "The connection needs to be made again: use the Connect button.",
  setup_required: "The provider account is not set up for the integration user yet: see the first steps.",
  error: "The check did not finish; your Fleet contact has been told.",
};

function hidden(name: string, value: string): string {
  return `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`;
}

function tickForm(item: PageItem, page: PageContext): string {
  const action = item.done ? "Mark as not done" : "Mark as done";
  return `<form class="inline" method="post" action="${escapeHtml(`${page.pageUrl}/tick`)}">${hidden(CSRF_FIELD, page.csrf)}${hidden("item", item.key)}${hidden("done", item.done ? "0" : "1")}<button type="submit">${action}<span class="sr-only">: ${escapeHtml(item.label)}</span></button></form>`;
}

function itemHtml(item: PageItem, data: PortalPageData, page: PageContext): string {
  const status = item.saving
    ? `<span>${item.done ? "✓ Done" : "Open"}</span> <span class="hint">— Saving your change: it shows everywhere shortly.</span>`
    : item.done
      ? `<span class="done">✓ Done</span> — ${escapeHtml(item.doneBy ?? "Done")}${item.doneAt ? `, ${escapeHtml(formatCallTime(item.doneAt, page.readerZone, "short"))}` : ""}`
      : `<span>Open</span>${item.hint ? ` <span class="hint">— ${escapeHtml(item.hint)}</span>` : ""}`;
  const control =
    data.active && item.tickable
      ? tickForm(item, page)
      : item.tickable
        ? ""
        : `<span class="hint">Fleet's step: it ticks itself when Finch verifies the connection.</span>`;
  return `<li><strong>${escapeHtml(item.label)}</strong><br>${status}<br>${control}</li>`;
}

/** After go-live, a connection problem: what happened, the fix and the Reconnect button. */
function reconnectHtml(data: PortalPageData, page: PageContext): string {
  if (!data.reconnect) return "";
  return `<h2 id="reconnect">Action needed: reconnect ${escapeHtml(data.providerName)}</h2>
<p class="notice" role="alert">${escapeHtml(data.reconnect.reason)}</p>
<form method="post" action="${escapeHtml(`${page.pageUrl}/reconnect`)}">${hidden(CSRF_FIELD, page.csrf)}<button class="primary" type="submit">Reconnect ${escapeHtml(data.providerName)}</button></form>
<p class="hint">Opens Finch Connect, where you sign in to ${escapeHtml(data.providerName)} again.</p>`;
}

function connectForm(data: PortalPageData, page: PageContext): string {
  return `<form method="post" action="${escapeHtml(`${page.pageUrl}/connect`)}">${hidden(CSRF_FIELD, page.csrf)}<button class="primary" type="submit">Connect ${escapeHtml(data.providerName)}</button></form>
<p class="hint">Opens Finch Connect, where you sign in to ${escapeHtml(data.providerName)} and choose what Fleet may read.</p>`;
}

function stepHtml(step: PageStep, data: PortalPageData, page: PageContext): string {
  const who = step.owner === "customer" ? "Your HR admin" : "Fleet";
  const count = step.itemsTotal > 1 ? ` · ${step.itemsDone} of ${step.itemsTotal} done` : "";
  return `<section class="step" aria-labelledby="step-${step.number}">
<h3 id="step-${step.number}">Step ${step.number}: ${escapeHtml(step.title)}${step.done ? ' <span class="done">(done)</span>' : ""}</h3>
<p class="meta">${who}${count}</p>
${mrkdwnToHtml(step.instructions)}
${step.finchConnect && data.connectOffered ? connectForm(data, page) : ""}
<ul class="items">${step.items.map((i) => itemHtml(i, data, page)).join("")}</ul>
</section>`;
}

function verificationHtml(v: PageVerification | null, page: PageContext): string {
  if (!v) return `<p>No check yet: Fleet checks the connection as soon as it is made.</p>`;
  const fixes = v.fixes.length
    ? `<ul>${v.fixes.map((f) => `<li><strong>${escapeHtml(f.label)}</strong>: ${escapeHtml(f.fix)}</li>`).join("")}</ul>`
    : "";
  // The same Re-check as under the report in Slack: a POST with the page's CSRF token.
  const recheck = `<form method="post" action="${escapeHtml(`${page.pageUrl}/recheck`)}">${hidden(CSRF_FIELD, page.csrf)}<button type="submit">Re-check the connection</button></form>`;
  return `<p>${escapeHtml(OUTCOME_TEXT[v.outcome] ?? OUTCOME_TEXT.error ?? "")}</p>
<p class="meta">Checked ${escapeHtml(formatCallTime(v.checkedAt, page.readerZone, "short"))}</p>${fixes}${recheck}`;
}

function zoneSelect(page: PageContext): string {
  const groups = zoneChoices(page.readerZone)
    .map(
      (g) =>
        `<optgroup label="${escapeHtml(g.group)}">${g.zones
          .map(
            (z) =>
              `<option value="${escapeHtml(z.id)}"${z.id === page.readerZone ? " selected" : ""}>${escapeHtml(z.label)}</option>`,
          )
          .join("")}</optgroup>`,
    )
    .join("");
  return `<form method="get" action="${escapeHtml(page.pageUrl)}"><label for="tz">Show times in</label>
<select id="tz" name="tz">${groups}</select> <button type="submit">Show</button></form>`;
}

function callHtml(data: PortalPageData, page: PageContext): string {
  if (!data.call)
    return `<p>No call is booked yet: your Fleet contact will propose one.</p>${zoneSelect(page)}`;
  return `<p><strong>${escapeHtml(formatCallTime(data.call.callAt, page.readerZone))}</strong></p>
<p><a class="button" href="${escapeHtml(`${page.pageUrl}/call.ics`)}">Download the calendar file (.ics)</a>
<a class="button" href="${escapeHtml(data.call.googleLink)}" rel="noopener noreferrer">Add to Google Calendar</a></p>
${zoneSelect(page)}`;
}

function helpHtml(data: PortalPageData): string {
  if (data.troubleshooting.length === 0 && !data.help) return "";
  const tips = data.troubleshooting.length
    ? mrkdwnToHtml(data.troubleshooting.map((tip) => `• ${tip}`).join("\n"))
    : "";
  return `<h2>Troubleshooting</h2>\n${tips}${data.help ? `\n${mrkdwnToHtml(data.help)}` : ""}`;
}

/** The whole page. */
export function buildPortalPage(data: PortalPageData, page: PageContext): string {
  const { stepsDone, stepsTotal } = data.progress;
  const closed = data.active
    ? ""
    : `<p class="notice" role="status">This onboarding is complete; the page is kept for the record.</p>`;
  const notice = page.notice ? `<p class="notice" role="status">${escapeHtml(page.notice)}</p>` : "";
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer"><title>${escapeHtml(data.companyName)} · ${escapeHtml(data.providerName)} setup · Fleet</title>
<style>${STYLE}</style></head><body><main>
<h1>Connect ${escapeHtml(data.providerName)} to Fleet</h1>
<p class="meta">${escapeHtml(data.companyName)} · private page for ${escapeHtml(data.recipient)} — please do not forward it.</p>
${notice}${closed}
${reconnectHtml(data, page)}
<h2 id="progress">Progress</h2>
<p><label for="bar">${stepsDone} of ${stepsTotal} steps done</label><progress id="bar" max="${stepsTotal}" value="${stepsDone}">${stepsDone} of ${stepsTotal}</progress></p>
<h2>The call</h2>
${callHtml(data, page)}
<h2>Latest check of the connection</h2>
${verificationHtml(data.verification, page)}
<h2>Before you begin</h2>
${mrkdwnToHtml(data.beforeYouBegin)}
${data.howYouConnect ? `<h3>How you connect</h3>\n${mrkdwnToHtml(data.howYouConnect)}` : ""}
<h2>Steps</h2>
${data.steps.map((s) => stepHtml(s, data, page)).join("\n")}
${helpHtml(data)}
</main></body></html>`;
}
