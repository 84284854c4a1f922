/**
 * The channel calls of onboarding's use cases (src/onboarding): made here, so the domain names what it wants
 * (a private channel, an invitation, a channel's facts) and only the gateway knows Slack's methods. Each
 * takes the client to use: some callers pass a client that never retries (./post-once.ts), since a
 * retried create or invitation may have happened already. Errors reach the caller unchanged
 * (./errors.ts explains them).
 */
import type { WebClient } from "@slack/web-api";

type Args<M extends (args: never) => unknown> = Parameters<M>[0];

/** conversations.create of a private channel. */
export function createPrivateChannel(slack: WebClient, name: string) {
  return slack.conversations.create({ name, is_private: true });
}

/** One page of conversations.list. */
export function listChannels(slack: WebClient, args: Args<WebClient["conversations"]["list"]>) {
  return slack.conversations.list(args);
}

/** conversations.invite: our own people into a channel. */
export function inviteToChannel(slack: WebClient, args: Args<WebClient["conversations"]["invite"]>) {
  return slack.conversations.invite(args);
}

/** conversations.inviteShared: a Slack Connect invitation by email. */
export function inviteShared(slack: WebClient, args: Args<WebClient["conversations"]["inviteShared"]>) {
  return slack.conversations.inviteShared(args);
}

/** One page of conversations.listConnectInvites. */
export function listConnectInvites(
  slack: WebClient,
  args: Args<WebClient["conversations"]["listConnectInvites"]>,
) {
  return slack.conversations.listConnectInvites(args);
}

/** conversations.info of a channel. */
export function channelInfo(slack: WebClient, channel: string) {
  return slack.conversations.info({ channel });
}

/** One page of conversations.history. */
export function channelHistory(slack: WebClient, args: Args<WebClient["conversations"]["history"]>) {
  return slack.conversations.history(args);
}
