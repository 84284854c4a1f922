/** `/fleet report [weeks]` (reps): the onboarding analytics, answered privately. */
import { buildOnboardingReport, reportWindow } from "../../../analytics/report.ts";
import { buildReportMessage } from "../../../blocks/onboarding-report.ts";
import type { AppContext } from "../../../context.ts";
import type { SubcommandHandlers } from "./index.ts";

/** The `report` subcommand. */
export function reportSubcommands(ctx: AppContext): SubcommandHandlers {
  return {
    report: async ({ cmd, respond }) => {
      const now = ctx.clock.now();
      const report = await buildOnboardingReport(ctx.db, reportWindow(now, cmd.weeks), {
        now,
        stallAfterDays: ctx.config.thresholds.stallAfterDays,
      });
      await respond({ response_type: "ephemeral", ...buildReportMessage(report) });
    },
  };
}
