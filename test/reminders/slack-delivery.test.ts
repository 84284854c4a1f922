import { WebClient } from "@slack/web-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/logger.ts";
import {
  ChannelPacer,
  findPostedMessage,
  RepTimeZones,
  retryAfterSeconds,
} from "../../src/reminders/slack-delivery.ts";
import { manifestBotScopes, SlackStandIn } from "../../src/sandbox/slack/index.ts";
import { HOME_TEAM } from "../helpers/harness.ts";

describe("ChannelPacer", () => {
  it("spaces posts per channel and holds a channel after a 429", async () => {
    let now = 0;
    const waits: number[] = [];
    const pacer = new ChannelPacer(
      1_000,
      () => now,
      async (ms) => {
        waits.push(ms);
        now += ms;
      },
    );
    await pacer.ready("C1");
    pacer.posted("C1");
    await pacer.ready("C2"); // another channel is not held back
    pacer.posted("C2");
    now += 300;
    await pacer.ready("C1");
    pacer.hold("C1", 5_000);
    await pacer.ready("C1");
    expect(waits).toEqual([700, 5_000]);
  });

  it("tells a channel's 429 from the workspace cap, and a workspace pause holds every channel", async () => {
    let now = 0;
    const waits: Array<[string, number]> = [];
    let waiting = "";
    const pacer = new ChannelPacer(
      1_000,
      () => now,
      async (ms) => {
        waits.push([waiting, ms]);
        now += ms;
      },
    );
    pacer.posted("C1");
    now += 1_500;
    expect(pacer.rateLimited("C1", 5_000)).toBe("channel"); // just posted there
    waiting = "C2";
    await pacer.ready("C2"); // not held back
    now += 4_000;
    expect(pacer.rateLimited("C1", 2_000)).toBe("channel"); // still retrying after its own 429
    expect(pacer.rateLimited("C3", 3_000)).toBe("workspace"); // never posted there: the workspace cap
    waiting = "C2";
    await pacer.ready("C2");
    expect(waits).toEqual([["C2", 3_000]]);
    now += 10_000;
    expect(pacer.rateLimited("C1", 1_000)).toBe("workspace"); // long quiet: no longer its own limit
  });

  it("runs one channel's tasks in turn, other channels' at once; an aborted wait says so", async () => {
    const pacer = new ChannelPacer(1_000);
    const log: string[] = [];
    const task = (name: string, ms: number) => async () => {
      log.push(`${name} start`);
      await new Promise((resolve) => setTimeout(resolve, ms));
      log.push(`${name} end`);
      return name;
    };
    const failing = pacer.inTurn("C1", () => Promise.reject(new Error("boom")));
    const results = Promise.all([
      pacer.inTurn("C1", task("a", 30)),
      pacer.inTurn("C1", task("b", 1)),
      pacer.inTurn("C2", task("c", 10)),
    ]);
    await expect(failing).rejects.toThrow("boom"); // a failed turn does not block the next
    expect(await results).toEqual(["a", "b", "c"]);
    // b waits for a (same channel); c ran meanwhile (another channel).
    expect(log.indexOf("b start")).toBeGreaterThan(log.indexOf("a end"));
    expect(log.indexOf("c end")).toBeLessThan(log.indexOf("a end"));

    pacer.posted("C1");
    const stop = new AbortController();
    const ready = pacer.ready("C1", stop.signal);
    stop.abort();
    expect(await ready).toBe(false);
    expect(await pacer.ready("C2", stop.signal)).toBe(false);
  });

  it("reads Retry-After from a rate-limit error, at least 1 s", () => {
    expect(retryAfterSeconds({ retryAfter: 7 })).toBe(7);
    expect(retryAfterSeconds(new Error("x"))).toBe(1);
  });
});

describe("finding a posted reminder again", () => {
  let slack: SlackStandIn;
  let client: WebClient;
  beforeAll(async () => {
    slack = await SlackStandIn.start({
      scopes: manifestBotScopes(),
      botToken: "xoxb-test",
      homeTeam: HOME_TEAM,
      botUserId: "U0BOT",
      botId: "B0BOT",
      postMessagePerChannelPerSecond: Number.POSITIVE_INFINITY,
      postMessageWorkspacePerSecond: Number.POSITIVE_INFINITY,
    });
    slack.addUser({ id: "U0TZ", teamId: HOME_TEAM.id, name: "tz", tz: "Asia/Tokyo" });
    client = new WebClient("xoxb-test", { slackApiUrl: slack.url, retryConfig: { retries: 0 } });
  });
  afterAll(async () => slack?.stop());

  it("matches by metadata event type and reminder id, across pages of history", async () => {
    const { id: channel } = slack.addChannel({ name: "lookup", isPrivate: true });
    const post = (reminderId: string, eventType = "onboarding_reminder") =>
      client.chat.postMessage({
        channel,
        text: "x",
        metadata: { event_type: eventType, event_payload: { reminder_id: reminderId } },
      });
    const target = await post("r-target");
    await post("r-target", "something_else");
    for (let i = 0; i < 230; i++) await client.chat.postMessage({ channel, text: `chatter ${i}` });
    const input = {
      channelId: channel,
      eventTypes: ["onboarding_reminder"],
      oldest: new Date(Date.now() - 60_000),
    };
    expect(await findPostedMessage(client, { ...input, reminderId: "r-target" })).toBe(target.ts);
    expect(await findPostedMessage(client, { ...input, reminderId: "r-other" })).toBeNull();
    // Only messages since `oldest` are searched.
    expect(
      await findPostedMessage(client, {
        ...input,
        reminderId: "r-target",
        oldest: new Date(Date.now() + 60_000),
      }),
    ).toBeNull();
  });

  it("reads reps' zones from users.info, falling back to the default", async () => {
    const zones = new RepTimeZones(client, "America/New_York", createLogger({ level: "silent" }));
    expect(await zones.get("U0TZ")).toBe("Asia/Tokyo");
    expect(await zones.get("U0NOBODY")).toBe("America/New_York");
    const calls = slack.callsTo("users.info").length;
    expect(await zones.get("U0TZ")).toBe("Asia/Tokyo");
    expect(slack.callsTo("users.info")).toHaveLength(calls); // cached
  });
});
