/**
 * Connection health after go-live for HR admins who work by email (issue 23's path): a problem is emailed once
 * with the exact fix and a fresh link to their private page, where the Reconnect button is (the page offers it
 * on a closed onboarding while a problem is open); the recovery is emailed too. Where email is off or a send
 * fails, the rep's alert says so (the caller's DM) and nothing is retried: the rep contacts the customer.
 */

import { audit } from "../audit/audit.ts";
import type { AppContext } from "../context.ts";
import { buildHealthNoticeEmail } from "../email/health-notice.ts";
import { sendEmail } from "../email/mailer.ts";
import { EMAIL_STATUS } from "../onboarding/email-fallback.ts";
import { issuePortalLink } from "../onboarding/portal-links.ts";

/** What the emails did: who got one, and the rep's words for those who did not. */
export interface HealthEmailReport {
  sent: string[];
  problems: string[];
}

/** The HR admins of an onboarding who work by email. */
async function emailRecipients(ctx: AppContext, onboardingId: string): Promise<string[]> {
  const invites = await ctx.db.prisma.invite.findMany({
    where: { onboardingId, status: EMAIL_STATUS },
    orderBy: { createdAt: "asc" },
    select: { email: true },
  });
  return invites.map((i) => i.email);
}

/** Emails a health problem or its recovery to every HR admin of the onboarding who works by email. */
export async function emailHealthNotice(
  ctx: AppContext,
  input: {
    onboardingId: string;
    company: string;
    providerName: string;
  } & ({ kind: "problem"; reason: string; problem: string } | { kind: "recovered"; problem: string }),
): Promise<HealthEmailReport> {
  const report: HealthEmailReport = { sent: [], problems: [] };
  for (const to of await emailRecipients(ctx, input.onboardingId)) {
    let mail: ReturnType<typeof buildHealthNoticeEmail>;
    if (input.kind === "problem") {
      const link = await issuePortalLink(ctx, {
        onboardingId: input.onboardingId,
        email: to,
        afterGoLive: true,
      });
      if (!link.ok) {
        report.problems.push(`${to}: ${link.message}`);
        continue;
      }
      mail = buildHealthNoticeEmail({ ...input, to, url: link.url, expiresAt: link.expiresAt });
    } else {
      mail = buildHealthNoticeEmail({ ...input, to });
    }
    const sent = await sendEmail(ctx.config, mail);
    if (!sent.ok) {
      report.problems.push(`${to}: ${sent.reason}`);
      continue;
    }
    report.sent.push(to);
    await audit(ctx, {
      onboardingId: input.onboardingId,
      action: input.kind === "problem" ? "email.health_problem_sent" : "email.health_recovered_sent",
      detail: { email: to, problem: input.problem },
    });
  }
  return report;
}

/** The rep's words about the emails (empty when nobody works by email). */
export function healthEmailWords(report: HealthEmailReport): string {
  const sent = report.sent.length ? ` Emailed to ${report.sent.join(", ")}.` : "";
  const failed = report.problems.length
    ? ` Not emailed (contact them directly): ${report.problems.join("; ")}.`
    : "";
  return sent + failed;
}
