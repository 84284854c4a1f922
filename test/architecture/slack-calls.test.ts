/** Outbound Slack calls of the onboarding use cases go through src/slack-gateway, never `client.xxx` there. */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { readSources } from "./import-rules.ts";
import { slackCallsOf } from "./slack-calls.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

describe("onboarding calls Slack through the gateway", () => {
  it("no Web API call is written out in src/onboarding", () => {
    const sources = readSources(ROOT, "src/onboarding");
    expect(sources.size).toBeGreaterThan(10);
    const calls = [...sources].flatMap(([file, text]) => slackCallsOf(file, text));
    expect(calls.map((c) => `${c.file}:${c.line} ${c.call}`)).toEqual([]);
  });

  it("catches planted calls, and leaves gateway functions and look-alikes alone", () => {
    const planted = [
      "await ctx.slack.conversations.create({ name });",
      "await client.chat.update({ channel, ts, text });",
      "await ctx.slack.pins.add({ channel, timestamp });",
      "await slack.apiCall('conversations.list', {});",
      // Fine: a gateway function, a Prisma call.
      "await pinMessage(ctx.slack, channel, ts);",
      "await ctx.db.prisma.onboarding.update({ where, data });",
    ].join("\n");
    expect(slackCallsOf("src/onboarding/planted.ts", planted).map((c) => [c.line, c.call])).toEqual([
      [1, "ctx.slack.conversations.create"],
      [2, "client.chat.update"],
      [3, "ctx.slack.pins.add"],
      [4, "slack.apiCall"],
    ]);
  });
});
