/**
 * A rep handles dead letters from the App Home: Retry (one) and Retry all make them due again at once, with a
 * fresh set of attempts; Discard closes one without applying it. Each is audited (src/audit, a floor below
 * the domain). The caller checked that the actor is a rep.
 */

import type { Actor } from "../audit/actor.ts";
import { audit } from "../audit/audit.ts";
import { OVERTAKEN_TEXT } from "../blocks/onboarding-notes.ts";
import type { AppContext } from "../context.ts";
import {
  type CarriedOutRequest,
  parseSetAsideValue,
  type SetAsideAction,
  type SetAsideOutcome,
} from "../intake/set-aside-ledger.ts";
import { discardDeadLetter, retryAllDeadLetters, retryDeadLetterOutcome } from "../intake/store.ts";
import { publishHome } from "./home.ts";

/** Retries one dead letter (the caller checked the actor is a rep) and refreshes their Home tab. */
export async function retryDeadLetterFromHome(ctx: AppContext, key: string, actor: Actor): Promise<boolean> {
  const outcome = await retryDeadLetterOutcome(ctx, key);
  const retried = outcome === "retried";
  await audit(ctx, { action: "intake.retry", actor, detail: { key: key.slice(0, 200), retried, outcome } });
  ctx.logger.info({ key, user: actor.userId, retried, outcome }, "dead letter retried by a rep");
  if (outcome === "overtaken")
    await ctx.slack.chat.postMessage({ channel: actor.userId, text: OVERTAKEN_TEXT });
  await publishHome(ctx, actor.userId);
  return retried;
}

/** Retries every dead letter and refreshes the rep's Home tab. */
export async function retryAllDeadLettersFromHome(ctx: AppContext, actor: Actor): Promise<number> {
  const retried = await retryAllDeadLetters(ctx);
  await audit(ctx, { action: "intake.retry_all", actor, detail: { retried } });
  ctx.logger.info({ user: actor.userId, retried }, "every dead letter retried by a rep");
  await publishHome(ctx, actor.userId, { deadPage: 0 });
  return retried;
}

/** Discards one dead letter (not applied, payload dropped) and refreshes the rep's Home tab. */
export async function discardDeadLetterFromHome(
  ctx: AppContext,
  key: string,
  actor: Actor,
): Promise<boolean> {
  const discarded = await discardDeadLetter(ctx, key, `discarded by ${actor.userId}`);
  await audit(ctx, { action: "intake.discard", actor, detail: { key: key.slice(0, 200), discarded } });
  ctx.logger.info({ key, user: actor.userId, discarded }, "dead letter discarded by a rep");
  await publishHome(ctx, actor.userId);
  return discarded;
}

/**
 * A rep's Retry (back in line for replay) or Discard (deleted) of a set-aside spool file: done at once when this
 * instance holds the file, else recorded for the instance that does (which carries it out and audits it:
 * `reportCarriedOutRequest`). Audited either way; the rep's Home refreshed.
 */
async function setAsideFromHome(
  ctx: AppContext,
  action: SetAsideAction,
  value: string,
  actor: Actor,
): Promise<SetAsideOutcome> {
  const file = parseSetAsideValue(value);
  const outcome = ctx.setAside ? await ctx.setAside.act(action, file, actor) : "gone";
  await audit(ctx, {
    action: `intake.set_aside_${action}${outcome === "requested" ? "_requested" : ""}`,
    actor,
    detail: { file: file.name.slice(0, 200), [DONE[action]]: outcome === "done", instance: file.instance },
  });
  ctx.logger.info(
    { file: file.name, instance: file.instance, user: actor.userId, outcome },
    `set-aside ${action}`,
  );
  await publishHome(ctx, actor.userId);
  return outcome;
}

const DONE: Record<SetAsideAction, string> = { retry: "retried", discard: "discarded" };

/** Puts a spool file that was set aside back in line for replay (audited) and refreshes the rep's Home. */
export function retrySetAsideFromHome(
  ctx: AppContext,
  value: string,
  actor: Actor,
): Promise<SetAsideOutcome> {
  return setAsideFromHome(ctx, "retry", value, actor);
}

/** Deletes a spool file that was set aside, for good (audited), and refreshes the rep's Home. */
export function discardSetAsideFromHome(
  ctx: AppContext,
  value: string,
  actor: Actor,
): Promise<SetAsideOutcome> {
  return setAsideFromHome(ctx, "discard", value, actor);
}

/** This instance carried out a rep's request made on another one: audited as theirs, their Home refreshed. */
export async function reportCarriedOutRequest(ctx: AppContext, request: CarriedOutRequest): Promise<void> {
  const actor = { userId: request.by.userId, teamId: request.by.teamId, internal: true };
  await audit(ctx, {
    action: `intake.set_aside_${request.action}`,
    actor,
    detail: {
      file: request.name.slice(0, 200),
      [DONE[request.action]]: request.done,
      instance: request.instance,
      requested: true,
    },
  });
  await publishHome(ctx, actor.userId);
}
