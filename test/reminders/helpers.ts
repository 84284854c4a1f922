/** Seeds onboardings with a channel in the Slack stand-in, and reads the reminders the bot posted. */
import type { SlackStandIn, StoredMessage } from "../../src/sandbox/slack/index.ts";
import { MetadataEventType } from "../../src/slack-gateway/ids.ts";

// Seeding lives in the tests' one fixture module; re-exported for the reminder tests that import it here.
export { type SeedInput, type SeedTarget, seedOnboarding } from "../helpers/fixtures.ts";

/** The bot's messages of a channel carrying metadata of `eventType` (default: the day-before reminder). */
export function metadataMessages(
  slack: SlackStandIn,
  channelId: string,
  eventType: string = MetadataEventType.reminder,
): StoredMessage[] {
  return slack.messages(channelId).filter((m) => m.metadata?.event_type === eventType);
}

/** Every day-before reminder message in the whole stand-in workspace. */
export function allReminderMessages(slack: SlackStandIn): StoredMessage[] {
  return slack.allChannels().flatMap((c) => metadataMessages(slack, c.id));
}
