/** The email path for customers without Slack: the invite alert's "Email their private page instead". */
import type { App } from "@slack/bolt";
import type { AppContext } from "../../context.ts";
import { emailWhoHasNotJoined } from "../../onboarding/email-fallback.ts";
import { ActionId } from "../../slack-gateway/ids.ts";
import { repButton } from "./rep-button.ts";

/** Registers the email button (reps only). */
export function register(app: App, ctx: AppContext): void {
  repButton(app, ctx, ActionId.emailPortal, (actor, id) => emailWhoHasNotJoined(ctx, id, actor));
}
