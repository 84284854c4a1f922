/**
 * Changes to messages already posted (re-rendering, pinning) for onboarding's use cases (src/onboarding),
 * beside ./post.ts and ./post-once.ts which post new ones. Errors reach the caller unchanged.
 */
import type { WebClient } from "@slack/web-api";

/** chat.update of one message. */
export function updateMessage(slack: WebClient, args: Parameters<WebClient["chat"]["update"]>[0]) {
  return slack.chat.update(args);
}

/** pins.add of one message. */
export function pinMessage(slack: WebClient, channel: string, ts: string) {
  return slack.pins.add({ channel, timestamp: ts });
}

/** pins.remove of one message. */
export function unpinMessage(slack: WebClient, channel: string, ts: string) {
  return slack.pins.remove({ channel, timestamp: ts });
}
