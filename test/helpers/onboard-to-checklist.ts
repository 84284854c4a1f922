/**
 * The common start of the reliability tests: the rep runs `/fleet onboard <company> hr=<HR>` through
 * `driver` (the harness's, or one aimed at an app process), the channel and its pinned checklist appear, and
 * the HR admin accepts the Slack Connect invitation (its events through the same driver).
 */
import type { SlackDriver } from "../../src/sandbox/slack-driver/index.ts";
import { eventually, type Harness, HOME_TEAM, HR, REP } from "./harness.ts";

export async function onboardToChecklist(h: Harness, company: string, driver: SlackDriver = h.driver) {
  await driver.command({
    text: `onboard ${company} hr=${HR.email}`,
    userId: REP.id,
    teamId: HOME_TEAM.id,
    channelId: "C0SALES",
  });
  const slug = company.toLowerCase().replace(/[^a-z0-9]+/g, "-");
  // Looked up by name each time: the private channel gets a new id when its first invitation goes out.
  const { channel, checklist } = await eventually(
    () => {
      const found = h.slack.channelByName(`fleet-${slug}`);
      const posted = found
        ? h.slack.messages(found.id).find((m) => m.metadata?.event_type === "onboarding_checklist")
        : undefined;
      return found && posted ? { channel: found, checklist: posted } : null;
    },
    20_000,
    "channel and checklist",
  );
  const invite = h.slack.invites.filter((i) => i.channelId === channel.id && i.status === "pending").at(-1);
  if (!invite) throw new Error(`no pending invite in ${channel.id}`);
  for (const event of h.slack.acceptSharedInvite(invite.id, { userId: HR.id, teamId: HR.teamId })) {
    const res = await driver.event(event, { teamId: HOME_TEAM.id });
    if (res.status !== 200) throw new Error(`event ${event.type} answered ${res.status}`);
  }
  const onboarding = await eventually(
    () =>
      h.db.prisma.onboarding.findFirst({
        where: { channelId: channel.id, invites: { some: { status: "approved" } } },
      }),
    15_000,
    "the invitation accepted",
  );
  return { channel, checklist, onboarding };
}
