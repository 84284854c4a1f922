/** An onboarding's history: `/fleet history` (latest entries) and its CSV export button. Reps only. */
import type { App } from "@slack/bolt";
import { buildHistoryMessage } from "../../blocks/history.ts";
import { latestHistory } from "../../cockpit/history.ts";
import { exportHistory } from "../../cockpit/history-export.ts";
import type { AppContext } from "../../context.ts";
import { ActionId } from "../../slack-gateway/ids.ts";
import { aboutOnboarding, type SubcommandsOf } from "./fleet-command.ts";
import { repButton } from "./rep-button.ts";

/** `/fleet history`. */
export function subcommands(ctx: AppContext) {
  return {
    history: {
      run: aboutOnboarding(ctx, async ({ onboarding, respond }) => {
        const entries = await latestHistory(ctx, onboarding.id);
        await respond({
          response_type: "ephemeral",
          ...buildHistoryMessage({
            onboardingId: onboarding.id,
            companyName: onboarding.customer.name,
            entries,
          }),
        });
      }),
    },
  } satisfies SubcommandsOf<"history">;
}

/** Registers the CSV export button. */
export function register(app: App, ctx: AppContext): void {
  repButton(app, ctx, ActionId.historyCsv, (actor, id) => exportHistory(ctx, id, actor));
}
