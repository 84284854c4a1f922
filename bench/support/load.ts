/**
 * Load generation, parent side: onboards the customers whose checklists are ticked, turns their checklist
 * messages into block_actions templates, plans each run (which request goes where, which tick is whose) and
 * drives the generator process (bench/support/load-child.ts).
 *
 * Every tick of a run is attributable: it comes from a user id of its own (a member of the customer's
 * team), so its effect can be found by that id in the `tick` table and — for a check — in the
 * "Ticked by <@user>" line of the `chat.update` that shows it. Ticks go round-robin over channels × items
 * and each one flips its box, so every tick is a real change (a row in `tick`, a new rendering).
 */
import { type ChildProcess, fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import type { SlackStandIn } from "../../src/sandbox/slack/index.ts";
import type { SlackDriver } from "../../src/sandbox/slack-driver/index.ts";
import { formPayload } from "../../src/sandbox/slack-driver/payload-helpers.ts";
import { ACME, HOME, HR, REP } from "../config.ts";
import type { DoneMessage, PlannedRequest } from "./load-protocol.ts";
import { PLACEHOLDER } from "./load-protocol.ts";

/** The customer's checkboxes the load ticks (all `owner: customer` in the justworks template). */
export const ITEMS = [
  "add-user",
  "grant-admin",
  "settings-edit-employee-permissions",
  "settings-edit-company",
  "payments-invoices-reporting",
  "hr-manage",
  "hr-documents",
  "benefits-manage",
];

/** An onboarded customer: its company name, channel and checklist message. */
export interface Target {
  company: string;
  channelId: string;
  checklist: { ts: string; text: string; blocks?: unknown[] };
}

/** Onboards `count` customers (the real `/fleet onboard`, HR accepting the Slack Connect invite). */
export async function prepareChecklists(
  slack: SlackStandIn,
  driver: SlackDriver,
  prefix: string,
  count: number,
): Promise<Target[]> {
  const targets: Target[] = [];
  for (let n = 0; n < count; n++) {
    const company = `${prefix}${String.fromCharCode(65 + (n % 26))}${Math.floor(n / 26)}`;
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
    if (!channel) throw new Error(`no channel for ${company}`);
    const invite = slack.invites.filter((i) => i.channelId === channel.id).at(-1);
    // Without the customer's team in the channel every tick would be refused: fail loudly instead.
    if (!invite) throw new Error(`no Slack Connect invite for ${company}`);
    for (const event of slack.acceptSharedInvite(invite.id, { userId: HR.id, teamId: ACME.id })) {
      await driver.event(event, { teamId: HOME.id });
    }
    targets.push({ company, channelId: channel.id, checklist: { ts: "", text: "" } });
  }
  await new Promise((r) => setTimeout(r, 500));
  for (const t of targets) t.checklist = currentChecklist(slack, t.channelId);
  return targets;
}

/** The checklist message as the stand-in shows it now (what Slack would put in the next click's payload). */
export function currentChecklist(slack: SlackStandIn, channelId: string) {
  const m = slack.messages(channelId).find((x) => x.metadata?.event_type === "onboarding_checklist");
  if (!m) throw new Error(`no checklist in ${channelId}`);
  return m as unknown as Target["checklist"];
}

/** Which boxes are ticked on a checklist message (checkbox elements `tick:<item>` with `initial_options`). */
export function tickedBoxes(message: { blocks?: unknown[] }): Set<string> {
  const ticked = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const n of node) walk(n);
      return;
    }
    if (typeof node !== "object" || node === null) return;
    const o = node as Record<string, unknown>;
    if (typeof o.action_id === "string" && o.action_id.startsWith("tick:")) {
      if (Array.isArray(o.initial_options) && o.initial_options.length > 0) ticked.add(o.action_id.slice(5));
      return;
    }
    for (const v of Object.values(o)) walk(v);
  };
  walk(message.blocks ?? []);
  return ticked;
}

/** Where the next ticks go, and the state of every box ("channel:item") as the plan left it. */
export class Boxes {
  readonly ticked = new Map<string, boolean>();
  cursor = 0;

  /** Takes the boxes' state from the checklists as the stand-in shows them now (after a run drained). */
  sync(slack: SlackStandIn, targets: Target[]): void {
    targets.forEach((t, c) => {
      const now = tickedBoxes(currentChecklist(slack, t.channelId));
      for (const item of ITEMS) this.ticked.set(`${c}:${item}`, now.has(item));
    });
  }
}

/** Form-encoded block_actions templates, one per channel × item × (check | uncheck). */
export function tickTemplates(driver: SlackDriver, targets: Target[]): Record<string, string> {
  const templates: Record<string, string> = {};
  targets.forEach((t, c) => {
    for (const item of ITEMS) {
      for (const checked of [true, false]) {
        const payload = driver.blockActionsPayload({
          user: { id: PLACEHOLDER.userId, teamId: ACME.id, name: PLACEHOLDER.userName },
          channelId: t.channelId,
          message: t.checklist,
          triggerId: PLACEHOLDER.triggerId,
          actions: [
            {
              action_id: `tick:${item}`,
              type: "checkboxes",
              selected_options: checked ? [{ value: item }] : [],
            },
          ],
        }) as unknown as Record<string, unknown> & { actions: Array<Record<string, unknown>> };
        payload.response_url = PLACEHOLDER.responseUrl;
        const action = payload.actions[0];
        if (action) action.action_ts = PLACEHOLDER.actionTs;
        templates[templateKey(c, item, checked)] = formPayload(payload);
      }
    }
  });
  return templates;
}

const templateKey = (channel: number, item: string, checked: boolean) =>
  `${channel}:${item}:${checked ? 1 : 0}`;

/** What the bench knows about each planned request, to find its effect. */
export type RequestMeta =
  | { kind: "command"; responseUrl: string }
  | { kind: "tick"; userId: string; slot: string; checked: boolean };

let runCounter = 0;

/**
 * Plans one run: `rate × seconds` requests, alternately a `/fleet status <company>` and a tick. `boxes`
 * holds the state of every box and where the last plan stopped; the plan flips the boxes it ticks.
 */
export function planRun(
  driver: SlackDriver,
  targets: Target[],
  boxes: Boxes,
  rate: number,
  seconds: number,
  opts: { onlyTicks?: boolean } = {},
): { requests: PlannedRequest[]; meta: RequestMeta[] } {
  const run = (runCounter++).toString(36).toUpperCase();
  const total = Math.max(1, Math.round(rate * seconds));
  const requests: PlannedRequest[] = [];
  const meta: RequestMeta[] = [];
  const slots = targets.length * ITEMS.length;
  for (let i = 0; i < total; i++) {
    const triggerId = `${Math.floor(Date.now() / 1000)}${i}.${run}${i}.${randomBytes(16).toString("hex")}`;
    if (!opts.onlyTicks && i % 2 === 0) {
      const t = targets[(i >> 1) % targets.length] as Target;
      const responseUrl = driver.newResponseUrl("commands", HOME.id);
      // The form fields Slack posts for a slash command (as SlackDriver.command sends them). The rep asks in
      // the customer's channel: the durable intake applies one channel's deliveries in order, and a whole
      // run's commands from one channel would measure that queue rather than the app.
      const fields = {
        token: "sandbox-verification-token",
        team_id: HOME.id,
        team_domain: HOME.domain,
        channel_id: t.channelId,
        channel_name: t.channelId.toLowerCase(),
        user_id: REP.id,
        user_name: REP.name,
        command: "/fleet",
        text: `status ${t.company}`,
        api_app_id: "A0FLEETAPP",
        is_enterprise_install: "false",
        response_url: responseUrl,
        trigger_id: triggerId,
      };
      requests.push({ kind: "command", fields });
      meta.push({ kind: "command", responseUrl });
      continue;
    }
    // Round-robin over channels first, so consecutive ticks on one box are as far apart as possible.
    const s = boxes.cursor++ % slots;
    const c = s % targets.length;
    const item = ITEMS[Math.floor(s / targets.length)] as string;
    const slot = `${c}:${item}`;
    const checked = !boxes.ticked.get(slot);
    boxes.ticked.set(slot, checked);
    const userId = `UB${run}X${i.toString(36).toUpperCase()}`;
    requests.push({
      kind: "tick",
      template: templateKey(c, item, checked),
      userId,
      triggerId,
      responseUrl: driver.newResponseUrl("actions", ACME.id),
    });
    meta.push({ kind: "tick", userId, slot, checked });
  }
  return { requests, meta };
}

/** The generator process: `init` once per target, then one `run` per rate. */
export async function startGenerator(url: string, signingSecret: string, templates: Record<string, string>) {
  const child: ChildProcess = fork(join(import.meta.dirname, "load-child.ts"), [], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    serialization: "advanced",
  });
  let waiting: { resolve: (m: unknown) => void; reject: (e: Error) => void } | undefined;
  child.on("message", (m) => waiting?.resolve(m));
  child.on("exit", (code) => waiting?.reject(new Error(`load generator exited with ${code}`)));
  const next = <T>() =>
    new Promise<T>((resolve, reject) => {
      waiting = { resolve: (m) => resolve(m as T), reject };
    });
  child.send({ type: "init", url, signingSecret, templates });
  await next<{ type: "ready" }>();
  return {
    pid: child.pid,
    run: (rate: number, requests: PlannedRequest[], timeoutMs = 10_000): Promise<DoneMessage> => {
      const done = next<DoneMessage>();
      child.send({ type: "run", rate, requests, timeoutMs });
      return done;
    },
    stop: () => {
      child.disconnect();
    },
  };
}
