/**
 * The tests' one fixture module: a Slack SDK logger that says nothing, `/fleet onboard` as the rep, and
 * onboardings written straight to the database (with or without a channel in the Slack stand-in). Tests
 * import these instead of keeping copies of their own.
 */
import { randomBytes } from "node:crypto";
import { type Logger, LogLevel } from "@slack/web-api";
import type { AppContext } from "../../src/context.ts";
import type { Database } from "../../src/db/client.ts";
import type { Prisma } from "../../src/db/generated/client.ts";
import { customerNameKey } from "../../src/onboarding/names.ts";
import { syncCallReminder } from "../../src/reminders/schedule.ts";
import type { SlackStandIn } from "../../src/sandbox/slack/index.ts";
import { type Harness, HOME_TEAM, REP } from "./harness.ts";

/** A Slack SDK (WebClient, Bolt, Socket Mode) logger that drops everything: tests assert on errors instead. */
export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  setLevel: () => {},
  getLevel: () => LogLevel.ERROR,
  setName: () => {},
};

/**
 * `/fleet <text>` by the rep (or `user`) in #sales (C0SALES, which the test adds), and the command's answer
 * at its response_url. Throws when Slack's request is not answered 200.
 */
export async function onboard(
  h: Harness,
  text: string,
  options: { user?: { id: string; teamId?: string }; timeoutMs?: number } = {},
): Promise<{ text: string }> {
  const user = options.user ?? REP;
  const res = await h.driver.command({
    text,
    userId: user.id,
    teamId: user.teamId ?? HOME_TEAM.id,
    channelId: "C0SALES",
  });
  if (res.status !== 200) throw new Error(`/fleet ${text} answered ${res.status}`);
  return (await h.driver.waitForResponse(res.responseUrl, options.timeoutMs ?? 10_000)) as { text: string };
}

/** An onboarding's own fields a test may set; the rest get plain defaults. */
export type OnboardingFields = Partial<Omit<Prisma.OnboardingUncheckedCreateInput, "customerId">>;

/**
 * A customer and its onboarding, written straight to the database: owned by the rep of the home team,
 * Justworks, New York time, unless `fields` say otherwise. The customer is `customer.name` (default a fresh
 * one), found by that name as the app finds it unless `customer.nameKey` says otherwise.
 */
export async function insertOnboarding(
  db: Database,
  fields: OnboardingFields = {},
  customer: { name?: string; nameKey?: string } = {},
) {
  const name = customer.name ?? `Customer ${randomBytes(4).toString("hex")}`;
  const { id: customerId } = await db.prisma.customer.create({
    data: { name, nameKey: customer.nameKey ?? customerNameKey(name) },
  });
  return db.prisma.onboarding.create({
    data: {
      customerId,
      providerId: "justworks",
      ownerUserId: REP.id,
      createdByUserId: REP.id,
      homeTeamId: HOME_TEAM.id,
      integrationUserName: "Fleet Integration",
      integrationUserEmail: `integrations+${randomBytes(4).toString("hex")}@fleet.example`,
      timeZone: "America/New_York",
      ...fields,
    },
  });
}

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
  const suffix = randomBytes(4).toString("hex");
  const company = input.company ?? `Customer ${suffix}`;
  const owner = input.ownerUserId ?? REP.id;
  const channel = h.slack.addChannel({
    name: `fleet-test-${suffix}`,
    isPrivate: true,
    members: [owner, ...(input.hrUserIds ?? [])],
  });
  // A real message, so re-rendering "the checklist" (call moves, closing) works against the stand-in.
  const checklist = await h.app.ctx.slack.chat.postMessage({ channel: channel.id, text: "checklist" });
  const onboarding = await insertOnboarding(
    h.db,
    {
      ownerUserId: owner,
      createdByUserId: owner,
      channelId: channel.id,
      channelName: channel.name,
      checklistTs: checklist.ts ?? null,
      setupStage: "ready",
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
    { name: company, nameKey: `${company.toLowerCase()} ${suffix}` },
  );
  if (input.schedule) await syncCallReminder(input.schedule, h.db.prisma, onboarding.id);
  return { onboardingId: onboarding.id, channelId: channel.id, company };
}
