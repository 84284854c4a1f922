/**
 * The app's own links that start a Finch Connect flow. Each carries a signed token naming the onboarding and
 * is never stale: opening it makes a fresh Finch session (src/finch/connect-session.ts).
 */
import type { AppContext } from "../context.ts";
import { connectLinkToken } from "../crypto.ts";

/** The "Connect" link of an onboarding. */
export function connectUrlFor(ctx: Pick<AppContext, "publicUrl" | "keys">, onboardingId: string): string {
  return `${ctx.publicUrl}connect/${connectLinkToken(onboardingId, ctx.keys)}`;
}

/** The "Reconnect" link of an onboarding, which makes a fresh reauthentication session. */
export function reconnectUrlFor(ctx: Pick<AppContext, "publicUrl" | "keys">, onboardingId: string): string {
  return `${ctx.publicUrl}reconnect/${connectLinkToken(onboardingId, ctx.keys)}`;
}
