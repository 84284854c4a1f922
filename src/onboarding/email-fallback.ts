/**
 * Customers who work by email (issue 23): when a Slack Connect invitation is refused, declined or not accepted
 * in time — or when the rep asks — each HR admin gets an email with a link to their private progress page.
 * The invite row then reads `email`, which is how `/fleet status` and the App Home know who works by email.
 * Where email is off (no SMTP_URL outside the sandbox) nothing is issued and the rep is told why.
 */

import type { Actor } from "../audit/actor.ts";
import { audit } from "../audit/audit.ts";
import {
  EMAIL_NO_SUCH_ONBOARDING,
  emailClosedText,
  emailLines,
  emailNobodyLeftText,
  emailProblemText,
} from "../blocks/email-fallback-lines.ts";
import { providerCatalogue } from "../checklist/provider-catalogue.ts";
import type { AppContext } from "../context.ts";
import { emailAvailability, type OutgoingEmail, sendEmail } from "../email/mailer.ts";
import { buildPortalInvitationEmail, type PortalEmailReason } from "../email/portal-invitation.ts";
import { noteMetadata, postOnce } from "../slack-gateway/post-once.ts";
import { buildCallCalendar } from "./calendar.ts";
import { currentCallEntry } from "./call-calendar.ts";
import { issuePortalLink } from "./portal-links.ts";

/** Invite status of an HR admin who works by email (never sent by the Slack Connect queue). */
export const EMAIL_STATUS = "email";

/** What one round of emails did. */
export interface EmailReport {
  sent: string[];
  problems: string[];
  /** Set when the email path is off: why (nothing was issued or sent). */
  off: string | null;
}

/** Slack's refusals of an invitation that no retry or setting on our side fixes for this customer. */
const REFUSALS_FOR_EMAIL = new Set([
  "not_paid",
  "restricted_action",
  "no_external_invite_permission",
  "not_allowed_for_grid_workspace",
  "connection_limit_exceeded",
  "team_not_found",
  "invalid_email",
]);

/** Does this refusal of `conversations.inviteShared` send the customer to email? */
export function refusalFallsBackToEmail(code: string): boolean {
  return REFUSALS_FOR_EMAIL.has(code);
}

/**
 * Emails each address its private-page link (issued, or renewed, per recipient) and marks their invite row
 * `email`. Returns who got one and what went wrong; with email off, nothing is issued.
 */
export async function emailPortalLinks(
  ctx: AppContext,
  input: { onboardingId: string; emails: string[]; reason: PortalEmailReason; actor?: Actor | null },
): Promise<EmailReport> {
  const report: EmailReport = { sent: [], problems: [], off: null };
  const availability = emailAvailability(ctx.config);
  if (!availability.on) return { ...report, off: availability.reason };
  const onboarding = await ctx.db.prisma.onboarding.findUnique({
    where: { id: input.onboardingId },
    include: { customer: true },
  });
  if (!onboarding) return { ...report, problems: [EMAIL_NO_SUCH_ONBOARDING] };
  for (const email of input.emails) {
    const problem = await emailOne(ctx, { ...input, email, onboarding });
    if (problem) report.problems.push(emailProblemText(email, problem));
    else report.sent.push(email);
  }
  return report;
}

async function emailOne(
  ctx: AppContext,
  input: {
    email: string;
    reason: PortalEmailReason;
    actor?: Actor | null;
    onboarding: { id: string; providerId: string; customer: { name: string } };
  },
): Promise<string | null> {
  const { onboarding, email } = input;
  const link = await issuePortalLink(ctx, { onboardingId: onboarding.id, email, actor: input.actor });
  if (!link.ok) return link.message;
  const mail = buildPortalInvitationEmail({
    to: email,
    company: onboarding.customer.name,
    providerName: providerCatalogue(ctx).displayName(onboarding.providerId),
    url: link.url,
    expiresAt: link.expiresAt,
    reason: input.reason,
  });
  const call = await callInvitation(ctx, onboarding.id, email);
  const sent = await sendEmail(ctx.config, call ? { ...mail, icalEvent: call } : mail);
  if (!sent.ok) return sent.reason;
  await ctx.db.prisma.invite.updateMany({
    where: { onboardingId: onboarding.id, email },
    data: { status: EMAIL_STATUS, lastError: null },
  });
  await audit(ctx, {
    onboardingId: onboarding.id,
    action: "email.portal_link_sent",
    actor: input.actor ?? null,
    detail: { email, reason: input.reason },
  });
  return null;
}

/**
 * The booked call as an iMIP invitation (METHOD:REQUEST) for `email` — or its METHOD:CANCEL — with the same UID
 * and SEQUENCE as the `.ics` file in Slack, so mail clients offer to add it and a later move replaces it; null
 * when no call.
 */
export async function callInvitation(
  ctx: AppContext,
  onboardingId: string,
  email: string,
  cancelled = false,
): Promise<OutgoingEmail["icalEvent"] | null> {
  const entry = await currentCallEntry(ctx, onboardingId, cancelled);
  if (!entry) return null;
  const from = ctx.config.email.from;
  const organizer = { name: "Fleet onboarding", email: /<([^>]+)>/.exec(from)?.[1] ?? from };
  const content = buildCallCalendar({ ...entry, organizer, requestTo: email });
  return { method: cancelled ? "CANCEL" : "REQUEST", content, filename: "invite.ics" };
}

/**
 * The automatic fallback for one HR admin: emails their link unless they already work by email, and tells the
 * owning rep privately (also when email is off, and why).
 */
export async function fallBackToEmail(
  ctx: AppContext,
  input: { onboardingId: string; email: string; reason: PortalEmailReason },
): Promise<EmailReport | null> {
  const onboarding = await ctx.db.prisma.onboarding.findUnique({
    where: { id: input.onboardingId },
    include: { customer: true, invites: { where: { email: input.email.toLowerCase() } } },
  });
  if (onboarding?.status !== "active") return null;
  if (onboarding.invites.some((i) => i.status === EMAIL_STATUS)) return null;
  const report = await emailPortalLinks(ctx, {
    onboardingId: onboarding.id,
    emails: [input.email.toLowerCase()],
    reason: input.reason,
  });
  if (report.off || report.problems.length > 0) {
    // Told once: the hourly sweep (of unanswered invitations only) does not try and tell again; the rep's
    // button or a re-run does. A refused or declined invitation keeps Slack's reason.
    await ctx.db.prisma.invite.updateMany({
      where: {
        onboardingId: onboarding.id,
        email: input.email.toLowerCase(),
        status: { in: ["sent", "expired"] },
      },
      data: { lastError: report.off ? "email_off" : "email_failed" },
    });
  }
  const lines = emailLines(onboarding.customer.name, report, input.reason);
  if (lines.length > 0) {
    await postOnce(ctx, {
      channel: onboarding.ownerUserId,
      metadata: noteMetadata(`email-fallback:${onboarding.id}:${input.email}:${input.reason}`),
      text: lines.join("\n"),
    });
  }
  await ctx.hooks.changed({
    onboardingId: onboarding.id,
    ownerUserId: onboarding.ownerUserId,
    reason: "email",
  });
  return report;
}

/**
 * Hourly: HR admins whose Slack Connect invitation went out more than INVITE_FALLBACK_AFTER_DAYS ago and is
 * still not accepted get their page by email. Returns how many were emailed.
 */
export async function sweepUnansweredInvites(ctx: AppContext): Promise<number> {
  const before = new Date(ctx.clock.now().getTime() - ctx.config.email.fallbackAfterDays * 86_400_000);
  const invites = await ctx.db.prisma.invite.findMany({
    where: {
      status: { in: ["sent", "expired"] },
      sentAt: { lt: before },
      onboarding: { status: "active" },
      OR: [{ lastError: null }, { lastError: { notIn: ["email_off", "email_failed"] } }],
    },
    select: { onboardingId: true, email: true },
    take: 200,
  });
  let emailed = 0;
  for (const invite of invites) {
    const report = await fallBackToEmail(ctx, { ...invite, reason: "unanswered" });
    emailed += report?.sent.length ?? 0;
  }
  return emailed;
}

/** Invite statuses of HR admins who are in the channel (or were): never emailed by the rep's button. */
const JOINED = ["accepted", "approved", "left", EMAIL_STATUS];

/**
 * The rep's button on an invite alert: every HR admin who has not joined the channel gets their private page
 * by email. Returns the rep's answer (who got one, or why nobody did).
 */
export async function emailWhoHasNotJoined(
  ctx: AppContext,
  onboardingId: string,
  actor: Actor,
): Promise<string> {
  const onboarding = await ctx.db.prisma.onboarding.findUniqueOrThrow({
    where: { id: onboardingId },
    include: {
      customer: true,
      invites: { where: { status: { notIn: JOINED } }, orderBy: { createdAt: "asc" } },
    },
  });
  if (onboarding.status !== "active") return emailClosedText(onboarding.customer.name);
  const emails = onboarding.invites.map((i) => i.email);
  if (emails.length === 0) return emailNobodyLeftText(onboarding.customer.name);
  const report = await emailPortalLinks(ctx, { onboardingId, emails, reason: "rep", actor });
  await ctx.hooks.changed({
    onboardingId: onboarding.id,
    ownerUserId: onboarding.ownerUserId,
    reason: "email",
  });
  return emailLines(onboarding.customer.name, report, "rep").join("\n");
}

/** `via=email`: each HR admin not yet working by email gets their private page's link; no Slack Connect. */
export async function emailInsteadOfSlack(
  ctx: AppContext,
  onboardingId: string,
  request: { company: string; hrEmails: string[] },
  actor: Actor,
): Promise<{ lines: string[]; problems: string[] }> {
  const invites = await ctx.db.prisma.invite.findMany({
    where: { onboardingId, email: { in: request.hrEmails } },
  });
  const emails = invites.filter((i) => i.status !== EMAIL_STATUS).map((i) => i.email);
  if (emails.length === 0) return { lines: [], problems: [] };
  // Out of the Slack Connect queue first (only a person's re-run retries a failed one): an email that fails
  // must not turn into an invitation by itself.
  await ctx.db.prisma.invite.updateMany({
    where: { onboardingId, email: { in: emails }, status: { in: ["pending", "waiting", "failed"] } },
    data: { status: "failed", lastError: "via_email" },
  });
  const sent = await emailPortalLinks(ctx, { onboardingId, emails, reason: "rep", actor });
  const lines = emailLines(request.company, sent, "rep");
  return { lines: lines.filter((l) => !l.startsWith(":x:")), problems: sent.problems };
}
