/**
 * Dead letters and set-aside spool files (App Home, reps only, each audited): Retry and Discard one, Retry all,
 * and paging; the intake applies retried ones again within a second.
 */
import type { App, BlockAction, ButtonAction } from "@slack/bolt";
import type { Actor } from "../../audit/actor.ts";
import {
  discardDeadLetterFromHome,
  discardSetAsideFromHome,
  retryAllDeadLettersFromHome,
  retryDeadLetterFromHome,
  retrySetAsideFromHome,
} from "../../cockpit/dead-letters.ts";
import { publishHome } from "../../cockpit/home.ts";
import type { AppContext } from "../../context.ts";
import { ActionId } from "../../slack-gateway/ids.ts";
import { interactionActor } from "../actors.ts";
import { allowRep } from "./guards.ts";
import { safeJson } from "./home.ts";

/** Registers the dead letters' buttons. */
export function register(app: App, ctx: AppContext): void {
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
  deadLetterButton(ActionId.setAsideRetry, (actor, file) => retrySetAsideFromHome(ctx, file, actor));
  deadLetterButton(ActionId.setAsideDiscard, (actor, file) => discardSetAsideFromHome(ctx, file, actor));
  app.action<BlockAction<ButtonAction>>(
    new RegExp(`^${ActionId.setAsidePage}:`),
    async ({ ack, body, action }) => {
      await ack();
      const { setAsidePage } = safeJson(action.value) as { setAsidePage?: number };
      await publishHome(ctx, body.user.id, { setAsidePage: Number(setAsidePage) || 0 });
    },
  );
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
