/**
 * The reps' cockpit in Slack: App Home (open, toggle, paging, row buttons), `/fleet history` and its
 * export, `/fleet done`, `/fleet owner`, `/fleet provider`.
 */

import type { App, BlockAction, ButtonAction, StaticSelectAction } from "@slack/bolt";
import { buildHistoryMessage } from "../../blocks/history.ts";
import { listenerText } from "../../blocks/listener-answers.ts";
import { buildOnboardModal } from "../../blocks/onboard-modal.ts";
import { latestHistory } from "../../cockpit/history.ts";
import { isOurMember, publishHome } from "../../cockpit/home.ts";
import type { AppContext } from "../../context.ts";
import { recheckFromHome } from "../../finch/recheck.ts";
import type { Actor } from "../../onboarding/actor.ts";
import { closeOnboarding, handOver, resendInvites } from "../../onboarding/close.ts";
import {
  discardDeadLetterFromHome,
  retryAllDeadLettersFromHome,
  retryDeadLetterFromHome,
} from "../../onboarding/dead-letters.ts";
import { emailWhoHasNotJoined } from "../../onboarding/email-fallback.ts";
import { exportHistory } from "../../onboarding/history-export.ts";
import { onboardingIdFrom } from "../../onboarding/lookup.ts";
import { switchProvider } from "../../onboarding/switch-provider.ts";
import { ActionId } from "../../slack-gateway/ids.ts";
import { noteMetadata, postOnce } from "../../slack-gateway/post-once.ts";
import { interactionActor, isRep, isRepUser } from "../actors.ts";
import { aboutOnboarding, notARepOwner, type SubcommandHandlers } from "./commands/index.ts";
import { allowRep } from "./guards.ts";
import { openModalInTime } from "./open-modal.ts";

/** Registers the cockpit's listeners. */
export function registerCockpit(app: App, ctx: AppContext): void {
  app.event("app_home_opened", async ({ event }) => {
    if (event.tab !== "home") return;
    await publishHome(ctx, event.user);
  });

  /** Runs a rep-only button: refuses (and logs) anyone else, and unknown onboarding ids. */
  const repButton = (actionId: string, run: (actor: Actor, onboardingId: string) => Promise<string | null>) =>
    app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, body, action }) => {
      await ack();
      const actor = interactionActor(ctx, body);
      const reply = async (text: string) => {
        if (body.channel?.id)
          await ctx.slack.chat.postEphemeral({ channel: body.channel.id, user: actor.userId, text });
        else
          await postOnce(ctx, { channel: actor.userId, text, metadata: noteMetadata(`reply:${actionId}`) });
      };
      const refusal = {
        log: "rep action refused",
        fields: { action: actionId },
        audit: `${actionId}.refused`,
      };
      if (!(await allowRep(ctx, actor, { ...refusal, tell: reply }))) return;
      const id = onboardingIdFrom(action.value);
      const exists = id
        ? await ctx.db.prisma.onboarding.findUnique({ where: { id }, select: { id: true } })
        : null;
      if (!exists) {
        ctx.logger.warn({ user: actor.userId, action: actionId }, "action on an unknown onboarding refused");
        return reply(listenerText.noSuchOnboardingAnyMore);
      }
      const text = await run(actor, exists.id);
      if (text) await reply(text);
    });

  repButton(ActionId.homeResendInvite, (actor, id) => resendInvites(ctx, id, actor));
  repButton(ActionId.reinvite, (actor, id) => resendInvites(ctx, id, actor));
  repButton(ActionId.emailPortal, (actor, id) => emailWhoHasNotJoined(ctx, id, actor));
  repButton(ActionId.homeRecheck, (actor, id) => recheckFromHome(ctx, id, actor));
  repButton(ActionId.historyCsv, (actor, id) => exportHistory(ctx, id, actor));

  app.action(ActionId.homeOpenChannel, async ({ ack }) => {
    await ack();
  });

  registerDeadLetterActions(app, ctx);

  registerHomeScope(app, ctx);

  app.action<BlockAction<ButtonAction>>(ActionId.homeNewOnboarding, async ({ ack, body }) => {
    await ack();
    const actor = interactionActor(ctx, body);
    if (!(await isRep(ctx, actor))) return;
    const tell = (text: string) => ctx.slack.chat.postMessage({ channel: actor.userId, text });
    await openModalInTime(
      ctx,
      { client: ctx.slack, triggerId: body.trigger_id, tell, again: "the App Home's New onboarding button" },
      () => buildOnboardModal({ defaultTimeZone: ctx.config.defaultTimeZone, ownerUserId: actor.userId }),
    );
  });
}

/** The App Home's scope picker (mine / everyone's) and its paging. */
function registerHomeScope(app: App, ctx: AppContext): void {
  /** Everyone's onboardings are for reps only: anyone else asking for them gets their own. */
  const scopeFor = async (body: BlockAction, wanted: string | undefined): Promise<"all" | "mine"> => {
    if (wanted !== "all") return "mine";
    const actor = interactionActor(ctx, body);
    if (await isRep(ctx, actor)) return "all";
    ctx.logger.warn(
      { user: actor.userId, team: actor.teamId },
      "everyone's onboardings refused to a non-rep",
    );
    return "mine";
  };

  app.action<BlockAction<StaticSelectAction>>(ActionId.homeScope, async ({ ack, body, action }) => {
    await ack();
    const scope = await scopeFor(body, action.selected_option.value);
    await publishHome(ctx, body.user.id, { scope, page: 0 });
  });

  app.action<BlockAction<ButtonAction>>(
    new RegExp(`^${ActionId.homePage}:`),
    async ({ ack, body, action }) => {
      await ack();
      const { page, scope } = safeJson(action.value) as { page?: number; scope?: string };
      await publishHome(ctx, body.user.id, {
        scope: await scopeFor(body, scope),
        page: Number(page) || 0,
      });
    },
  );
}

/**
 * Dead letters (App Home, reps only, each audited): Retry and Discard one, Retry all, and paging; the intake
 * applies retried ones again within a second.
 */
function registerDeadLetterActions(app: App, ctx: AppContext): void {
  const deadLetterButton = (actionId: string, run: (actor: Actor, value: string) => Promise<unknown>) =>
    app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, body, action }) => {
      await ack();
      const actor = interactionActor(ctx, body);
      const allowed = await allowRep(ctx, actor, {
        log: "dead-letter action refused",
        fields: { action: actionId },
        audit: `${actionId === ActionId.deadLetterRetry ? "intake.retry" : actionId}.refused`,
        tell: (text) => ctx.slack.chat.postMessage({ channel: actor.userId, text }),
      });
      if (allowed) await run(actor, action.value ?? "");
    });
  deadLetterButton(ActionId.deadLetterRetry, (actor, key) => retryDeadLetterFromHome(ctx, key, actor));
  deadLetterButton(ActionId.deadLetterDiscard, (actor, key) => discardDeadLetterFromHome(ctx, key, actor));
  deadLetterButton(ActionId.deadLetterRetryAll, (actor) => retryAllDeadLettersFromHome(ctx, actor));
  app.action<BlockAction<ButtonAction>>(
    new RegExp(`^${ActionId.deadLetterPage}:`),
    async ({ ack, body, action }) => {
      await ack();
      const { deadPage } = safeJson(action.value) as { deadPage?: number };
      // Only reps' Homes list dead letters (publishHome checks): anyone else just gets their Home again.
      await publishHome(ctx, body.user.id, { deadPage: Number(deadPage) || 0 });
    },
  );
}

/** `/fleet history`, `/fleet done` and `/fleet owner`. */
export function cockpitSubcommands(ctx: AppContext): SubcommandHandlers {
  return {
    history: aboutOnboarding(ctx, async ({ onboarding, respond }) => {
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
    done: aboutOnboarding(ctx, async ({ onboarding, actor, respond }) => {
      await respond({ response_type: "ephemeral", text: await closeOnboarding(ctx, onboarding.id, actor) });
    }),
    owner: aboutOnboarding(ctx, async ({ cmd, onboarding, actor, respond }) => {
      if ((await isOurMember(ctx, cmd.newOwnerUserId)) && !(await isRepUser(ctx, cmd.newOwnerUserId))) {
        await respond({ response_type: "ephemeral", text: notARepOwner(cmd.newOwnerUserId) });
        return;
      }
      const text = await handOver(ctx, onboarding.id, cmd.newOwnerUserId, actor);
      await respond({ response_type: "ephemeral", text });
    }),
    provider: aboutOnboarding(ctx, async ({ cmd, onboarding, actor, respond }) => {
      const { text } = await switchProvider(ctx, onboarding.id, cmd.providerId, actor);
      await respond({ response_type: "ephemeral", text });
    }),
  };
}

function safeJson(text: string | undefined): unknown {
  try {
    return JSON.parse(text ?? "{}");
  } catch {
    return {};
  }
}
