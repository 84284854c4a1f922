/**
 * The weekly onboarding report in REPORT_CHANNEL_ID (Mondays, 09:00 in DEFAULT_TIMEZONE): the figures as a
 * message with a table, then the chart (PNG) and the CSV. Each of the three is claimed in the database before
 * it is made (one replica makes it, once); a failure releases only its own claim, so the next run makes the
 * missing part only.
 */
import cron from "node-cron";
import { buildReportMessage } from "../blocks/onboarding-report.ts";
import type { AppContext } from "../context.ts";
import { claimDelivery, releaseQuietly } from "../db/claims.ts";
import { MetadataEventType } from "../slack-gateway/ids.ts";
import { postOnce } from "../slack-gateway/post-once.ts";
import { shareFileOnce } from "../slack-gateway/share-file.ts";
import { reportCsv } from "./csv.ts";
import {
  buildOnboardingReport,
  DEFAULT_REPORT_WEEKS,
  type OnboardingReport,
  reportWindow,
} from "./report.ts";

/** What one run did with each part. */
export type PartOutcome = "made" | "done-before" | "failed";

/** Makes one part once (claim, do, release on failure). */
async function once(ctx: AppContext, key: string, make: () => Promise<void>): Promise<PartOutcome> {
  if (!(await claimDelivery(ctx, key))) return "done-before";
  try {
    await make();
    return "made";
  } catch (err) {
    await releaseQuietly(ctx, key);
    ctx.logger.warn({ err, key }, "weekly report: a part was not delivered; the next run retries it");
    return "failed";
  }
}

/** Posts this week's report (the whole weeks before this Monday); `off` when REPORT_CHANNEL_ID is unset. */
export async function postWeeklyReport(
  ctx: AppContext,
  weeks = DEFAULT_REPORT_WEEKS,
): Promise<"off" | Record<"message" | "chart" | "csv", PartOutcome>> {
  const channelId = ctx.config.report.channelId;
  if (!channelId) return "off";
  const now = ctx.clock.now();
  const window = reportWindow(now, weeks, true);
  const tag = window.to.toISOString().slice(0, 10);
  const key = `report:weekly:${tag}`;
  let report: OnboardingReport | null = null;
  const build = async () => {
    report ??= await buildOnboardingReport(ctx.db, window, {
      now,
      stallAfterDays: ctx.config.thresholds.stallAfterDays,
    });
    return report;
  };
  const message = await once(ctx, `${key}:message`, async () => {
    await postOnce(ctx, {
      channel: channelId,
      ...buildReportMessage(await build()),
      metadata: { event_type: MetadataEventType.onboardingReport, event_payload: { idempotency_key: key } },
    });
  });
  const chart = await once(ctx, `${key}:chart`, async () => {
    // vega, vega-lite and resvg (~30 MiB, ~0.2 s to load) only when a chart is drawn, not at every start.
    const { renderChartPng } = await import("./chart.ts");
    const png = await renderChartPng(await build());
    await shareFileOnce(ctx, {
      channelId,
      filename: `onboarding-report-${tag}.png`,
      title: `Onboardings week over week (to ${tag})`,
      content: png,
    });
  });
  const csv = await once(ctx, `${key}:csv`, async () => {
    await shareFileOnce(ctx, {
      channelId,
      filename: `onboarding-report-${tag}.csv`,
      title: `Onboarding report figures (to ${tag})`,
      content: reportCsv(await build()),
    });
  });
  return { message, chart, csv };
}

/** Runs {@link postWeeklyReport} on Mondays at 09:00 (DEFAULT_TIMEZONE). */
export function startWeeklyReportJob(ctx: AppContext): { stop(): Promise<void> } {
  const run = async () => {
    try {
      await postWeeklyReport(ctx);
    } catch (err) {
      ctx.logger.error({ err }, "weekly report failed");
    }
  };
  const task = cron.schedule("0 9 * * 1", run, {
    noOverlap: true,
    name: "weekly-report",
    timezone: ctx.config.defaultTimeZone,
  });
  return {
    stop: async () => {
      await task.stop();
    },
  };
}
