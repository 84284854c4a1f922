/** `/fleet report [weeks]` (reps): the onboarding analytics, answered privately. */
import { reportForLastWeeks } from "../../analytics/report.ts";
import { buildReportMessage } from "../../blocks/onboarding-report.ts";
import type { AppContext } from "../../context.ts";
import type { SubcommandsOf } from "./fleet-command.ts";

/** The `report` subcommand. */
export function subcommands(ctx: AppContext) {
  return {
    report: {
      run: async ({ cmd, respond }) => {
        const report = await reportForLastWeeks(ctx, cmd.weeks);
        await respond({ response_type: "ephemeral", ...buildReportMessage(report) });
      },
    },
  } satisfies SubcommandsOf<"report">;
}
