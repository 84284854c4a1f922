/**
 * Keeping customers who work by email up to date (issue 23): the day-before reminder and nudges (same content
 * as in their Slack channel, with `List-Unsubscribe` and one-click unsubscribe, RFC 2369/8058), the
 * verification outcome (once per distinct result) and calendar changes (iMIP CANCEL, then a new REQUEST for a
 * move). Each email goes once per key: the key is claimed before the send and released when the mail server
 * refuses it. Every email carries the recipient's page link: the one they have while it has days to live (so a
 * page they have open keeps working), else a renewed one.
 */
import type { KnownBlock } from "@slack/types";
import { audit } from "../audit/audit.ts";
import { providerCatalogue } from "../checklist/provider-catalogue.ts";
import type { AppContext } from "../context.ts";
import { emailAvailability, type OutgoingEmail, sendEmail } from "../email/mailer.ts";
import { mrkdwnEmailBody as mrkdwnBody, slackMessageAsEmail } from "../email/slack-message.ts";
import { buildVerificationEmail, isEmailedOutcome } from "../email/verification-outcome.ts";
import { formatCallTime } from "../time-zones.ts";
import { callInvitation, EMAIL_STATUS } from "./email-fallback.ts";
import { unsubscribeUrlFor } from "./email-unsubscribe.ts";
import { currentOrFreshLink } from "./portal-links.ts";

/** Kinds of update email (email_send.kind). */
export type UpdateKind = "day_before" | "nudge" | "verification" | "call_cancel" | "call_request";

const NUDGES: ReadonlySet<UpdateKind> = new Set(["day_before", "nudge"]);

/**
 * Who works by email on an onboarding: HR admins whose invite reads `email` and whose page link is not revoked;
 * for reminders and nudges, minus those who unsubscribed.
 */
export async function emailOnlyRecipients(
  ctx: AppContext,
  onboardingId: string,
  options: { nudge: boolean; closing?: boolean },
): Promise<string[]> {
  const [invites, links] = await Promise.all([
    ctx.db.prisma.invite.findMany({ where: { onboardingId, status: EMAIL_STATUS }, select: { email: true } }),
    ctx.db.prisma.portalLink.findMany({ where: { onboardingId } }),
  ]);
  return invites
    .map((i) => i.email.toLowerCase())
    .filter((email) => {
      const link = links.find((l) => l.email === email);
      // Closing revokes every link: the CANCEL still reaches those whose link it revoked.
      const open = link && (!link.revokedAt || (options.closing && link.revokedBy === "closed"));
      return open && !(options.nudge && link.nudgesStoppedAt);
    });
}

async function claim(ctx: AppContext, key: string, onboardingId: string, email: string, kind: string) {
  const rows = await ctx.db.sql.query(
    `insert into email_send (key, onboarding_id, email, kind, sent_at)
     values ($1::text, $2::uuid, $3::text, $4::text, $5::timestamptz)
     on conflict (key) do nothing returning key`,
    [key, onboardingId, email, kind, ctx.clock.now()],
  );
  return rows.length > 0;
}

/** The links an update email carries. */
interface UpdateLinks {
  /** Null once the onboarding is closed (no page is offered any more). */
  pageUrl: string | null;
  unsubscribeUrl: string;
}

/** Sends one update to one recipient once per key; returns null when sent or skipped, else the problem. */
async function sendUpdate(
  ctx: AppContext,
  input: {
    onboardingId: string;
    email: string;
    key: string;
    kind: UpdateKind;
    closing?: boolean;
    build: (links: UpdateLinks) => Promise<OutgoingEmail>;
  },
): Promise<string | null> {
  const { onboardingId, email, kind } = input;
  if (!(await claim(ctx, input.key, onboardingId, email, kind))) return null;
  const release = () => ctx.db.sql.query("delete from email_send where key = $1::text", [input.key]);
  const link = input.closing
    ? await ctx.db.prisma.portalLink.findUnique({ where: { onboardingId_email: { onboardingId, email } } })
    : await currentOrFreshLink(ctx, { onboardingId, email });
  if (!link || ("ok" in link && !link.ok)) {
    await release();
    return link && "message" in link ? link.message : "no page link";
  }
  const unsubscribeUrl = unsubscribeUrlFor(ctx, "linkId" in link ? link.linkId : link.id);
  const mail = await input.build({ pageUrl: "url" in link ? link.url : null, unsubscribeUrl });
  const headers = NUDGES.has(kind)
    ? {
        ...mail.headers,
        "List-Unsubscribe": `<${unsubscribeUrl}>`,
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
      }
    : mail.headers;
  const sent = await sendEmail(ctx.config, { ...mail, ...(headers ? { headers } : {}) });
  if (!sent.ok) {
    await release();
    ctx.logger.warn({ onboardingId, kind, reason: sent.reason }, "an update email was not sent");
    return sent.reason;
  }
  await audit(ctx, { onboardingId, action: `email.${kind}_sent`, detail: { email } });
  return null;
}

/** Sends `kind` to every recipient; returns the problems (empty when all went, or email is off). */
async function sendToAll(
  ctx: AppContext,
  onboardingId: string,
  kind: UpdateKind,
  keyOf: (email: string) => string,
  build: (email: string, links: UpdateLinks) => Promise<OutgoingEmail>,
  closing = false,
): Promise<string[]> {
  if (!emailAvailability(ctx.config).on) return [];
  const problems: string[] = [];
  for (const email of await emailOnlyRecipients(ctx, onboardingId, { nudge: NUDGES.has(kind), closing })) {
    const problem = await sendUpdate(ctx, {
      onboardingId,
      email,
      key: keyOf(email),
      kind,
      closing,
      build: (links) => build(email, links),
    });
    if (problem) problems.push(`${email}: ${problem}`);
  }
  return problems;
}

/**
 * A reminder or nudge just posted in the channel, by email to those who work by email: the same blocks in
 * email words; the day-before reminder also carries the call as an iMIP REQUEST (the Slack .ics's UID and
 * SEQUENCE).
 */
export async function emailReminderCopies(
  ctx: AppContext,
  input: {
    onboardingId: string;
    reminderId: string;
    kind: "day_before" | "nudge";
    subject: string;
    blocks: readonly KnownBlock[];
  },
): Promise<string[]> {
  return sendToAll(
    ctx,
    input.onboardingId,
    input.kind,
    (email) => `${input.kind}:${input.reminderId}:${email}`,
    async (email, links) => {
      const pageUrl = links.pageUrl ?? ctx.publicUrl;
      const body = slackMessageAsEmail(input.blocks, {
        pageUrl,
        publicUrl: ctx.publicUrl,
        mention: "your Fleet contact",
        before: ["Hello,"],
        after: [
          `<${pageUrl}|Open your private onboarding page> — the checklist, the Connect button and the call.`,
          `You get this because you work with Fleet by email. <${links.unsubscribeUrl}|Stop reminders> (you still hear when the connection is checked).`,
          "— The Fleet onboarding team",
        ],
      });
      const call = input.kind === "day_before" ? await callInvitation(ctx, input.onboardingId, email) : null;
      return { to: email, subject: input.subject, ...body, ...(call ? { icalEvent: call } : {}) };
    },
  );
}

/** The latest verification, by email to those who work by email, once per verification row. */
export async function emailVerificationOutcome(
  ctx: AppContext,
  input: {
    onboardingId: string;
    verificationId: string;
    companyName: string;
    providerName: string;
    outcome: string;
    permissions: Array<{ label: string; fix: string; result: string }>;
  },
): Promise<string[]> {
  const outcome = input.outcome;
  if (!isEmailedOutcome(outcome)) return [];
  return sendToAll(
    ctx,
    input.onboardingId,
    "verification",
    (email) => `verification:${input.verificationId}:${email}`,
    async (email, links) =>
      buildVerificationEmail({
        to: email,
        company: input.companyName,
        providerName: input.providerName,
        outcome,
        granted: input.permissions.filter((p) => p.result === "granted").map((p) => p.label),
        fixes: input.permissions
          .filter((p) => p.result === "missing" || p.result === "not_in_scope")
          .map((p) => ({ label: p.label, fix: p.fix })),
        pageUrl: links.pageUrl ?? ctx.publicUrl,
      }),
  );
}

/**
 * The call was cancelled or moved: an iMIP CANCEL of the old entry (same UID, the bumped SEQUENCE), and for a
 * move a REQUEST with the new time. Keyed by the SEQUENCE, so each change goes once.
 */
export async function emailCallChange(
  ctx: AppContext,
  input: { onboardingId: string; change: "moved" | "cancelled"; previousCallAt: Date | null },
): Promise<string[]> {
  const o = await ctx.db.prisma.onboarding.findUnique({
    where: { id: input.onboardingId },
    include: { customer: true },
  });
  if (!o?.callAt) return [];
  const company = o.customer.name;
  const provider = providerCatalogue(ctx).displayName(o.providerId);
  const before = input.previousCallAt ? formatCallTime(input.previousCallAt, o.timeZone) : "the planned time";
  const now = formatCallTime(o.callAt, o.timeZone);
  const pageLine = (url: string | null) => (url ? [`<${url}|Open your private onboarding page>`] : []);
  const closing = o.status !== "active";
  const problems = await sendToAll(
    ctx,
    o.id,
    "call_cancel",
    (email) => `call_cancel:${o.id}:${o.callSequence}:${email}`,
    async (email, links) => ({
      to: email,
      subject:
        input.change === "moved"
          ? `${company}: your Fleet onboarding call moved`
          : `${company}: your Fleet onboarding call is cancelled`,
      ...mrkdwnBody([
        "Hello,",
        input.change === "moved"
          ? `Your ${provider} onboarding call with Fleet on ${before} has moved to *${now}*. This email removes the old time from your calendar; the next one adds the new time.`
          : `Your ${provider} onboarding call with Fleet on ${now} is cancelled. This email removes it from your calendar.`,
        ...pageLine(links.pageUrl),
        "— The Fleet onboarding team",
      ]),
      icalEvent: (await callInvitation(ctx, o.id, email, true)) ?? undefined,
    }),
    closing,
  );
  if (input.change === "cancelled") return problems;
  return problems.concat(
    await sendToAll(
      ctx,
      o.id,
      "call_request",
      (email) => `call_request:${o.id}:${o.callSequence}:${email}`,
      async (email, links) => ({
        to: email,
        subject: `${company}: your Fleet onboarding call — ${now}`,
        ...mrkdwnBody([
          "Hello,",
          `Your ${provider} onboarding call with Fleet is now on *${now}*. Open the invitation to add it to your calendar.`,
          ...pageLine(links.pageUrl),
          "— The Fleet onboarding team",
        ]),
        icalEvent: (await callInvitation(ctx, o.id, email)) ?? undefined,
      }),
    ),
  );
}
