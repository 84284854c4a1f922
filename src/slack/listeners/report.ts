/** `/fleet report [weeks]` (reps): the onboarding analytics (a snapshot at most 5 minutes old), answered privately. */
import { snapshotReport } from "../../analytics/snapshots.ts";
import { buildReportMessage } from "../../blocks/onboarding-report.ts";
import type { AppContext } from "../../context.ts";
import type { SubcommandsOf } from "./fleet-command.ts";

/** The `report` subcommand. */
export function subcommands(ctx: AppContext) {
  return {
    report: {
      run: async ({ cmd, respond }) => {
        const report = await snapshotReport(ctx, cmd.weeks);
        await respond({ response_type: "ephemeral", ...buildReportMessage(report) });
      },
    },
  } satisfies SubcommandsOf<"report">;
}
