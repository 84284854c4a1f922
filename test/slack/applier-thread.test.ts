/**
 * INTAKE_APPLY_IN_WORKER=1: the main thread stores and acknowledges; the applier thread (src/apply-worker.ts)
 * runs the listeners. Seen from outside: every effect happens once, a command's answer still comes back, and
 * the thread's Slack calls reach /metrics although this thread's own registry never counts them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { metricsRegistry } from "../../src/metrics/instruments.ts";
import { eventually, type Harness, HOME_TEAM, HR, REP, startHarness } from "../helpers/harness.ts";
import { onboardToChecklist } from "../helpers/onboard-to-checklist.ts";
import { scrape } from "../metrics/scrape.ts";

const TOKEN = "applier-thread-metrics-token";

/** chat.update calls this thread's registry counted (the in-process app's main thread). */
async function updatesCountedHere(): Promise<number> {
  const family = (await metricsRegistry.getMetricsAsJSON()).find(
    (m) => m.name === "fleet_slack_api_calls_total",
  );
  return (family?.values ?? [])
    .filter((v) => v.labels.method === "chat.update")
    .reduce((sum, v) => sum + Number(v.value), 0);
}

describe.each(["pglite", "postgres"] as const)("applying in the applier thread (%s)", (db) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ db, env: { INTAKE_APPLY_IN_WORKER: "1", METRICS_TOKEN: TOKEN } });
  }, 60_000);
  afterAll(async () => {
    await h?.stop();
  });

  it("ticks, answers commands and counts the thread's Slack calls in /metrics", async () => {
    const { channel, checklist } = await onboardToChecklist(h, `Threaded ${db}`);
    const updatesHere = await updatesCountedHere();
    const before = (await scrape(`${h.app.url}/metrics`, TOKEN)).value("fleet_slack_api_calls_total", {
      method: "chat.update",
    });
    const updates = h.slack.callsTo("chat.update").length;
    const res = await h.driver.blockActions({
      user: { id: HR.id, teamId: HR.teamId },
      channelId: channel.id,
      message: checklist,
      triggerId: `tick.${db}`,
      actions: [
        {
          action_id: "tick:add-user",
          type: "checkboxes",
          selected_options: [{ value: "add-user" }],
          action_ts: "1700000001.000001",
        },
      ],
    });
    expect(res.status).toBe(200);
    await eventually(() => h.slack.callsTo("chat.update").length > updates, 15_000, "chat.update");
    expect(await h.db.prisma.tick.count()).toBe(1);
    // The render ran in the other thread: this thread's registry did not see its chat.update, /metrics did.
    expect(await updatesCountedHere()).toBe(updatesHere);
    const after = (await scrape(`${h.app.url}/metrics`, TOKEN)).value("fleet_slack_api_calls_total", {
      method: "chat.update",
    });
    expect(after).toBeGreaterThan(before);

    // A command's acknowledgement is given in the thread and answers Slack's request here.
    const help = await h.driver.command({
      text: "help",
      userId: REP.id,
      teamId: HOME_TEAM.id,
      channelId: "C0SALES",
    });
    expect(help.status).toBe(200);
    expect(help.text).toContain("/fleet onboard");
  }, 90_000);
});
