/** Private texts for the rep: the result of `/fleet onboard` and the `/fleet status` summary. Pure. */

import { progressBar } from "../../checklist/progress.ts";
import type { OnboardReport } from "../../onboarding/start-onboarding.ts";
import type { StatusFacts } from "../../onboarding/status.ts";
import { slackDate } from "../../time.ts";

/** What `/fleet onboard` did, and what the rep should do about any problem. */
export function onboardReportText(company: string, report: OnboardReport): string {
  const head = report.complete
    ? `:white_check_mark: *${company}* is ${report.resumed ? "set up (resumed)" : "set up"}.`
    : report.problems.length > 0
      ? `:warning: *${company}* is ${report.resumed ? "resumed" : "started"}, but some steps need you:`
      : `:hourglass_flowing_sand: *${company}* is ${report.resumed ? "resumed" : "started"}.`;
  const lines = [head, ...report.lines.map((l) => `• ${l}`)];
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
  if (p.openByOwner.customer.length)
    lines.push(`Open for the customer: ${p.openByOwner.customer.join(", ")}`);
  if (p.openByOwner.fleet.length) lines.push(`Open for Fleet: ${p.openByOwner.fleet.join(", ")}`);
  lines.push(
    f.callAt
      ? `Call: ${slackDate(f.callAt, f.timeZone)} (${f.timeZone})`
      : "Call: not booked — `/fleet call`",
  );
  const connection = f.connection
    ? `${f.connection.status}${f.connection.verifiedAt ? `, verified ${slackDate(f.connection.verifiedAt, f.timeZone, "{date_short} {time}")}` : ", not verified yet"}`
    : "not connected yet";
  lines.push(`Finch connection: ${connection}`);
  const out = f.invites.filter((i) => i.status !== "waiting");
  if (out.length) {
    lines.push(
      `Invites: ${out.map((i) => `${i.email} (${i.status}${i.lastError ? `: ${i.lastError}` : ""})`).join(", ")}`,
    );
  }
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
