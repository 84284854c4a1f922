/** Load generation: the signed requests a run sends, and the runs at each rate. */
import { randomBytes } from "node:crypto";
import type { SlackStandIn } from "../../src/sandbox/slack/index.ts";
import { type SlackDriver, signSlackRequest } from "../../src/sandbox/slack-driver/index.ts";
import { ACME, HOME, HR, type LoadRow, log, QUICK, RATES, REP, SECONDS, secrets } from "../config.ts";
import { ms, openLoop, rssMiB, summarize } from "../lib.ts";

/** Onboards a customer, lets the HR admin in, and returns what a tick request needs. */
export async function prepareChecklist(slack: SlackStandIn, driver: SlackDriver, company: string) {
  const res = await driver.command({
    text: `onboard ${company} hr=${HR.email}`,
    userId: REP.id,
    teamId: HOME.id,
    channelId: "C0SALES",
  });
  await driver.waitForResponse(res.responseUrl, 30_000);
  const channel = slack
    .allChannels()
    .filter((c) => c.name.startsWith(`fleet-${company.toLowerCase()}`))
    .at(-1);
  if (!channel) throw new Error("no channel");
  const invite = slack.invites.filter((i) => i.channelId === channel.id).at(-1);
  if (invite) {
    for (const event of slack.acceptSharedInvite(invite.id, { userId: HR.id, teamId: ACME.id })) {
      await driver.event(event, { teamId: HOME.id });
    }
  }
  await new Promise((r) => setTimeout(r, 300));
  const checklist = slack.messages(channel.id).find((m) => m.metadata?.event_type === "onboarding_checklist");
  if (!checklist) throw new Error("no checklist");
  return { channelId: channel.id, checklist };
}

/** Pre-built signed requests: `/fleet status <company>` and checklist ticks with unique trigger ids. */
export function requestFactory(
  driver: SlackDriver,
  url: string,
  company: string,
  channelId: string,
  checklist: { ts: string; text: string; blocks?: unknown[] },
) {
  const items = ["add-user", "grant-admin", "hr-manage", "settings-edit-company"];
  const template = driver.blockActionsPayload({
    user: { id: HR.id, teamId: HR.teamId },
    channelId,
    message: checklist,
    actions: [{ action_id: "tick:add-user", type: "checkboxes", selected_options: [{ value: "add-user" }] }],
  }) as unknown as Record<string, unknown> & { actions: Array<Record<string, unknown>> };
  const post = async (body: string, contentType: string) => {
    const ts = Math.floor(Date.now() / 1000);
    const res = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": contentType,
        "x-slack-request-timestamp": String(ts),
        "x-slack-signature": signSlackRequest(secrets.signing, body, ts),
      },
      body,
    });
    await res.arrayBuffer();
    return res.status === 200;
  };
  return async (i: number): Promise<{ ok: boolean; kind: string }> => {
    const id = `${i}.${randomBytes(6).toString("hex")}`;
    if (i % 2 === 0) {
      const body = new URLSearchParams({
        command: "/fleet",
        text: `status ${company}`,
        user_id: REP.id,
        team_id: HOME.id,
        channel_id: "C0SALES",
        trigger_id: id,
        response_url: driver.newResponseUrl("commands", HOME.id),
        api_app_id: "A0FLEETAPP",
      }).toString();
      return { ok: await post(body, "application/x-www-form-urlencoded"), kind: "command" };
    }
    const item = items[(i >> 1) % items.length] ?? "add-user";
    const checked = ((i >> 3) & 1) === 0;
    const payload = {
      ...template,
      trigger_id: id,
      actions: [
        {
          ...template.actions[0],
          action_id: `tick:${item}`,
          selected_options: checked ? [{ value: item, text: { type: "plain_text", text: item } }] : [],
          action_ts: `${Date.now() / 1000}`,
        },
      ],
    };
    return {
      ok: await post(
        `payload=${encodeURIComponent(JSON.stringify(payload))}`,
        "application/x-www-form-urlencoded",
      ),
      kind: "tick",
    };
  };
}

/** A warm-up, then one open-loop run per rate in BENCH_RATES, sampling the target's memory. */
export async function loadRuns(
  target: string,
  send: (i: number) => Promise<{ ok: boolean; kind: string }>,
  pid?: number,
) {
  const rows: LoadRow[] = [];
  let rssUnderLoad = Number.NaN;
  await openLoop(50, QUICK ? 1 : 3, send); // warm-up
  for (const rate of RATES) {
    const sampler = setInterval(() => {
      rssUnderLoad = Math.max(Number.isFinite(rssUnderLoad) ? rssUnderLoad : 0, rssMiB(pid));
    }, 500);
    const result = await openLoop(rate, SECONDS, send);
    clearInterval(sampler);
    for (const [kind, samples] of result.latencies) {
      rows.push({ target, rate, kind, ...summarize(samples), errors: result.errors });
    }
    log(
      `  ${target} @ ${rate}/s: ${[...result.latencies].map(([k, s]) => `${k} p99 ${ms(summarize(s).p99)} ms`).join(", ")}, errors ${result.errors}, late sends ${result.lateStarts}`,
    );
    await new Promise((r) => setTimeout(r, 1_000));
  }
  return { rows, rssUnderLoad };
}
