/**
 * A rep retries a dead letter from the App Home: it is due again at once, with a fresh set of attempts.
 * Here, beside the audit writer, because the cockpit (which shows the dead letters) must not import back.
 */
import { publishHome } from "../cockpit/home.ts";
import type { AppContext } from "../context.ts";
import { retryDeadLetter } from "../intake/store.ts";
import type { Actor } from "./actor.ts";
import { audit } from "./audit.ts";

/** Retries one dead letter (the caller checked the actor is a rep) and refreshes their Home tab. */
export async function retryDeadLetterFromHome(ctx: AppContext, key: string, actor: Actor): Promise<boolean> {
  const retried = await retryDeadLetter(ctx, key);
  await audit(ctx, { action: "intake.retry", actor, detail: { key: key.slice(0, 200), retried } });
  ctx.logger.info({ key, user: actor.userId, retried }, "dead letter retried by a rep");
  await publishHome(ctx, actor.userId);
  return retried;
}
