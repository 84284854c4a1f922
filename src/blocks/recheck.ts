/**
 * Re-checks without noise: the one line answering a re-check that found the same result, the short text an
 * older report is replaced with (superseded, no buttons), and the rep's "cleared" note. Pure.
 */
import type { KnownBlock } from "@slack/types";
import { customerOpenSentence } from "../checklist/open-items.ts";
import { slackDate } from "../time.ts";
import { BLOCK_KIT_LIMITS } from "./limits.ts";
import { clipText, escapeMrkdwn } from "./mrkdwn.ts";
import type { VerificationOutcome, VerificationReport } from "./verification-input.ts";

type ReportFacts = Pick<VerificationReport, "outcome" | "permissions" | "providerName" | "companyName"> &
  Partial<Pick<VerificationReport, "checklist">>;

function missingLabels(report: ReportFacts): string[] {
  return report.permissions
    .filter((p) => p.result === "missing" || p.result === "not_in_scope")
    .map((p) => escapeMrkdwn(p.label));
}

/** What a result means, in a few plain words (no Finch codes). */
function resultWords(report: ReportFacts): string {
  const provider = escapeMrkdwn(report.providerName);
  switch (report.outcome) {
    case "verified": {
      // Verified is not "done" while a box only the customer can confirm is open: name it.
      const open = report.checklist
        ? customerOpenSentence({ openItems: report.checklist.open }, "customer")
        : "";
      return open
        ? `${provider} is connected and verified. ${open.replace(/\.$/, "")}`
        : `${provider} is connected and verified — nothing to do`;
    }
    case "missing": {
      const missing = missingLabels(report);
      return missing.length > 0
        ? `still missing: ${missing.join(", ")} — where to switch each on is in the report above`
        : "some permissions are still missing — see the report above";
    }
    case "syncing":
      return "Finch is still reading the data for the first time; Fleet re-checks automatically";
    case "retry":
      return "Finch could not be reached; Fleet re-checks automatically";
    case "reauth":
      return `Finch still cannot sign in to ${provider}; use the Reconnect link above`;
    case "setup_required":
      return "the integration user is not set up as a third-party admin yet (steps 1 and 2 of the guide)";
    case "error":
      return "the check failed on our side; your Fleet rep has been told";
  }
}

/** The one-line answer when a re-check finds what the last report already says. */
export function sameResultText(report: ReportFacts): string {
  return clipText(
    `:repeat: Re-checked — same result as the last check: ${resultWords(report)}.`,
    BLOCK_KIT_LIMITS.sectionText,
  );
}

/** What an older report becomes once a newer one is posted: marked superseded, no buttons. */
export function buildSupersededReport(
  postedAt: Date,
  timeZone: string,
): { text: string; blocks: KnownBlock[] } {
  const text = `Superseded: an earlier check (${slackDate(postedAt, timeZone, "{date_short_pretty}")}). The latest result is further down this thread.`;
  return {
    text,
    blocks: [
      {
        type: "context",
        block_id: "verify:superseded",
        elements: [{ type: "mrkdwn", text: `:arrow_down: ~Earlier check~ ${text}` }],
      },
    ],
  };
}

const WAS: Record<VerificationOutcome, string> = {
  verified: "verified",
  missing: "permissions missing",
  syncing: "still syncing",
  retry: "Finch unreachable",
  reauth: "needed reconnecting",
  setup_required: "integration user not set up",
  error: "the check failed",
};

/** The rep's note that a problem they were alerted about has cleared. */
export function problemClearedText(
  report: ReportFacts,
  previous: VerificationOutcome,
  channelId: string | null,
): string {
  const where = channelId ? ` <#${channelId}>` : "";
  const open = report.checklist ? customerOpenSentence({ openItems: report.checklist.open }, "rep") : "";
  return `:white_check_mark: Cleared: ${escapeMrkdwn(report.providerName)} for *${escapeMrkdwn(report.companyName.trim())}* is connected and verified now (before: ${WAS[previous]}).${open ? ` ${open}` : ""}${where}`;
}
