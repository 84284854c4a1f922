/** The email path for customers without Slack: the invite alert's "Email their private page instead". */
import type { App } from "@slack/bolt";
import type { AppContext } from "../../context.ts";
import { emailWhoHasNotJoined } from "../../onboarding/email-fallback.ts";
import { revokePortalLinks } from "../../onboarding/portal-links.ts";
import { ActionId } from "../../slack-gateway/ids.ts";
import { repButton } from "./rep-button.ts";

/** Registers the email button and the App Home's "Revoke private page links" (reps only). */
export function register(app: App, ctx: AppContext): void {
  repButton(app, ctx, ActionId.emailPortal, (actor, id) => emailWhoHasNotJoined(ctx, id, actor));
  repButton(app, ctx, ActionId.homeRevokePortal, async (actor, id) => {
    const revoked = await revokePortalLinks(ctx, { onboardingId: id, actor, reason: "rep" });
    if (revoked === 0) return "There were no open private page links to revoke.";
    const links = revoked === 1 ? "1 private page link" : `${revoked} private page links`;
    return `Revoked ${links}: the customer's page no longer opens from them.`;
  });
}
