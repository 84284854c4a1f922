/**
 * No secret leaks: a whole Finch session — connect, verify, a missing permission, webhooks, a reauth, a
 * replayed code, a re-check, a disconnect — while every log line and every Slack call and message is
 * captured, then searched for the access tokens, authorization codes, client secret and webhook secret.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/context.ts";
import { buildAccountUpdatedEvent } from "../../src/sandbox/finch/index.ts";
import { ActionId } from "../../src/slack-gateway/ids.ts";
import { eventually, type Harness, HOME_TEAM, HR, REP, startHarness } from "../helpers/harness.ts";
import { connect, nthVerification, onboard, threadReplies } from "./helpers.ts";

describe("Finch secrets and employee data never reach Slack or the logs", () => {
  let h: Harness;
  const clock = new ManualClock();
  beforeAll(async () => {
    h = await startHarness({ clock });
  });
  afterAll(async () => h?.stop());

  it("keeps tokens, codes and secrets out of every log line, Slack call and message", async () => {
    const secrets: string[] = [];
    const o = await onboard(h);
    const first = await connect(h, o, { deniedProducts: ["payment"] });
    secrets.push(first.accessToken, first.code);
    const report = await nthVerification(h, o, 1);

    // Re-check after the fix, by button.
    h.finch.setConnection(first.connectionId, { deniedProducts: [] });
    clock.advance(11_000);
    await h.driver.blockActions({
      user: { id: HR.id, teamId: HR.teamId },
      channelId: o.channelId,
      message: report,
      actions: [{ action_id: ActionId.recheck }],
    });
    await nthVerification(h, o, 2);

    // The code replayed, then a reauth through a webhook and a reconnect.
    await fetch(first.redirectUrl!, { headers: { cookie: first.cookie } });
    h.finch.setConnection(first.connectionId, { status: "reauth" });
    await h.finch.sendWebhook(
      `${h.app.url}/finch/webhooks`,
      h.secrets.finchWebhookSecret,
      buildAccountUpdatedEvent(h.finch.connection(first.connectionId)!, "reauth"),
    );
    const link = await eventually(
      () => threadReplies(h, o).find((m) => m.metadata?.event_payload?.kind === "reconnect"),
      10_000,
      "reconnect link",
    );
    const reconnectUrl = /"url":"([^"]+)"/.exec(JSON.stringify(link.blocks))?.[1] ?? "";
    const second = await connect(h, o, {}, reconnectUrl);
    secrets.push(second.accessToken, second.code);
    await nthVerification(h, o, 3);

    // An invalid code and a cancel.
    await fetch(`${h.app.url}/finch/callback?code=bogus-code-0123456789`);
    // /fleet verify and /fleet disconnect.
    clock.advance(11_000);
    const verify = await h.driver.command({
      text: "verify",
      userId: REP.id,
      teamId: HOME_TEAM.id,
      channelId: o.channelId,
    });
    await h.driver.waitForResponse(verify.responseUrl, 10_000);
    const disconnect = await h.driver.command({
      text: "disconnect",
      userId: REP.id,
      teamId: HOME_TEAM.id,
      channelId: o.channelId,
    });
    const confirmation = (await h.driver.waitForResponse(disconnect.responseUrl, 10_000)) as {
      blocks: unknown[];
    };
    const click = await h.driver.blockActions({
      user: { id: REP.id, teamId: HOME_TEAM.id },
      channelId: o.channelId,
      message: { ts: "1700000000.000200", blocks: confirmation.blocks },
      isEphemeral: true,
      actions: [{ action_id: ActionId.confirmDisconnect }],
    });
    await h.driver.waitForResponse(click.responseUrl, 10_000);
    await h.app.inFlight.drain(5_000);

    secrets.push(h.secrets.finchClientSecret, h.secrets.finchWebhookSecret, h.secrets.encryptionKey);
    const haystacks = {
      logs: h.logs.join("\n"),
      slackCalls: JSON.stringify(h.slack.calls),
      slackMessages: JSON.stringify(h.slack.allChannels().map((c) => h.slack.messages(c.id))),
      ephemerals: JSON.stringify(h.slack.ephemerals()),
      responses: JSON.stringify(h.driver.responseLog),
    };
    expect(h.logs.length).toBeGreaterThan(10);
    expect(haystacks.logs).toContain("finch verification finished");
    // Employee data the checks read (the stand-in's people) must not travel either, nor be stored.
    const employeeData = ["Lovelace", "Hopper", "Katherine", "6f1c1a2e-3b4d-4c5e-8f60-7a8b9c0d1e0"];
    const stored = JSON.stringify([
      await h.db.sql.query("select * from verification"),
      await h.db.sql.query("select * from audit_event"),
    ]);
    for (const datum of employeeData) {
      for (const [where, text] of Object.entries({ ...haystacks, stored })) {
        expect(text.includes(datum), `${where} contains employee data`).toBe(false);
      }
    }
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(10);
      for (const [where, text] of Object.entries(haystacks)) {
        expect(text.includes(secret), `${where} contains a secret`).toBe(false);
      }
    }
  });
});
