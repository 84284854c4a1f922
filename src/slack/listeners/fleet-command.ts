/**
 * `/fleet`: parse, authorize and acknowledge within Slack's 3 seconds (help and input errors go right
 * into the ephemeral ack), then do the slow work and answer privately through `respond`. The subcommands
 * come from the features (./index.ts); the map is total, so a parsed subcommand without a handler does not
 * compile.
 */

import type { App, SlashCommand } from "@slack/bolt";
import type { WebClient } from "@slack/web-api";
import type { Actor } from "../../audit/actor.ts";
import { listenerText } from "../../blocks/listener-answers.ts";
import { providerCatalogue } from "../../checklist/provider-catalogue.ts";
import type { AppContext } from "../../context.ts";
import { onboardableProviders } from "../../finch/providers.ts";
import type { OnboardingWithCustomer } from "../../onboarding/lookup.ts";
import { COMMAND } from "../../slack-gateway/ids.ts";
import { commandActor, isFullMember } from "../actors.ts";
import { type FleetCommand, parseFleetCommand } from "../commands/parse.ts";
import { allowRep, onboardingOrTell } from "./guards.ts";
import { type PrivateAnswer, privateAnswer } from "./private-answer.ts";

/** What a subcommand handler gets. */
export interface CommandInput {
  ctx: AppContext;
  command: SlashCommand;
  actor: Actor;
  /** Bolt's Web API client for this request (opens modals with the command's trigger). */
  client: WebClient;
  /** Answers the person privately: through the response_url while Slack takes it, by DM after. */
  respond: PrivateAnswer;
}

/** A parsed command of one kind. */
export type CommandOf<K extends FleetCommand["kind"]> = Extract<FleetCommand, { kind: K }>;

/** A subcommand's work. */
export type SubcommandHandler<K extends FleetCommand["kind"]> = (
  input: CommandInput & { cmd: CommandOf<K> },
) => Promise<void>;

/**
 * How one subcommand is answered:
 * - `answer`: for anyone, inside the acknowledgement (nothing slow: help);
 * - `modal`: acknowledged at once, then `run` opens a modal while the trigger is fresh;
 * - otherwise acknowledged with "Working on it…", then `run` (a failure is logged, told once, and retried
 *   by the intake).
 * `members`: full members of our workspace may run it, not only reps.
 */
export type Subcommand<K extends FleetCommand["kind"]> =
  | { answer: (cmd: CommandOf<K>) => string }
  | { run: SubcommandHandler<K>; members?: true; modal?: true };

/** Every subcommand the parser can return, each with its handler: a missing one is a compile error. */
export type SubcommandMap = { [K in FleetCommand["kind"]]: Subcommand<K> };

/** The part of the map one feature owns (`satisfies` keeps its keys, so the total map is checked). */
export type SubcommandsOf<K extends FleetCommand["kind"]> = Pick<SubcommandMap, K>;

/** A subcommand about one onboarding: `[company]` (or the channel) is resolved first, the rep told if it fails. */
export function aboutOnboarding<K extends FleetCommand["kind"]>(
  ctx: AppContext,
  run: (input: CommandInput & { cmd: CommandOf<K>; onboarding: OnboardingWithCustomer }) => Promise<void>,
): SubcommandHandler<K> {
  return async (input) => {
    const company = (input.cmd as { company?: string }).company;
    const onboarding = await onboardingOrTell(ctx, company, input.command.channel_id, input.respond);
    if (onboarding) await run({ ...input, onboarding });
  };
}

/** Registers the slash command over the features' subcommands. */
export function registerFleetCommand(app: App, ctx: AppContext, subcommands: SubcommandMap): void {
  app.command(COMMAND, async ({ command, ack, respond: slackRespond, client, context }) => {
    // Through the response_url while Slack takes it (30 minutes, 5 posts), by DM after (./private-answer.ts).
    const respond = privateAnswer(ctx, slackRespond, command.user_id);
    // Only a command naming a provider waits for Finch's listing (cached for an hour, bounded wait).
    const providers = /provider/i.test(command.text)
      ? await onboardableProviders(ctx)
      : providerCatalogue(ctx).allProviderChoices();
    const parsed = parseFleetCommand(command.text, {
      now: ctx.clock.now(),
      defaultTimeZone: ctx.config.defaultTimeZone,
      providers,
    });
    if (!parsed.ok) return ack({ response_type: "ephemeral", text: `${parsed.error}\n\n${parsed.usage}` });
    const cmd = parsed.command;
    const spec = subcommands[cmd.kind] as Subcommand<typeof cmd.kind>;
    if ("answer" in spec) return ack({ response_type: "ephemeral", text: spec.answer(cmd) });
    const actor = commandActor(ctx, command);
    /*
     * Slack does not deliver another org's slash commands, so customers never get here: they use the
     * checklist's buttons (Status, Connect). A guest (`is_restricted`, `is_ultra_restricted`) is refused
     * like a non-rep.
     */
    const allowed =
      (actor.internal && spec.members && (await isFullMember(ctx, actor.userId))) ||
      (await allowRep(ctx, actor, {
        log: "command refused",
        fields: { sub: cmd.kind },
        audit: "command.refused",
        detail: { subcommand: cmd.kind },
        tell: (text) => ack({ response_type: "ephemeral", text }),
        tellFirst: true,
      }));
    if (!allowed) return;
    const input = { ctx, cmd, command, actor, client, respond };
    if (spec.modal) {
      await ack();
      return spec.run(input);
    }
    // A replay's acknowledgement reaches the person after the real answer: say nothing then.
    if (context.intakeReplay) await ack();
    else await ack({ response_type: "ephemeral", text: `:hourglass_flowing_sand: Working on it…` });
    // A redelivery never gets here: the intake stored this command once (src/slack/intake/receiver.ts).
    try {
      await spec.run(input);
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
