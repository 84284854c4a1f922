/** What every listener checks before calling a use case: is this a rep, and which onboarding is meant. */
import type { RespondArguments } from "@slack/bolt";
import type { Actor } from "../../audit/actor.ts";
import { audit } from "../../audit/audit.ts";
import type { AppContext } from "../../context.ts";
import { type OnboardingWithCustomer, resolveOnboarding } from "../../onboarding/lookup.ts";
import { isRep, refusalFor } from "../actors.ts";

/** How a refusal is recorded and told. */
export interface Refusal {
  /** The log line (none: not logged). */
  log?: string;
  /** Extra fields of the log line. */
  fields?: Record<string, unknown>;
  /** The audit action recorded (none: not audited). */
  audit?: string;
  detail?: Record<string, unknown>;
  /** Tells the person the polite refusal. */
  tell: (text: string) => Promise<unknown>;
  /**
   * Tell before logging and auditing: for a slash command, whose ack is the refusal and must not wait on the
   * database. Otherwise the refusal is recorded first, so a reply Slack refuses cannot lose the record.
   */
  tellFirst?: boolean;
}

/** True for a rep; anyone else is logged, audited and told why not. */
export async function allowRep(ctx: AppContext, actor: Actor, refusal: Refusal): Promise<boolean> {
  if (await isRep(ctx, actor)) return true;
  if (refusal.tellFirst) await refusal.tell(refusalFor(actor));
  if (refusal.log)
    ctx.logger.warn({ user: actor.userId, team: actor.teamId, ...refusal.fields }, refusal.log);
  if (refusal.audit) {
    await audit(ctx, {
      action: refusal.audit,
      actor,
      ...(refusal.detail ? { detail: refusal.detail } : {}),
    });
  }
  if (!refusal.tellFirst) await refusal.tell(refusalFor(actor));
  return false;
}

/** The onboarding a subcommand names (or the channel's); null after telling the rep why none was found. */
export async function onboardingOrTell(
  ctx: AppContext,
  company: string | undefined,
  channelId: string | undefined,
  respond: (message: RespondArguments) => Promise<unknown>,
): Promise<OnboardingWithCustomer | null> {
  const found = await resolveOnboarding(ctx, company, channelId);
  if (found.ok) return found.onboarding;
  await respond({ response_type: "ephemeral", text: found.message });
  return null;
}
