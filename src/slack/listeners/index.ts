/**
 * Registers every Bolt listener, feature by feature, plus the global in-flight tracking. Each feature file
 * exports its `register(app, ctx, deps)` and the `/fleet` subcommands it owns; the subcommands together
 * must cover every one the parser knows (a missing one does not compile). De-duplication and retries
 * happen before Bolt, in the durable intake (src/slack/intake/receiver.ts).
 */
import type { App } from "@slack/bolt";
import type { InFlight } from "../../background.ts";
import type { AppContext } from "../../context.ts";
import type { OnboardingHooks } from "../../onboarding/start-onboarding.ts";
import { rescheduleCall } from "../../reminders/call.ts";
import { scheduleCallReminder } from "../../reminders/schedule.ts";
import * as call from "./call.ts";
import * as checklist from "./checklist.ts";
import * as deadLetters from "./dead-letters.ts";
import * as email from "./email.ts";
import * as finch from "./finch.ts";
import { registerFleetCommand, type SubcommandMap } from "./fleet-command.ts";
import * as help from "./help.ts";
import * as history from "./history.ts";
import * as home from "./home.ts";
import * as invites from "./invites.ts";
import * as onboard from "./onboard.ts";
import * as ownership from "./ownership.ts";
import * as report from "./report.ts";

/** What features are told at start-up. */
export interface FeatureDeps {
  onboardingHooks: OnboardingHooks;
}

/** Wires the app's listeners. */
export function registerListeners(app: App, ctx: AppContext, inFlight: InFlight): void {
  // Work continues after ack(); remember it so a graceful stop waits for it.
  app.use(async ({ next }) => {
    await inFlight.track(next());
  });
  // The reminders follow onboarding's calls; onboarding is told how here, and imports no reminders.
  const deps: FeatureDeps = {
    onboardingHooks: {
      callBooked: scheduleCallReminder,
      moveCall: async (c, change) => {
        const moved = await rescheduleCall(c, { ...change, via: "onboard" });
        return moved.ok ? { ok: true, warnings: moved.warnings } : { ok: false, message: moved.message };
      },
    },
  };
  // Each app gets its own handlers: two apps in one process share no closures.
  registerFleetCommand(app, ctx, {
    ...help.subcommands(),
    ...onboard.subcommands(ctx, deps),
    ...checklist.subcommands(ctx),
    ...finch.subcommands(ctx),
    ...call.subcommands(ctx),
    ...history.subcommands(ctx),
    ...ownership.subcommands(ctx),
    ...report.subcommands(ctx),
  } satisfies SubcommandMap);
  for (const feature of [onboard, checklist, invites, email, finch, call, history, home, deadLetters]) {
    feature.register(app, ctx, deps);
  }
  app.error(async (error) => {
    ctx.logger.error({ err: error }, "unhandled error in a Slack listener");
    // Rethrown so the intake sees the failure and retries the delivery (then dead-letters it).
    throw error;
  });
}
