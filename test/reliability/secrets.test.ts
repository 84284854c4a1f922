/**
 * Secrets never leave where they belong: a whole product session — onboarding, ticks, a forged request, a
 * Finch connection with a missing permission, a webhook, the day-before reminder, the history export — and
 * then every log line, every Slack Web API call and message, every response_url answer, every uploaded
 * file and every database row are searched for the bot token, signing secret, Finch client and webhook
 * secrets, the encryption key, the access token and the authorization code.
 */
import { DateTime } from "luxon";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startScheduler } from "../../src/reminders/scheduler/index.ts";
import { buildAccountUpdatedEvent } from "../../src/sandbox/finch/index.ts";
import { signSlackRequest } from "../../src/sandbox/slack-driver/index.ts";
import { connect, nthVerification, onboard } from "../finch/helpers.ts";
import { eventually, type Harness, HOME_TEAM, HR, REP, startHarness } from "../helpers/harness.ts";

describe("no secret in any log line, Slack message or stored row", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ db: "postgres" });
  });
  afterAll(async () => h?.stop());

  it("a whole session leaks nothing", async () => {
    const o = await onboard(h, "Secretive Co");
    // Ticks by the HR admin, and a forged request that is refused.
    const checklist = h.slack.messages(o.channelId).find((m) => m.ts === o.checklistTs)!;
    await h.driver.blockActions({
      user: { id: HR.id, teamId: HR.teamId },
      channelId: o.channelId,
      message: checklist,
      actions: [
        { action_id: "tick:add-user", type: "checkboxes", selected_options: [{ value: "add-user" }] },
      ],
    });
    const body = "command=%2Ffleet&text=help";
    const forged = await h.driver.raw({
      body,
      contentType: "application/x-www-form-urlencoded",
      signature: signSlackRequest("guess", body, Math.floor(Date.now() / 1000)),
    });
    expect(forged.status).toBe(401);

    // Finch: connect with a permission missing, a webhook, a re-check through the command.
    const connection = await connect(h, o, { deniedProducts: ["payment"] });
    await nthVerification(h, o, 1);
    await h.finch.sendWebhook(
      `${h.app.url}/finch/webhooks`,
      h.secrets.finchWebhookSecret,
      buildAccountUpdatedEvent(h.finch.connection(connection.connectionId)!, "connected"),
    );
    const verify = await h.driver.command({
      text: "verify",
      userId: REP.id,
      teamId: HOME_TEAM.id,
      channelId: o.channelId,
    });
    await h.driver.waitForResponse(verify.responseUrl, 15_000);

    // The day-before reminder: a call tomorrow at 23:00 in a zone where today's 10:00 has passed already
    // (14 h ahead of UTC-ish), so the reminder is due at once.
    const zone =
      ["Pacific/Kiritimati", "Asia/Tokyo", "Europe/Berlin", "UTC", "America/Los_Angeles"].find(
        (z) => DateTime.now().setZone(z).hour >= 11 && DateTime.now().setZone(z).hour < 22,
      ) ?? "Pacific/Kiritimati";
    const when = DateTime.now()
      .setZone(zone)
      .plus({ days: 1 })
      .set({ hour: 23, minute: 0 })
      .toFormat("yyyy-MM-dd'T'HH:mm");
    const call = await h.driver.command({
      text: `call ${when} tz=${zone}`,
      userId: REP.id,
      teamId: HOME_TEAM.id,
      channelId: o.channelId,
    });
    await h.driver.waitForResponse(call.responseUrl, 15_000);
    const scheduler = startScheduler(h.app.ctx, { cron: false, planDaily: false });
    await scheduler.tick();
    await scheduler.stop();
    await eventually(
      () => h.slack.messages(o.channelId).some((m) => m.metadata?.event_type === "onboarding_reminder"),
      10_000,
      "reminder",
    );

    // The history export.
    const history = await h.driver.command({
      text: "history",
      userId: REP.id,
      teamId: HOME_TEAM.id,
      channelId: o.channelId,
    });
    const answer = (await h.driver.waitForResponse(history.responseUrl, 15_000)) as { blocks: unknown[] };
    await h.driver.blockActions({
      user: { id: REP.id, teamId: HOME_TEAM.id },
      channelId: o.channelId,
      message: { ts: "1700000000.000300", text: "x", blocks: answer.blocks },
      isEphemeral: true,
      actions: [{ action_id: "history_csv", value: o.id }],
    });
    await eventually(() => h.slack.files.some((f) => f.completed), 10_000, "csv");
    await h.app.inFlight.drain(5_000);

    const secrets = {
      "bot token": h.secrets.botToken,
      "signing secret": h.secrets.signingSecret,
      "Finch client secret": h.secrets.finchClientSecret,
      "Finch webhook secret": h.secrets.finchWebhookSecret,
      "encryption key": h.secrets.encryptionKey,
      "Finch access token": connection.accessToken,
      "Finch authorization code": connection.code,
    };
    const tables = [
      "onboarding",
      "invite",
      "step_state",
      "tick",
      "slack_message",
      "reminder",
      "finch_connection",
      "finch_connect_session",
      "verification",
      "processed_delivery",
      "audit_event",
    ];
    const stored = JSON.stringify(await Promise.all(tables.map((t) => h.db.sql.query(`select * from ${t}`))));
    const haystacks = {
      logs: h.logs.join("\n"),
      "Slack calls": JSON.stringify(h.slack.calls),
      "Slack messages": JSON.stringify(h.slack.allChannels().map((c) => h.slack.messages(c.id))),
      ephemerals: JSON.stringify(h.slack.ephemerals()),
      "App Home and modals": JSON.stringify(h.slack.openedViews),
      "response_url answers": JSON.stringify(h.driver.responseLog),
      files: h.slack.files.map((f) => f.content?.toString("utf8") ?? "").join("\n"),
      database: stored,
    };
    expect(h.logs.length).toBeGreaterThan(20);
    expect(stored).toContain("v1."); // the encrypted token is there — as ciphertext
    for (const [name, secret] of Object.entries(secrets)) {
      expect(secret.length, name).toBeGreaterThan(8);
      for (const [where, text] of Object.entries(haystacks)) {
        expect(text.includes(secret), `${where} contains the ${name}`).toBe(false);
      }
    }
  }, 90_000);
});
