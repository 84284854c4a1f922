/**
 * `/fleet`: parse, authorize and acknowledge within Slack's 3 seconds (help and input errors go right
 * into the ephemeral ack), then do the slow work and answer privately through `respond`.
 */

import type { App, SlashCommand } from "@slack/bolt";
import { listenerText } from "../../../blocks/listener-answers.ts";
import { buildOnboardModal } from "../../../blocks/onboard-modal.ts";
import { onboardReportText, statusText } from "../../../blocks/reports.ts";
import { allProviderChoices } from "../../../checklist/template-registry.ts";
import type { AppContext } from "../../../context.ts";
import { emailAvailability } from "../../../email/mailer.ts";
import { onboardableProviders } from "../../../finch/providers.ts";
import type { Actor } from "../../../onboarding/actor.ts";
import type { OnboardingWithCustomer } from "../../../onboarding/lookup.ts";
import { type OnboardingHooks, startOnboarding } from "../../../onboarding/start-onboarding.ts";
import { statusFacts } from "../../../onboarding/status.ts";
import { COMMAND } from "../../../slack-gateway/ids.ts";
import { commandActor, isFullMember, isRepUser } from "../../actors.ts";
import { type FleetCommand, helpText, parseFleetCommand, USAGE } from "../../commands/parse.ts";
import { allowRep, onboardingOrTell } from "../guards.ts";
import { openModalInTime } from "../open-modal.ts";
import { type PrivateAnswer, privateAnswer } from "../private-answer.ts";

/** What a subcommand handler gets. */
export interface CommandInput {
  ctx: AppContext;
  command: SlashCommand;
  actor: Actor;
  /** Answers the person privately: through the response_url while Slack takes it, by DM after. */
  respond: PrivateAnswer;
}

/** A subcommand's work after the ack. */
export type SubcommandHandler<K extends FleetCommand["kind"]> = (
  input: CommandInput & { cmd: Extract<FleetCommand, { kind: K }> },
) => Promise<void>;

/** The handlers of the subcommands, by kind (each feature passes its own in at registration). */
export type SubcommandHandlers = { [K in FleetCommand["kind"]]?: SubcommandHandler<K> };

/** A subcommand about one onboarding: `[company]` (or the channel) is resolved first, the rep told if it fails. */
export function aboutOnboarding<K extends FleetCommand["kind"]>(
  ctx: AppContext,
  run: (
    input: CommandInput & { cmd: Extract<FleetCommand, { kind: K }>; onboarding: OnboardingWithCustomer },
  ) => Promise<void>,
): SubcommandHandler<K> {
  return async (input) => {
    const company = (input.cmd as { company?: string }).company;
    const onboarding = await onboardingOrTell(ctx, company, input.command.channel_id, input.respond);
    if (onboarding) await run({ ...input, onboarding });
  };
}

/**
 * Subcommands anyone in our workspace (or org) may run — full members only: a guest (`is_restricted`,
 * `is_ultra_restricted`) is refused like a non-rep; the rest are for reps. Slack does not deliver another
 * org's slash commands, so customers never get here: they use the checklist's buttons (Status, Connect).
 */
const OPEN_TO_ALL: ReadonlySet<FleetCommand["kind"]> = new Set(["help", "status"]);

/** Why `userId` cannot own an onboarding (`owner=` of `/fleet onboard`, `/fleet owner`, the modal). */
export function notARepOwner(userId: string): string {
  return listenerText.notARepOwner(userId);
}

/** `/fleet onboard` and `/fleet status`. */
export function onboardingSubcommands(ctx: AppContext, hooks: OnboardingHooks): SubcommandHandlers {
  return {
    onboard: async ({ cmd, actor, respond }) => {
      const owner = cmd.request.ownerUserId;
      if (owner && owner !== actor.userId && !(await isRepUser(ctx, owner))) {
        await respond({ response_type: "ephemeral", text: notARepOwner(owner) });
        return;
      }
      const email = emailAvailability(ctx.config);
      if (cmd.request.via === "email" && !email.on) {
        // Refused before anything is created: an email-only customer without email would be stranded.
        await respond({
          response_type: "ephemeral",
          text: listenerText.noEmailPath(email.reason),
        });
        return;
      }
      const report = await startOnboarding(ctx, cmd.request, actor, hooks);
      await respond({ response_type: "ephemeral", text: onboardReportText(cmd.request.company, report) });
    },
    status: async ({ cmd, command, respond }) => {
      const onboarding = await onboardingOrTell(ctx, cmd.company, command.channel_id, respond);
      if (!onboarding) return;
      await respond({ response_type: "ephemeral", text: statusText(await statusFacts(ctx, onboarding.id)) });
    },
  };
}

/** Registers the slash command. */
export function registerCommands(app: App, ctx: AppContext, handlers: SubcommandHandlers): void {
  app.command(COMMAND, async ({ command, ack, respond: slackRespond, client, context }) => {
    // Through the response_url while Slack takes it (30 minutes, 5 posts), by DM after (./private-answer.ts).
    const respond = privateAnswer(ctx, slackRespond, command.user_id);
    // Only a command naming a provider waits for Finch's listing (cached for an hour, bounded wait).
    const providers = /provider/i.test(command.text) ? await onboardableProviders(ctx) : allProviderChoices();
    const parsed = parseFleetCommand(command.text, {
      now: ctx.clock.now(),
      defaultTimeZone: ctx.config.defaultTimeZone,
      providers,
    });
    if (!parsed.ok) return ack({ response_type: "ephemeral", text: `${parsed.error}\n\n${parsed.usage}` });
    const cmd = parsed.command;
    if (cmd.kind === "help") {
      return ack({ response_type: "ephemeral", text: cmd.topic ? USAGE[cmd.topic] : helpText() });
    }
    const actor = commandActor(ctx, command);
    const allowed =
      (actor.internal && OPEN_TO_ALL.has(cmd.kind) && (await isFullMember(ctx, actor.userId))) ||
      (await allowRep(ctx, actor, {
        log: "command refused",
        fields: { sub: cmd.kind },
        audit: "command.refused",
        detail: { subcommand: cmd.kind },
        tell: (text) => ack({ response_type: "ephemeral", text }),
        tellFirst: true,
      }));
    if (!allowed) return;
    if (cmd.kind === "onboard-modal") {
      await ack();
      await openModalInTime(
        ctx,
        { client, triggerId: command.trigger_id, tell: respond, again: "`/fleet onboard`" },
        () => buildOnboardModal({ defaultTimeZone: ctx.config.defaultTimeZone, ownerUserId: actor.userId }),
      );
      return;
    }
    const handler = handlers[cmd.kind] as SubcommandHandler<typeof cmd.kind> | undefined;
    if (!handler) {
      return ack({
        response_type: "ephemeral",
        text: `\`${cmd.kind}\` is not available yet.\n${helpText()}`,
      });
    }
    // A replay's acknowledgement reaches the person after the real answer: say nothing then.
    if (context.intakeReplay) await ack();
    else await ack({ response_type: "ephemeral", text: `:hourglass_flowing_sand: Working on it…` });
    // A redelivery never gets here: the intake stored this command once (src/slack/intake/receiver.ts).
    try {
      await handler({ ctx, cmd: cmd as never, command, actor, respond });
    } catch (err) {
      ctx.logger.error({ err, sub: cmd.kind }, "command failed");
      // Said once; the intake retries the command and, if it never succeeds, says so (src/slack/intake).
      if (!context.intakeReplay) {
        await respond({
          response_type: "ephemeral",
          text: listenerText.commandFailed,
        }).catch(() => {});
      }
      throw err;
    }
  });
}
