/**
 * Verification of a Finch connection: introspect, then one tiny read-only check per permission of the
 * template, a report in the checklist's thread, ticks for what Finch proved (and unticks for what it no
 * longer can), and a note to the rep about anything that is not verified. Logs carry ids and outcomes only.
 */

import type { Actor } from "../audit/actor.ts";
import { audit } from "../audit/audit.ts";
import { buildConnectLinkMessage, buildVerificationMessage } from "../blocks/finch.ts";
import { reauthReason, tickNotes } from "../blocks/finch-connect-notes.ts";
import { checklistItems } from "../checklist/items.ts";
import { providerCatalogue } from "../checklist/provider-catalogue.ts";
import { loadItemStates } from "../checklist/state.ts";
import type { ProviderTemplate } from "../checklist/template-format.ts";
import type { AppContext } from "../context.ts";
import type { FinchConnection } from "../db/generated/client.ts";
import { recordItemChange, refreshChecklist } from "../onboarding/checklist-service.ts";
import { reconnectUrlFor } from "../onboarding/connect-links.ts";
import { postTracked } from "../slack-gateway/post.ts";
import { alertRepOnChange, emailOutcomeOnChange, postSameResult, supersedeOlderReports } from "./announce.ts";
import {
  type NoteTarget,
  POLL_MAX_SECONDS,
  POLL_MIN_SECONDS,
  RECHECK_VERIFIED_SECONDS,
  serialized,
} from "./connections.ts";
import {
  reportSignature,
  storedOutcome,
  type VerificationOutcome,
  type VerificationReport,
  type VerificationTrigger,
} from "./report.ts";
import { withChecklist } from "./report-checklist.ts";
import { type GatherOptions, gather } from "./verify-gather.ts";
import { type ConnectionFacts, judge } from "./verify-judge.ts";

/** How a verification was asked for, and whether its result must be posted. */
export interface VerifyOptions extends GatherOptions {
  trigger: VerificationTrigger;
  actor?: Actor | null;
  /** `always` when a person asked (callback, command, button); `if_changed` for webhooks and polling. */
  announce: "always" | "if_changed";
}

/** Verifies an onboarding's connection (one run at a time per onboarding); null when there is none. */
export function verifyConnection(
  ctx: AppContext,
  onboardingId: string,
  options: VerifyOptions,
): Promise<VerificationReport | null> {
  return serialized(ctx, `finch:${onboardingId}`, () => verifyNow(ctx, onboardingId, options));
}

async function verifyNow(
  ctx: AppContext,
  onboardingId: string,
  options: VerifyOptions,
): Promise<VerificationReport | null> {
  const onboarding = await loadActiveOnboarding(ctx, onboardingId, options);
  const connection = onboarding?.connection;
  if (!onboarding || !connection) return null;
  const template = providerCatalogue(ctx).template(onboarding.providerId);
  const now = ctx.clock.now();
  const log = { onboardingId, connectionId: connection.connectionId, trigger: options.trigger };
  const gathered = await gather(ctx, { connection, template, options, now, log });
  const { report, status } = judge({
    onboardingId,
    companyName: onboarding.customer.name,
    template,
    gathered,
    now,
  });
  ctx.logger.info(
    { ...log, outcome: report.outcome, status: status ?? "unknown" },
    "finch verification finished",
  );
  const polled = await poll(ctx, { connection, report, status, facts: gathered.facts, options });
  await applyProof(ctx, onboarding, template, report);
  const { rowId, changed, before } = polled;
  if (rowId) {
    await announceVerification(ctx, {
      onboarding,
      template,
      report,
      status,
      options,
      rowId,
      changed,
      before,
    });
  }
  return report;
}

/** The onboarding with its customer and connection; null when missing or closed. */
async function loadActiveOnboarding(ctx: AppContext, onboardingId: string, options: VerifyOptions) {
  const onboarding = await ctx.db.prisma.onboarding.findUnique({
    where: { id: onboardingId },
    include: { customer: true, connection: true },
  });
  // A closed onboarding is history: no Finch reads, no verification rows, nothing posted.
  if (onboarding?.connection && onboarding.status !== "active") {
    ctx.logger.info(
      { onboardingId, trigger: options.trigger },
      "finch verification skipped: onboarding closed",
    );
    return null;
  }
  return onboarding;
}

/**
 * Poll: schedules the next check and records the report when it is to be announced. Compared with what
 * the channel was last shown, so a report whose post failed is announced again.
 */
async function poll(
  ctx: AppContext,
  p: {
    connection: FinchConnection;
    report: VerificationReport;
    status: string | null;
    facts: ConnectionFacts;
    options: VerifyOptions;
  },
): Promise<{ rowId: string | null; changed: boolean; before: VerificationOutcome | null }> {
  const { connection, report, status, options } = p;
  const now = report.checkedAt;
  const previous = await ctx.db.prisma.verification.findFirst({
    where: { onboardingId: report.onboardingId, announcedAt: { not: null } },
    orderBy: { createdAt: "desc" },
  });
  const changed =
    (previous?.outcome as { signature?: unknown } | null)?.signature !== reportSignature(report);
  const verified = report.outcome === "verified";
  // Not verified: poll again, from a minute after a change, doubling up to an hour while nothing changes.
  const interval =
    verified || changed ? POLL_MIN_SECONDS : Math.min(connection.pollIntervalSec * 2, POLL_MAX_SECONDS);
  await ctx.db.prisma.finchConnection.updateMany({
    // The row may have been replaced (reconnect) or deleted (disconnect) meanwhile: touch only this one.
    where: { id: connection.id, codeHash: connection.codeHash },
    data: {
      ...(status !== null ? { status } : {}),
      providerId: p.facts.providerId,
      products: p.facts.products,
      verifiedAt: verified ? now : null,
      // Verified: the slow re-check (the poller introspects it again a day later).
      nextPollAt: new Date(now.getTime() + (verified ? RECHECK_VERIFIED_SECONDS : interval) * 1000),
      pollIntervalSec: interval,
    },
  });
  const before = (previous?.outcome as { outcome?: VerificationOutcome } | null)?.outcome ?? null;
  if (options.announce !== "always" && !changed) return { rowId: null, changed, before };
  const row = await ctx.db.prisma.verification.create({
    data: {
      onboardingId: report.onboardingId,
      status: report.outcome,
      outcome: storedOutcome(report, connection.connectionId) as never,
      trigger: options.trigger,
      // The app's clock, not the database's: re-check cool-downs and ordering use the same time.
      createdAt: now,
    },
  });
  return { rowId: row.id, changed, before };
}

/**
 * Tells the channel and the rep about a recorded verification: one line when nothing changed since the last
 * report shown, else the report (or the Reconnect link); then the rep (on a change), the Home and the audit.
 */
async function announceVerification(
  ctx: AppContext,
  a: {
    onboarding: NoteTarget & { timeZone: string; customer: { name: string } };
    template: ProviderTemplate;
    report: VerificationReport;
    status: string | null;
    rowId: string;
    changed: boolean;
    before: VerificationOutcome | null;
    options: VerifyOptions;
  },
): Promise<void> {
  const { onboarding, template, report, status, options } = a;
  const posted = !a.changed
    ? await postSameResult(ctx, onboarding, report)
    : report.outcome === "reauth"
      ? await postReconnectLink(ctx, onboarding, template, onboarding.customer.name, reauthReason({ status }))
      : await postVerification(ctx, onboarding, report);
  // Announced only once the report is in Slack (after the post, never before).
  if (posted) {
    await ctx.db.prisma.verification.update({
      where: { id: a.rowId },
      data: { announcedAt: ctx.clock.now() },
    });
  }
  if (a.changed) await alertRepOnChange(ctx, onboarding, report, a.before);
  if (a.changed) await emailOutcomeOnChange(ctx, onboarding, report, a.rowId);
  // The rep's App Home shows the connection state.
  await ctx.hooks.changed({
    onboardingId: onboarding.id,
    ownerUserId: onboarding.ownerUserId,
    reason: "verification",
  });
  await audit(ctx, {
    onboardingId: onboarding.id,
    action: "finch.verification",
    actor: options.actor ?? null,
    detail: {
      trigger: options.trigger,
      outcome: report.outcome,
      status: status ?? "unknown",
      granted: report.permissions.filter((o) => o.result === "granted").length,
      missing: report.permissions
        .filter((o) => o.result === "missing" || o.result === "not_in_scope")
        .map((o) => o.key),
    },
  });
}

/** Ticks what Finch proved and unticks what it found missing, then re-renders the checklist once. */
async function applyProof(
  ctx: AppContext,
  onboarding: { id: string; ownerUserId: string },
  template: ProviderTemplate,
  report: VerificationReport,
): Promise<void> {
  const onboardingId = onboarding.id;
  const state = await loadItemStates(ctx, onboardingId);
  const connectStep = template.steps.find((s) => s.finchConnect)?.key;
  const day = report.checkedAt.toISOString().slice(0, 10);
  let changed = false;
  const change = async (itemKey: string, done: boolean, note: string) => {
    const did = await recordItemChange(ctx, { onboardingId, itemKey, done, source: "finch", note });
    changed = changed || did;
  };
  for (const item of checklistItems(template)) {
    const current = state.get(item.key);
    if (item.kind === "permission") {
      const found = report.permissions.find((p) => p.key === item.key);
      if (!found) continue;
      if (found.result === "granted") await change(item.key, true, tickNotes.verified);
      else if ((found.result === "missing" || found.result === "not_in_scope") && current?.done) {
        // Evidence beats an earlier tick: the permission is gone, so the box opens again, with the reason.
        await change(item.key, false, tickNotes.foundMissing(day));
      }
    } else if (item.verifiedBy === "finch") {
      if (report.outcome === "verified") await change(item.key, true, tickNotes.verified);
      else if (report.outcome === "reauth" && item.key === connectStep && current?.done) {
        await change(item.key, false, tickNotes.lostAccess(day));
      }
    }
  }
  if (changed) {
    await refreshChecklist(ctx, onboardingId);
    await ctx.hooks.changed({ onboardingId, ownerUserId: onboarding.ownerUserId, reason: "checklist" });
  }
}

async function postVerification(
  ctx: AppContext,
  onboarding: NoteTarget & { timeZone: string },
  report: VerificationReport,
): Promise<boolean> {
  if (!onboarding.channelId) return false;
  const message = buildVerificationMessage(await withChecklist(ctx, onboarding.id, report));
  try {
    const ts = await postTracked(ctx, {
      onboardingId: onboarding.id,
      kind: "verification",
      channelId: onboarding.channelId,
      threadTs: onboarding.checklistTs,
      message,
    });
    if (ts) await supersedeOlderReports(ctx, onboarding.id, ts, onboarding.timeZone);
    return true;
  } catch (err) {
    ctx.logger.error({ err, onboardingId: onboarding.id }, "could not post the Finch verification");
    return false;
  }
}

/** Posts a "Reconnect" link (our own URL, which opens a fresh reauthentication session) in the thread. */
export async function postReconnectLink(
  ctx: AppContext,
  onboarding: NoteTarget,
  template: ProviderTemplate,
  companyName: string,
  reason: string,
): Promise<boolean> {
  if (!onboarding.channelId) return false;
  const message = buildConnectLinkMessage({
    onboardingId: onboarding.id,
    companyName,
    providerName: template.displayName,
    url: reconnectUrlFor(ctx, onboarding.id),
    kind: "reconnect",
    reason,
  });
  try {
    // Broadcast: everyone in the channel should see that action is needed, not only thread followers.
    await postTracked(ctx, {
      onboardingId: onboarding.id,
      kind: "reconnect_link",
      channelId: onboarding.channelId,
      threadTs: onboarding.checklistTs,
      broadcast: true,
      message,
    });
    return true;
  } catch (err) {
    ctx.logger.error({ err, onboardingId: onboarding.id }, "could not post the Finch reconnect link");
    return false;
  }
}
