/** Private texts for the rep: the result of `/fleet onboard` and the `/fleet status` summary. Pure. */

import { openSentence } from "../checklist/open-items.ts";
import { progressBar } from "../checklist/progress.ts";
import { slackDate } from "../time.ts";
import { formatCallTime, yourTime, zoneName } from "../time-zones.ts";
import { escapeMrkdwn } from "./mrkdwn.ts";
import type { OnboardReport, RerunReport, StatusFacts } from "./report-input.ts";

/** "Tuesday, December 8, 2026 at 3:00 PM Chicago time (CT) (Dec 8 at 1:00 PM your time)". */
function callWhen(callAt: Date, timeZone: string): string {
  return `${formatCallTime(callAt, timeZone)} (${yourTime(callAt, timeZone)})`;
}

/** What the bot understood: provider, call in its zone and the rep's, HR admins. */
function understoodLine(u: OnboardReport["understood"]): string {
  const call = u.callAt ? callWhen(u.callAt, u.timeZone) : "not booked (`/fleet call` books it)";
  return `Provider: *${escapeMrkdwn(u.providerName)}* · Call: ${call} · HR admins: ${u.hrEmails.join(", ")}`;
}

/** A re-run: what already existed, what this run changed, what it left as it is (and the command that does). */
function rerunLines(company: string, r: RerunReport): string[] {
  const e = r.existing;
  const providerDisplayName = (id: string) => r.providerNames[id] ?? id;
  const lines = [
    `*${company}* already has an onboarding (since ${slackDate(e.createdAt, e.timeZone, "{date_short_pretty}")})` +
      `${e.channelId ? ` in <#${e.channelId}>` : ""}: *${escapeMrkdwn(providerDisplayName(e.providerId))}*, ` +
      `call ${e.callAt ? formatCallTime(e.callAt, e.timeZone) : "not booked"}, HR admins ${e.hrEmails.join(", ") || "none"}, owner <@${e.ownerUserId}>.`,
  ];
  if (r.changes.length === 0) lines.push("Nothing changed.");
  else lines.push("Changed:", ...r.changes.map((c) => `• ${changeText(c)}`));
  if (r.kept.length > 0) {
    lines.push("Not changed:");
    for (const k of r.kept) {
      lines.push(
        k.field === "provider"
          ? `• The provider stays *${escapeMrkdwn(providerDisplayName(k.kept))}* (you asked for ${escapeMrkdwn(providerDisplayName(k.asked))}): \`/fleet provider ${company} ${k.asked}\` switches it while nothing is ticked.`
          : `• The owner stays <@${k.kept}>: \`/fleet owner ${company} <@${k.asked}>\` hands it over.`,
      );
    }
  }
  return lines;
}

function changeText(c: RerunReport["changes"][number]): string {
  switch (c.kind) {
    case "invited":
      return `Added HR admin ${c.email} (invited over Slack Connect)`;
    case "call": {
      const from = c.from ? `, from ${formatCallTime(c.from, c.fromZone, "short")}` : "";
      const warnings = c.warnings.map((w) => `\n  :warning: ${w}`).join("");
      return `${c.from ? "Moved" : "Booked"} the call to ${callWhen(c.to, c.toZone)}${from}; the channel has the note.${warnings}`;
    }
    case "zone":
      return c.callAt
        ? `Showed the call in ${zoneName(c.to, c.callAt)} (was ${zoneName(c.from, c.callAt)}): ${callWhen(c.callAt, c.to)}, the same moment; the channel has the note.`
        : `Set the time zone to ${zoneName(c.to)} (was ${zoneName(c.from)}); reminders and the next \`/fleet call\` use it.`;
    case "call-failed":
      return `:x: The call was not moved: ${c.message}`;
  }
}

/** What `/fleet onboard` did, and what the rep should do about any problem. */
export function onboardReportText(company: string, report: OnboardReport): string {
  const head = report.complete
    ? `:white_check_mark: *${company}* is ${report.resumed ? "set up (resumed)" : "set up"}.`
    : report.problems.length > 0
      ? `:warning: *${company}* is ${report.resumed ? "resumed" : "started"}, but some steps need you:`
      : `:hourglass_flowing_sand: *${company}* is ${report.resumed ? "resumed" : "started"}.`;
  const lines = [
    head,
    ...(report.rerun ? [] : [understoodLine(report.understood)]),
    ...report.lines.map((l) => `• ${l}`),
    ...(report.rerun ? rerunLines(company, report.rerun) : []),
  ];
  if (report.problems.length > 0) {
    lines.push(...report.problems.map((p) => `• :x: ${p}`));
    lines.push("Run the same `/fleet onboard` command again once fixed — it resumes where it stopped.");
  }
  return lines.join("\n");
}

/** The status summary (mrkdwn). */
export function statusText(f: StatusFacts): string {
  const p = f.progress;
  const lines = [
    `*${f.company}* — ${f.status === "active" ? "in progress" : f.status}${f.channelId ? ` in <#${f.channelId}>` : ""}, owner <@${f.ownerUserId}>`,
    `${progressBar(p.stepsDone, p.stepsTotal)} *${p.stepsDone} of ${p.stepsTotal} steps done* (${p.itemsDone}/${p.itemsTotal} items)`,
  ];
  // The open boxes and who acts on each (the one truth every surface names), not step titles.
  const open = openSentence(p, "rep");
  if (open) lines.push(open);
  lines.push(f.callAt ? `Call: ${callWhen(f.callAt, f.timeZone)}` : "Call: not booked — `/fleet call`");
  const connection = f.connection
    ? `${f.connection.status}${f.connection.verifiedAt ? `, verified ${slackDate(f.connection.verifiedAt, f.timeZone, "{date_short} {time}")}` : ", not verified yet"}`
    : "not connected yet";
  lines.push(`Finch connection: ${connection}`);
  const out = f.invites.filter((i) => i.status !== "waiting" && i.status !== "email");
  if (out.length) {
    lines.push(
      `Invites: ${out.map((i) => `${i.email} (${i.status}${i.lastError ? `: ${i.lastError}` : ""})`).join(", ")}`,
    );
  }
  const byEmail = f.invites.filter((i) => i.status === "email").map((i) => i.email);
  if (byEmail.length) lines.push(`:email: Works by email (private page): ${byEmail.join(", ")}`);
  const waiting = f.invites.filter((i) => i.status === "waiting").map((i) => i.email);
  if (waiting.length) {
    const pending = f.invites.find((i) => i.status === "sent")?.email;
    lines.push(
      `:hourglass: Waiting to be invited: ${waiting.join(", ")} — Slack allows one pending Slack Connect invitation per channel; each goes out by itself once ${pending ? `${pending}'s` : "the pending one"} is accepted, declined or expires.`,
    );
  }
  if (f.ticks.length) {
    lines.push("Recent ticks:");
    for (const t of f.ticks.slice(0, 10)) {
      const who = t.source === "finch" ? "verified by Finch" : t.byUserId ? `<@${t.byUserId}>` : "someone";
      lines.push(`• ${t.label} — ${who}, ${slackDate(t.at, f.timeZone, "{date_short} {time}")}`);
    }
  }
  return lines.join("\n");
}
