/** Seeds onboardings with a channel in the Slack stand-in, and reads the reminders the bot posted. */
import { randomBytes } from "node:crypto";
import type { AppContext } from "../../src/context.ts";
import type { Database } from "../../src/db/client.ts";
import { syncCallReminder } from "../../src/reminders/schedule.ts";
import type { SlackStandIn, StoredMessage } from "../../src/sandbox/slack/index.ts";
import { MetadataEventType } from "../../src/slack-gateway/ids.ts";
import { HOME_TEAM, REP } from "../helpers/harness.ts";

/** What a seeded onboarding looks like. */
export interface SeedInput {
  company?: string;
  callAt: Date | null;
  timeZone: string;
  ownerUserId?: string;
  /** HR admins already in the channel (accepted invites), by Slack user id. */
  hrUserIds?: string[];
  createdAt?: Date;
  /** Also schedule the day-before reminder now (as booking the call does). */
  schedule?: AppContext;
}

/** What seeding needs: the database, the stand-in and a client to post the checklist with. */
export interface SeedTarget {
  db: Database;
  slack: SlackStandIn;
  app: { ctx: Pick<AppContext, "slack"> };
}

/** Creates customer + onboarding + a private channel with the bot in it and a stand-in checklist message. */
export async function seedOnboarding(
  h: SeedTarget,
  input: SeedInput,
): Promise<{ onboardingId: string; channelId: string; company: string }> {
  const { db, slack } = h;
  const suffix = randomBytes(4).toString("hex");
  const company = input.company ?? `Customer ${suffix}`;
  const channel = slack.addChannel({
    name: `fleet-test-${suffix}`,
    isPrivate: true,
    members: [input.ownerUserId ?? REP.id, ...(input.hrUserIds ?? [])],
  });
  // A real message, so re-rendering "the checklist" (call moves, closing) works against the stand-in.
  const checklist = await h.app.ctx.slack.chat.postMessage({ channel: channel.id, text: "checklist" });
  const customer = await db.prisma.customer.create({
    data: { name: company, nameKey: `${company.toLowerCase()} ${suffix}` },
  });
  const onboarding = await db.prisma.onboarding.create({
    data: {
      customerId: customer.id,
      providerId: "justworks",
      ownerUserId: input.ownerUserId ?? REP.id,
      createdByUserId: input.ownerUserId ?? REP.id,
      homeTeamId: HOME_TEAM.id,
      channelId: channel.id,
      channelName: channel.name,
      checklistTs: checklist.ts ?? null,
      setupStage: "ready",
      integrationUserName: "Fleet Integration",
      integrationUserEmail: `integrations+${suffix}@fleet.example`,
      timeZone: input.timeZone,
      callAt: input.callAt,
      ...(input.createdAt ? { createdAt: input.createdAt } : {}),
      invites: {
        create: (input.hrUserIds ?? []).map((id, i) => ({
          email: `hr${i}-${suffix}@customer.example`,
          status: "approved",
          slackUserId: id,
          slackTeamId: "T0ACME",
        })),
      },
    },
  });
  if (input.schedule) await syncCallReminder(input.schedule, db.prisma, onboarding.id);
  return { onboardingId: onboarding.id, channelId: channel.id, company };
}

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
