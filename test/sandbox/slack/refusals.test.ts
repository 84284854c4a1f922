/** The Slack stand-in refuses what Slack refuses: scopes, rate limits, Slack Connect rules; ids that change. */
import { type WebAPIPlatformError, WebClient } from "@slack/web-api";
import { afterEach, describe, expect, it } from "vitest";
import {
  manifestBotScopes,
  SlackStandIn,
  type SlackStandInOptions,
} from "../../../src/sandbox/slack/index.ts";
import { silentLogger } from "../../helpers/fixtures.ts";

const TOKEN = "xoxb-refusals-test";
const HOME = { id: "T0HOME", name: "Fleet", domain: "fleet" };
const ACME = { id: "T0ACME", name: "Acme Corp", domain: "acme" };

let standIn: SlackStandIn | undefined;

async function start(
  options: Partial<SlackStandInOptions> = {},
): Promise<{ s: SlackStandIn; client: WebClient }> {
  const s = await SlackStandIn.start({
    botToken: TOKEN,
    homeTeam: HOME,
    botUserId: "U0BOT",
    botId: "B0BOT",
    scopes: manifestBotScopes(),
    ...options,
  });
  s.addTeam(ACME);
  s.addUser({ id: "U0REP", teamId: HOME.id, name: "rep", email: "rep@fleet.example" });
  standIn = s;
  const client = new WebClient(TOKEN, {
    slackApiUrl: s.url,
    retryConfig: { retries: 0 },
    logger: silentLogger,
  });
  return { s, client };
}

async function failure(
  call: Promise<unknown>,
): Promise<WebAPIPlatformError["data"] & { needed?: string; provided?: string }> {
  try {
    await call;
  } catch (error) {
    return (error as WebAPIPlatformError).data;
  }
  throw new Error("expected the call to fail");
}

afterEach(async () => {
  await standIn?.stop();
  standIn = undefined;
});

describe("scopes", () => {
  it("grants the token exactly manifest.yml's bot scopes", async () => {
    const { client } = await start();
    const auth = await client.auth.test();
    expect([...(auth.response_metadata?.scopes ?? [])].sort()).toEqual([...manifestBotScopes()].sort());
  });

  it("answers missing_scope with needed and provided for what the manifest does not ask for", async () => {
    const { client } = await start();
    // Fleet only creates private channels: channels:manage is not in the manifest.
    const data = await failure(client.conversations.create({ name: "public-one" }));
    expect(data).toMatchObject({ ok: false, error: "missing_scope", needed: "channels:manage" });
    expect(String(data.provided).split(",")).toEqual(manifestBotScopes());
    // The private channel the app does create needs groups:write, which the manifest has.
    const created = await client.conversations.create({ name: "private-one", is_private: true });
    expect(created.ok).toBe(true);
  });

  it("checks the scope of the conversation's type (private vs public) and of every listed type", async () => {
    const { s, client } = await start();
    const open = s.addChannel({ name: "general-ish", members: ["U0BOT"] });
    expect(await failure(client.conversations.info({ channel: open.id }))).toMatchObject({
      error: "missing_scope",
      needed: "channels:read",
    });
    expect(
      await failure(client.conversations.list({ types: "private_channel,public_channel" })),
    ).toMatchObject({ error: "missing_scope", needed: "channels:read" });
    expect((await client.conversations.list({ types: "private_channel" })).ok).toBe(true);
  });

  it("refuses a method whose scope was removed from the token", async () => {
    const { client } = await start({ scopes: manifestBotScopes().filter((x) => x !== "chat:write") });
    const { channel } = await client.conversations.create({ name: "no-chat", is_private: true });
    const data = await failure(client.chat.postMessage({ channel: channel?.id ?? "", text: "hi" }));
    expect(data).toMatchObject({ error: "missing_scope", needed: "chat:write" });
    expect(String(data.provided)).not.toContain("chat:write");
  });
});

describe("chat.postMessage rate limits", () => {
  it("keeps a workspace-wide limit besides the per-channel one", async () => {
    const { s, client } = await start({
      postMessagePerChannelPerSecond: Number.POSITIVE_INFINITY,
      postMessageWorkspacePerSecond: 1,
      postMessageWorkspaceBurst: 3,
    });
    const channels = ["a", "b", "c", "d"].map(
      (n) => s.addChannel({ name: n, isPrivate: true, members: ["U0BOT"] }).id,
    );
    const results = await Promise.allSettled(
      channels.map((channel) => client.chat.postMessage({ channel, text: "x" })),
    );
    // Four different channels, each well under its own limit: the fourth is refused by the workspace limit.
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(3);
    const refused = s.callsTo("chat.postMessage").filter((c) => c.status === 429);
    expect(refused).toEqual([expect.objectContaining({ error: "ratelimited" })]);
  });

  it("does not spend a workspace token on a message the channel limit refuses", async () => {
    const { s, client } = await start({
      postMessagePerChannelPerSecond: 1,
      postMessageBurst: 1,
      postMessageWorkspacePerSecond: 1,
      postMessageWorkspaceBurst: 2,
    });
    const a = s.addChannel({ name: "a", isPrivate: true, members: ["U0BOT"] }).id;
    const b = s.addChannel({ name: "b", isPrivate: true, members: ["U0BOT"] }).id;
    await client.chat.postMessage({ channel: a, text: "1" });
    await expect(client.chat.postMessage({ channel: a, text: "2" })).rejects.toThrow();
    // Had the refused message taken the workspace's second token, this one would be refused too.
    expect((await client.chat.postMessage({ channel: b, text: "3" })).ok).toBe(true);
  });
});

describe("conversations.inviteShared", () => {
  async function privateChannel(client: WebClient): Promise<string> {
    const { channel } = await client.conversations.create({ name: "acme-onboarding", is_private: true });
    return channel?.id ?? "";
  }

  it("needs a recipient (recipients_not_specified)", async () => {
    const { client } = await start();
    const channel = await privateChannel(client);
    expect(await failure(client.conversations.inviteShared({ channel } as never))).toMatchObject({
      error: "recipients_not_specified",
    });
  });

  it("refuses a second invitation while the channel has one pending, whoever it is for; a decision frees it", async () => {
    // The channel keeps its id here (the id change on sharing has its own test).
    const { s, client } = await start({ newIdOnShare: false });
    const id = await privateChannel(client);
    const first = await client.conversations.inviteShared({ channel: id, emails: ["dana@acme.example"] });
    for (const email of ["DANA@acme.example", "eve@acme.example"]) {
      expect(
        await failure(client.conversations.inviteShared({ channel: id, emails: [email] })),
      ).toMatchObject({
        error: "connection_limit_exceeded_pending",
      });
    }
    s.declineSharedInvite(first.invite_id ?? "", { userId: "U0EXT", teamId: ACME.id });
    expect((await client.conversations.inviteShared({ channel: id, emails: ["eve@acme.example"] })).ok).toBe(
      true,
    );
    expect(s.invites.map((i) => [i.email, i.status])).toEqual([
      ["dana@acme.example", "declined"],
      ["eve@acme.example", "pending"],
    ]);
  });

  it("rate-limits email invites per calling user with `ratelimit` (not a 429)", async () => {
    const { s, client } = await start({ inviteSharedPerMinute: 2 });
    // One channel each: a channel takes one pending invitation.
    const invite = async (email: string) => {
      const { channel } = await client.conversations.create({ name: `acme-${email[0]}`, is_private: true });
      return client.conversations.inviteShared({ channel: channel?.id ?? "", emails: [email] });
    };
    await invite("a@acme.example");
    await invite("b@acme.example");
    expect(await failure(invite("c@acme.example"))).toMatchObject({ error: "ratelimit" });
    expect(s.callsTo("conversations.inviteShared").map((c) => c.status)).toEqual([200, 200, 200]);
  });

  it("refuses Slack Connect to a workspace that is not on a paid plan (not_paid)", async () => {
    const { s, client } = await start({ paidPlan: false });
    const channel = await privateChannel(client);
    expect(
      await failure(client.conversations.inviteShared({ channel, emails: ["a@acme.example"] })),
    ).toMatchObject({ error: "not_paid" });
    expect(s.invites).toEqual([]);
  });

  it("refuses full members where the workspace only allows limited ones, and everything without Slack Connect", async () => {
    const limited = await start({ slackConnect: "limited" });
    const channel = await privateChannel(limited.client);
    expect(
      await failure(
        limited.client.conversations.inviteShared({
          channel,
          emails: ["a@acme.example"],
          external_limited: false,
        }),
      ),
    ).toMatchObject({ error: "restricted_action" });
    expect(
      (await limited.client.conversations.inviteShared({ channel, emails: ["a@acme.example"] })).ok,
    ).toBe(true);
    await limited.s.stop();

    const none = await start({ slackConnect: "none" });
    const other = await privateChannel(none.client);
    expect(
      await failure(none.client.conversations.inviteShared({ channel: other, emails: ["a@acme.example"] })),
    ).toMatchObject({ error: "not_allowed_for_grid_workspace" });
  });
});

describe("Enterprise Grid and channel ids", () => {
  it("reports the org's enterprise_id in auth.test, and none for a standalone workspace", async () => {
    const grid = await start({ enterpriseId: "E0FLEET" });
    expect((await grid.client.auth.test()).enterprise_id).toBe("E0FLEET");
    await grid.s.stop();
    const standalone = await start();
    expect((await standalone.client.auth.test()).enterprise_id).toBeUndefined();
  });

  it("gives a private channel a new id on its first invitation, by itself: the event, the old id gone, messages and invites follow", async () => {
    const { s, client } = await start();
    const events: Array<{ type: string; old_channel_id: string; new_channel_id: string }> = [];
    s.events.on("slackEvent", (event) => events.push(event));
    const { channel } = await client.conversations.create({ name: "acme-onboarding", is_private: true });
    const oldId = channel?.id ?? "";
    const posted = await client.chat.postMessage({ channel: oldId, text: "checklist" });
    await client.conversations.inviteShared({ channel: oldId, emails: ["dana@acme.example"] });
    expect(events).toHaveLength(1);
    const [event] = events;
    expect(event).toMatchObject({ type: "channel_id_changed", old_channel_id: oldId });
    const newId = event?.new_channel_id ?? "";
    expect(newId).not.toBe(oldId);
    expect(await failure(client.conversations.info({ channel: oldId }))).toMatchObject({
      error: "channel_not_found",
    });
    expect(await failure(client.chat.postMessage({ channel: oldId, text: "late" }))).toMatchObject({
      error: "channel_not_found",
    });
    expect(s.messages(newId).map((m) => [m.ts, m.channel])).toEqual([[posted.ts, newId]]);
    expect(s.invites[0]?.channelId).toBe(newId);
    const updated = await client.chat.update({ channel: newId, ts: posted.ts ?? "", text: "ticked" });
    expect(updated.ok).toBe(true);
    // Only the first sharing changes it.
    s.declineSharedInvite(s.invites[0]?.id ?? "", { userId: "U0EXT", teamId: ACME.id });
    await client.conversations.inviteShared({ channel: newId, emails: ["eve@acme.example"] });
    expect(events).toHaveLength(1);
  });

  it("keeps the id when told to (newIdOnShare: false), as the benchmark does", async () => {
    const { s, client } = await start({ newIdOnShare: false });
    const { channel } = await client.conversations.create({ name: "acme-onboarding", is_private: true });
    const id = channel?.id ?? "";
    await client.conversations.inviteShared({ channel: id, emails: ["dana@acme.example"] });
    expect(s.channel(id)).toBeDefined();
  });
});
