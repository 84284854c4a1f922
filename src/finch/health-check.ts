/**
 * Connection health after go-live: once `/fleet done` closed an onboarding, its verified connection stays
 * watched (a daily introspect, and Finch's webhooks) until Fleet disconnects it. A problem (health.ts) is
 * posted once in the customer's channel with the exact fix and a Reconnect button, and the rep is alerted;
 * when it clears, the problem message's thread says so. Steps: load → read → judge → act.
 */

import { audit } from "../audit/audit.ts";
import { buildConnectLinkMessage } from "../blocks/finch.ts";
import { healthProblemRepText, healthRecoveredRepText, healthRecoveredText } from "../blocks/health-notes.ts";
import { providerCatalogue } from "../checklist/provider-catalogue.ts";
import type { AppContext } from "../context.ts";
import type { FinchConnection } from "../db/generated/client.ts";
import { reconnectUrlFor } from "../onboarding/connect-links.ts";
import { postTracked } from "../slack-gateway/post.ts";
import { noteMetadata, postOnce } from "../slack-gateway/post-once.ts";
import { classifyFinchError, type Introspection } from "./client.ts";
import { clientFor, tellRep } from "./connections.ts";
import {
  type HealthProblem,
  type HealthReading,
  healthReason,
  judgeHealth,
  problemDetail,
} from "./health.ts";
import { emailHealthNotice, healthEmailWords } from "./health-email.ts";

/** What one check did. */
export type HealthOutcome =
  | "not-watched"
  | "unreadable"
  | "healthy"
  | "unchanged"
  | "announced"
  | "recovered";

/** A watched connection with its closed onboarding. */
interface Watched {
  row: FinchConnection;
  onboarding: {
    id: string;
    channelId: string | null;
    checklistTs: string | null;
    ownerUserId: string;
    providerId: string;
    integrationUserEmail: string;
    customer: { name: string };
  };
}

/** Watched: the onboarding is done and the connection was verified and is not disconnected by Fleet. */
async function loadWatched(ctx: AppContext, onboardingId: string): Promise<Watched | null> {
  const row = await ctx.db.prisma.finchConnection.findUnique({
    where: { onboardingId },
    include: { onboarding: { include: { customer: true } } },
  });
  if (row?.onboarding.status !== "done" || !row.verifiedAt || row.status === "disconnected") return null;
  const { onboarding, ...connection } = row;
  return { row: connection, onboarding };
}

/** Introspect as a reading; a refused token reads as `reauth`; transient trouble gives null (try tomorrow). */
async function readHealth(ctx: AppContext, row: FinchConnection): Promise<HealthReading | null> {
  let intro: Introspection;
  try {
    intro = await (await clientFor(ctx, row)).account.introspect();
  } catch (err) {
    const failure = classifyFinchError(err);
    ctx.logger.info({ onboardingId: row.onboardingId, ...failure }, "health check: introspect failed");
    if (failure.kind === "reauth") return { status: "reauth", products: [] };
    return null;
  }
  return {
    status: intro.connection_status?.status ?? "unknown",
    products: intro.products ?? [],
    lastSuccessfulSync: intro.connection_status?.last_successful_sync ?? null,
    methods: (intro.authentication_methods ?? []).map((m) => ({
      products: m.products ?? [],
      lastSuccessfulSync: m.connection_status?.last_successful_sync ?? null,
    })),
  };
}

/** Checks one closed onboarding's connection; `reading` when a webhook already told the status. */
export async function checkConnectionHealth(
  ctx: AppContext,
  onboardingId: string,
  options: { reading?: HealthReading } = {},
): Promise<HealthOutcome> {
  const watched = await loadWatched(ctx, onboardingId);
  if (!watched) return "not-watched";
  const reading = options.reading ?? (await readHealth(ctx, watched.row));
  if (!reading) return "unreadable";
  const now = ctx.clock.now();
  const problem = judgeHealth(reading, watched.row.products, now, ctx.config.finch.staleSyncDays);
  const before = watched.row.healthProblem;
  if (!problem) return before ? recover(ctx, watched) : "healthy";
  if (before === problem.kind && watched.row.healthDetail === problemDetail(problem)) return "unchanged";
  return announce(ctx, watched, problem);
}

/** Moves the stored health from what was read to `next`; false when another check moved it first. */
async function moveHealth(
  ctx: AppContext,
  w: Watched,
  next: {
    healthProblem: string | null;
    healthDetail: string | null;
    healthSince: Date | null;
    healthMessageTs: string | null;
  },
): Promise<boolean> {
  const moved = await ctx.db.prisma.finchConnection.updateMany({
    where: { id: w.row.id, healthProblem: w.row.healthProblem, healthDetail: w.row.healthDetail },
    data: next,
  });
  return moved.count === 1;
}

const restore = (w: Watched) => ({
  healthProblem: w.row.healthProblem,
  healthDetail: w.row.healthDetail,
  healthSince: w.row.healthSince,
  healthMessageTs: w.row.healthMessageTs,
});

async function announce(ctx: AppContext, w: Watched, problem: HealthProblem): Promise<HealthOutcome> {
  const now = ctx.clock.now();
  const detail = problemDetail(problem);
  if (
    !(await moveHealth(ctx, w, {
      healthProblem: problem.kind,
      healthDetail: detail,
      healthSince: now,
      healthMessageTs: null,
    }))
  ) {
    return "unchanged";
  }
  const template = providerCatalogue(ctx).template(w.onboarding.providerId);
  const reason = healthReason(problem, {
    providerName: template.displayName,
    integrationUserEmail: w.onboarding.integrationUserEmail,
    staleDays: ctx.config.finch.staleSyncDays,
  });
  let ts: string | null = null;
  try {
    if (w.onboarding.channelId) {
      const message = buildConnectLinkMessage({
        onboardingId: w.onboarding.id,
        companyName: w.onboarding.customer.name,
        providerName: template.displayName,
        url: reconnectUrlFor(ctx, w.onboarding.id),
        kind: "reconnect",
        reason,
      });
      ts = await postTracked(ctx, {
        onboardingId: w.onboarding.id,
        kind: "health_alert",
        channelId: w.onboarding.channelId,
        message,
      });
    }
  } catch (err) {
    // Put the old state back: the next check announces it again.
    await ctx.db.prisma.finchConnection.update({ where: { id: w.row.id }, data: restore(w) });
    ctx.logger.warn(
      { err, onboardingId: w.onboarding.id },
      "health problem not posted; the next check retries",
    );
    return "unreadable";
  }
  await ctx.db.prisma.finchConnection.update({ where: { id: w.row.id }, data: { healthMessageTs: ts } });
  const emailed = await emailHealthNotice(ctx, {
    kind: "problem",
    onboardingId: w.onboarding.id,
    company: w.onboarding.customer.name,
    providerName: template.displayName,
    reason,
    problem: problem.kind,
  });
  await tellRep(
    ctx,
    w.onboarding,
    healthProblemRepText({
      companyName: w.onboarding.customer.name,
      reason,
      channelId: w.onboarding.channelId,
      emailed: emailed.sent.length > 0,
    }) + healthEmailWords(emailed),
  );
  await audit(ctx, {
    onboardingId: w.onboarding.id,
    action: "finch.health_problem",
    detail: { kind: problem.kind, products: problem.products },
  });
  await ctx.hooks.changed({
    onboardingId: w.onboarding.id,
    ownerUserId: w.onboarding.ownerUserId,
    reason: "finch-health",
  });
  return "announced";
}

async function recover(ctx: AppContext, w: Watched): Promise<HealthOutcome> {
  if (
    !(await moveHealth(ctx, w, {
      healthProblem: null,
      healthDetail: null,
      healthSince: null,
      healthMessageTs: null,
    }))
  ) {
    return "unchanged";
  }
  const template = providerCatalogue(ctx).template(w.onboarding.providerId);
  const names = { providerName: template.displayName, companyName: w.onboarding.customer.name };
  const text = healthRecoveredText(names);
  if (w.onboarding.channelId) {
    try {
      await postOnce(ctx, {
        channel: w.onboarding.channelId,
        ...(w.row.healthMessageTs ? { thread_ts: w.row.healthMessageTs } : {}),
        metadata: noteMetadata(`health-recovered:${w.onboarding.id}`),
        text,
      });
    } catch (err) {
      ctx.logger.warn({ err, onboardingId: w.onboarding.id }, "could not post the recovery note");
    }
  }
  const emailed = await emailHealthNotice(ctx, {
    kind: "recovered",
    onboardingId: w.onboarding.id,
    company: w.onboarding.customer.name,
    providerName: template.displayName,
    problem: w.row.healthProblem ?? "",
  });
  await tellRep(ctx, w.onboarding, healthRecoveredRepText(names) + healthEmailWords(emailed));
  await audit(ctx, {
    onboardingId: w.onboarding.id,
    action: "finch.health_recovered",
    detail: { was: w.row.healthProblem },
  });
  await ctx.hooks.changed({
    onboardingId: w.onboarding.id,
    ownerUserId: w.onboarding.ownerUserId,
    reason: "finch-health",
  });
  return "recovered";
}
