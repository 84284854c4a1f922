/**
 * Registers every Bolt listener, plus the global in-flight tracking. De-duplication and retries happen
 * before Bolt, in the durable intake (src/slack/intake/receiver.ts).
 */
import type { App } from "@slack/bolt";
import type { InFlight } from "../../background.ts";
import type { AppContext } from "../../context.ts";
import type { OnboardingHooks } from "../../onboarding/start-onboarding.ts";
import { rescheduleCall } from "../../reminders/call.ts";
import { scheduleCallReminder } from "../../reminders/schedule.ts";
import { registerFinchActions } from "./actions/finch.ts";
import { registerActions } from "./actions/index.ts";
import { cockpitSubcommands, registerCockpit } from "./cockpit.ts";
import { finchSubcommands } from "./commands/finch.ts";
import { onboardingSubcommands, registerCommands } from "./commands/index.ts";
import { reportSubcommands } from "./commands/report.ts";
import { registerEvents } from "./events/index.ts";
import { registerOptions } from "./options/index.ts";
import { registerReminderListeners, reminderSubcommands } from "./reminders.ts";
import { registerViews } from "./views/index.ts";

/** Wires the app's listeners. */
export function registerListeners(app: App, ctx: AppContext, inFlight: InFlight): void {
  // Work continues after ack(); remember it so a graceful stop waits for it.
  app.use(async ({ next }) => {
    await inFlight.track(next());
  });
  // The reminders follow onboarding's calls; onboarding is told how here, and imports no reminders.
  const onboardingHooks: OnboardingHooks = {
    callBooked: scheduleCallReminder,
    moveCall: async (c, change) => {
      const moved = await rescheduleCall(c, { ...change, via: "onboard" });
      return moved.ok ? { ok: true, warnings: moved.warnings } : { ok: false, message: moved.message };
    },
  };
  // Each app gets its own handlers: two apps in one process share no closures.
  registerCommands(app, ctx, {
    ...onboardingSubcommands(ctx, onboardingHooks),
    ...finchSubcommands(ctx),
    ...cockpitSubcommands(ctx),
    ...reminderSubcommands(ctx),
    ...reportSubcommands(ctx),
  });
  registerActions(app, ctx);
  registerFinchActions(app, ctx);
  registerViews(app, ctx, onboardingHooks);
  registerOptions(app, ctx);
  registerEvents(app, ctx);
  registerCockpit(app, ctx);
  registerReminderListeners(app, ctx);
  app.error(async (error) => {
    ctx.logger.error({ err: error }, "unhandled error in a Slack listener");
    // Rethrown so the intake sees the failure and retries the delivery (then dead-letters it).
    throw error;
  });
}
