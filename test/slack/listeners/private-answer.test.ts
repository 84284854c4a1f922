/**
 * Answering privately within Slack's response_url window: in place while it works, by DM when Slack refuses
 * the link (404 expired_url / used_url) or the delivery is older than 30 minutes, and never a throw.
 */
import { WebClient } from "@slack/web-api";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Config } from "../../../src/config.ts";
import type { AppContext } from "../../../src/context.ts";
import { createLogger } from "../../../src/logger.ts";
import { manifestBotScopes, SlackStandIn } from "../../../src/sandbox/slack/index.ts";
import { privateAnswer } from "../../../src/slack/listeners/private-answer.ts";
import { inDelivery } from "../../../src/slack-gateway/delivery-scope.ts";

const TOKEN = "xoxb-private-answer-test";
let standIn: SlackStandIn;
let ctx: AppContext;

beforeEach(async () => {
  standIn = await SlackStandIn.start({
    scopes: manifestBotScopes(),
    botToken: TOKEN,
    homeTeam: { id: "T0HOME", name: "Fleet", domain: "fleet" },
    botUserId: "U0BOT",
    botId: "B0BOT",
  });
  standIn.addUser({ id: "U0REP", teamId: "T0HOME", name: "rita", email: "rita@fleet.example" });
  ctx = {
    slack: new WebClient(TOKEN, { slackApiUrl: standIn.url, retryConfig: { retries: 0 } }),
    config: { slack: { apiUrl: standIn.url, retries: 0, timeoutMs: 2_000 } } as Config,
    logger: createLogger({ level: "silent" }),
  } as AppContext;
});

afterEach(async () => {
  await standIn.stop();
});

const dms = () =>
  standIn
    .callsTo("chat.postMessage")
    .filter((c) => c.args.channel === "U0REP" && !c.error)
    .map((c) => c.args.text);

describe("privateAnswer", () => {
  it("answers through the response_url while it works", async () => {
    const sent: unknown[] = [];
    const answer = privateAnswer(ctx, async (m) => void sent.push(m) as never, "U0REP");
    await answer({ text: "done" });
    expect(sent).toEqual([{ text: "done" }]);
    expect(dms()).toEqual([]);
  });

  it("sends the answer by DM when Slack refuses the link (used_url), and once on a retry", async () => {
    const refused = async () => {
      throw Object.assign(new Error("Failed to respond to the response_url: 404"), { statusCode: 404 });
    };
    const scope = (attempt: number) => ({ key: "cmd:T9", attempt, receivedAt: new Date(), replay: false });
    await inDelivery(scope(1), () => privateAnswer(ctx, refused, "U0REP")("Posted the link."));
    await inDelivery(scope(2), () => privateAnswer(ctx, refused, "U0REP")("Posted the link."));
    expect(dms()).toEqual(["Posted the link."]);
  });

  it("goes straight to DM past 30 minutes, and does not throw when the DM fails too", async () => {
    let tried = 0;
    const respond = async () => {
      tried++;
      return undefined as never;
    };
    const old = { key: "cmd:T10", attempt: 1, receivedAt: new Date(Date.now() - 31 * 60_000), replay: true };
    await inDelivery(old, () => privateAnswer(ctx, respond, "U0REP")("late answer"));
    expect(tried).toBe(0);
    expect(dms()).toEqual(["late answer"]);
    standIn.injectFault({ method: "chat.postMessage", error: "channel_not_found" });
    await expect(privateAnswer(ctx, undefined, "U0REP")("lost answer")).resolves.toBeUndefined();
  });
});
