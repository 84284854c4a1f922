/**
 * A rep handles dead letters from the App Home: Retry (one) and Retry all make them due again at once, with a
 * fresh set of attempts; Discard closes one without applying it. Each is audited (src/audit, a floor below
 * the domain). The caller checked that the actor is a rep.
 */

import type { Actor } from "../audit/actor.ts";
import { audit } from "../audit/audit.ts";
import { OVERTAKEN_TEXT } from "../blocks/onboarding-notes.ts";
import type { AppContext } from "../context.ts";
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

/** Puts a spool file that was set aside back in line for replay (audited) and refreshes the rep's Home. */
export async function retrySetAsideFromHome(ctx: AppContext, name: string, actor: Actor): Promise<boolean> {
  const retried = (await ctx.spool?.retrySetAside(name)) ?? false;
  await audit(ctx, {
    action: "intake.set_aside_retry",
    actor,
    detail: { file: name.slice(0, 200), retried },
  });
  ctx.logger.info({ file: name, user: actor.userId, retried }, "set-aside spool file put back by a rep");
  await publishHome(ctx, actor.userId);
  return retried;
}

/** Deletes a spool file that was set aside, for good (audited), and refreshes the rep's Home. */
export async function discardSetAsideFromHome(ctx: AppContext, name: string, actor: Actor): Promise<boolean> {
  const discarded = (await ctx.spool?.discardSetAside(name)) ?? false;
  await audit(ctx, {
    action: "intake.set_aside_discard",
    actor,
    detail: { file: name.slice(0, 200), discarded },
  });
  ctx.logger.info({ file: name, user: actor.userId, discarded }, "set-aside spool file discarded by a rep");
  await publishHome(ctx, actor.userId);
  return discarded;
}
