import { WebClient } from "@slack/web-api";
import { describe, expect, it } from "vitest";
import { startStandIns } from "../../src/sandbox/stand-ins.ts";

describe("startStandIns", () => {
  it("starts both stand-ins with the given teams, users and channels, and stops both", async () => {
    const home = { id: "T0HOME", name: "Home", domain: "home" };
    const partner = { id: "T0PART", name: "Partner", domain: "partner" };
    const standIns = await startStandIns({
      botToken: "xoxb-stand-ins",
      homeTeam: home,
      botUserId: "U0BOT",
      botId: "B0BOT",
      teams: [partner],
      users: [
        { id: "U0REP", teamId: home.id, name: "rep" },
        { id: "U0EXT", teamId: partner.id, name: "ext" },
      ],
      channels: [{ name: "general", isGeneral: true, members: ["U0REP"] }],
      finchClientId: "client",
      finchClientSecret: "secret",
    });
    try {
      const { slack, finch } = standIns;
      expect(slack.user("U0EXT")?.teamId).toBe(partner.id);
      expect(slack.channelByName("general")?.members).toEqual(["U0REP", "U0BOT"]);
      const client = new WebClient("xoxb-stand-ins", { slackApiUrl: slack.url });
      expect((await client.auth.test()).team_id).toBe(home.id);
      expect((await fetch(`${finch.url}introspect`)).status).toBe(401);
    } finally {
      await standIns.stop();
    }
    await expect(fetch(standIns.finch.url)).rejects.toThrow();
  });
});
