/**
 * `/fleet`: parse, authorize and acknowledge within Slack's 3 seconds (help and input errors go right
 * into the ephemeral ack), then do the slow work and answer privately through `respond`.
 */
import type { App, RespondFn, SlashCommand } from "@slack/bolt";
import type { AppContext } from "../../../context.ts";
import { claimDelivery, runClaimed } from "../../../db/claims.ts";
import type { Actor } from "../../../onboarding/actor.ts";
import { audit } from "../../../onboarding/audit.ts";
import { resolveOnboarding } from "../../../onboarding/lookup.ts";
import { startOnboarding } from "../../../onboarding/start-onboarding.ts";
import { statusFacts } from "../../../onboarding/status.ts";
import { getTemplate, templateIds } from "../../../onboarding/template.ts";
import { COMMAND } from "../../../slack-gateway/ids.ts";
import { commandActor, isRep, refusalFor } from "../../actors.ts";
import { type FleetCommand, helpText, parseFleetCommand, USAGE } from "../../commands/parse.ts";
import { deliveryKey } from "../../middleware/dedupe.ts";
import { buildOnboardModal } from "../../views/onboard-modal.ts";
import { onboardReportText, statusText } from "../../views/reports.ts";

/** What a subcommand handler gets. */
export interface CommandInput {
  ctx: AppContext;
  command: SlashCommand;
  actor: Actor;
  respond: RespondFn;
}

/** A subcommand's work after the ack. */
export type SubcommandHandler<K extends FleetCommand["kind"]> = (
  input: CommandInput & { cmd: Extract<FleetCommand, { kind: K }> },
) => Promise<void>;

/** Subcommands anyone in our workspace may run; the rest are for reps. External users may run `status` in their channel. */
const OPEN_TO_ALL: ReadonlySet<FleetCommand["kind"]> = new Set(["help", "status"]);

const handlers: { [K in FleetCommand["kind"]]?: SubcommandHandler<K> } = {
  onboard: async ({ ctx, cmd, actor, respond }) => {
    const report = await startOnboarding(ctx, cmd.request, actor);
    await respond({ response_type: "ephemeral", text: onboardReportText(cmd.request.company, report) });
  },
  status: async ({ ctx, cmd, command, actor, respond }) => {
    // An external user only ever sees the onboarding of the channel they are in.
    const found = await resolveOnboarding(ctx, actor.internal ? cmd.company : undefined, command.channel_id);
    if (!found.ok) return void (await respond({ response_type: "ephemeral", text: found.message }));
    await respond({
      response_type: "ephemeral",
      text: statusText(await statusFacts(ctx, found.onboarding.id)),
    });
  },
};

/** Adds a subcommand handler (features register theirs from their own modules). */
export function addSubcommand<K extends FleetCommand["kind"]>(kind: K, handler: SubcommandHandler<K>): void {
  (handlers as Record<string, unknown>)[kind] = handler;
}

/** Registers the slash command. */
export function registerCommands(app: App, ctx: AppContext): void {
  app.command(COMMAND, async ({ command, ack, respond, client }) => {
    const parsed = parseFleetCommand(command.text, {
      now: ctx.clock.now(),
      defaultTimeZone: ctx.config.defaultTimeZone,
      providers: templateIds(),
    });
    if (!parsed.ok) return ack({ response_type: "ephemeral", text: `${parsed.error}\n\n${parsed.usage}` });
    const cmd = parsed.command;
    if (cmd.kind === "help") {
      return ack({ response_type: "ephemeral", text: cmd.topic ? USAGE[cmd.topic] : helpText() });
    }
    const actor = commandActor(ctx, command);
    const allowed = OPEN_TO_ALL.has(cmd.kind) || (await isRep(ctx, actor));
    if (!allowed) {
      await ack({ response_type: "ephemeral", text: refusalFor(actor) });
      ctx.logger.warn({ user: actor.userId, team: actor.teamId, sub: cmd.kind }, "command refused");
      await audit(ctx, { action: "command.refused", actor, detail: { subcommand: cmd.kind } });
      return;
    }
    if (cmd.kind === "onboard-modal") {
      await ack();
      await client.views.open({
        trigger_id: command.trigger_id,
        view: buildOnboardModal({
          providers: templateIds().map((id) => ({ id, name: getTemplate(id).displayName })),
          defaultTimeZone: ctx.config.defaultTimeZone,
          ownerUserId: actor.userId,
        }),
      });
      return;
    }
    const handler = handlers[cmd.kind] as SubcommandHandler<typeof cmd.kind> | undefined;
    if (!handler) {
      return ack({
        response_type: "ephemeral",
        text: `\`${cmd.kind}\` is not available yet.\n${helpText()}`,
      });
    }
    await ack({ response_type: "ephemeral", text: `:hourglass_flowing_sand: Working on it…` });
    // Claimed after the ack (Slack's 3 s never wait on the database); a redelivery does nothing more.
    const key = deliveryKey(command as unknown as Record<string, unknown>);
    if (key && !(await claimDelivery(ctx, key))) {
      ctx.logger.info({ key }, "duplicate command dropped");
      return;
    }
    try {
      await (key
        ? runClaimed(ctx, key, () => handler({ ctx, cmd: cmd as never, command, actor, respond }))
        : handler({ ctx, cmd: cmd as never, command, actor, respond }));
    } catch (err) {
      ctx.logger.error({ err, sub: cmd.kind }, "command failed");
      await respond({
        response_type: "ephemeral",
        text: "Something went wrong on our side — it has been logged. Running the same command again is safe.",
      });
    }
  });
}
