/**
 * Every sentence of the browser pages around Finch Connect: the never-stale `/connect` and `/reconnect`
 * links (src/finch/connect-session.ts, src/http/finch-routes.ts) and the page after Finch's redirect
 * (src/finch/connect-callback.ts). Pure: each takes the facts it names, and declares its own input type.
 */
import { escapeHtml } from "./escape.ts";
import { simplePage } from "./simple-page.ts";

/** What a short page says: its heading and one paragraph (plain text; the page escapes it). */
export interface PageText {
  title: string;
  message: string;
}

/** The `/connect` and `/reconnect` links' pages. */
export const connectLinkPages = {
  notValid: {
    title: "This link is not valid",
    message: "Please use the Connect button in your Slack channel, or ask your Fleet contact for a new link.",
  },
  closed: {
    title: "This onboarding is closed",
    message:
      "Your Fleet onboarding is finished, so this link no longer opens Finch. Questions? Ask your Fleet team in Slack.",
  },
  finchUnreachable: {
    title: "Finch is not reachable right now",
    message: "Please try again in a minute — the link keeps working.",
  },
  couldNotOpen: {
    title: "We couldn't open Finch Connect",
    message: "Fleet's team has been told and will get back to you in Slack.",
  },
  notOpenedHere: {
    title: "This link was not opened here",
    message: "Open the link from your message again.",
  },
} as const satisfies Record<string, PageText>;

/** The page after Finch's redirect (`/finch/callback`). */
export const callbackPages = {
  incomplete: {
    title: "This link is incomplete",
    message: "Please start again with the Connect button in Slack.",
  },
  unmatched: {
    title: "We couldn't match this connection",
    message: "Please start again with the Connect button in your Slack channel.",
  },
  closed: {
    title: "This onboarding is closed",
    message:
      "Your Fleet onboarding is finished, so nothing was connected. Questions? Ask your Fleet team in Slack.",
  },
  cancelled: {
    title: "Connection cancelled",
    message: "Nothing was changed. You can start again any time with the Connect button in Slack.",
  },
  alreadyUsed: {
    title: "This link was already used",
    message:
      "If you just connected, you're all set — return to Slack. Otherwise start again with the Connect button in Slack.",
  },
  finchUnreachable: {
    title: "Finch is not reachable right now",
    message: "Please reload this page in a minute to finish connecting.",
  },
  signInExpired: {
    title: "This sign-in expired",
    message: "Nothing was changed. Please start again with the Connect button in Slack.",
  },
  couldNotFinish: {
    title: "We couldn't finish connecting",
    message: "Fleet's team has been told. Please try again later with the Connect button in Slack.",
  },
} as const satisfies Record<string, PageText>;

/** A Connect link opened on a connection that is already verified: nothing to do. */
export function alreadyConnectedPage(input: { providerName: string }): PageText {
  return {
    title: `${input.providerName} is already connected`,
    message: `${input.providerName} is already connected to Fleet and verified — there is nothing to do. If it needs to be connected again, ask your Fleet rep for a Reconnect link in Slack.`,
  };
}

/** The connected page: the provider's name as the customer knows it. */
export function connectedPage(input: { providerName: string }): PageText {
  return {
    title: "Connected — you can return to Slack",
    message: `${input.providerName} is connected to Fleet. Fleet is verifying the connection and every permission now, and posts the result in your Slack channel.`,
  };
}

/** Too many callback attempts from one address: how long to wait. */
export function tooManyAttemptsPage(input: { retryAfterSeconds: number }): PageText {
  return {
    title: "Too many attempts",
    message: `Please wait ${input.retryAfterSeconds} seconds, then start again with the Connect button in Slack.`,
  };
}

/** What the link's confirmation page names. */
export interface ConfirmPageInput {
  providerName: string;
  companyName: string;
}

/** The GET's page: one button, a POST to the same address, opens Finch Connect (works without JavaScript). */
export function confirmPage(input: ConfirmPageInput): string {
  const { providerName, companyName } = input;
  const title = `Connect ${providerName} to Fleet`;
  const form = `<form method="post"><button type="submit" style="font:inherit;font-weight:600;padding:.7rem 1.2rem;border-radius:6px;border:0;background:#1264a3;color:#fff;cursor:pointer">Continue to ${escapeHtml(providerName)}</button></form>`;
  return simplePage(
    title,
    `Finch, Fleet's payroll connection partner, will ask you to sign in to ${providerName} for ${companyName}.`,
  ).replace("</body>", `${form}</body>`);
}
