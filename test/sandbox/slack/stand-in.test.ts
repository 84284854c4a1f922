import {
  ErrorCode,
  type WebAPIHTTPError,
  type WebAPIPlatformError,
  type WebAPIRequestError,
  WebClient,
} from "@slack/web-api";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkBlocks } from "../../../src/sandbox/slack/block-kit.ts";
import { channelNameError, manifestBotScopes, SlackStandIn } from "../../../src/sandbox/slack/index.ts";
import { silentLogger } from "../../helpers/fixtures.ts";

/** The stand-in's own tests also use public channels, which Fleet's manifest does not ask for. */
const ALL_SCOPES = [
  ...manifestBotScopes(),
  "channels:manage",
  "channels:read",
  "channels:history",
  "im:read",
  "mpim:write",
];

const TOKEN = "xoxb-standin-test";
const HOME = { id: "T0HOME", name: "Fleet", domain: "fleet" };
const ACME = { id: "T0ACME", name: "Acme Corp", domain: "acme" };

let standIn: SlackStandIn;
let client: WebClient;

// The WebClient logs Slack's `[ERROR]` response messages; the tests assert on them instead.

/** The real SDK client (no token when `token` is null), with retries kept short so tests stay fast. */
function webClient(token: string | null = TOKEN, retries = 0): WebClient {
  return new WebClient(token ?? undefined, {
    slackApiUrl: standIn.url,
    retryConfig: { retries, minTimeout: 10, maxTimeout: 20 },
    logger: silentLogger,
  });
}

/** The Slack error code a call failed with. */
async function slackError(call: Promise<unknown>): Promise<string> {
  return (await platformError(call)).data.error;
}

async function platformError(call: Promise<unknown>): Promise<WebAPIPlatformError> {
  try {
    await call;
  } catch (error) {
    if ((error as WebAPIPlatformError).code === ErrorCode.PlatformError) return error as WebAPIPlatformError;
    throw error;
  }
  throw new Error("expected the call to fail");
}

async function createChannel(name = "acme-onboarding", isPrivate = false): Promise<string> {
  const created = await client.conversations.create({ name, is_private: isPrivate });
  return created.channel?.id ?? "";
}

beforeEach(async () => {
  standIn = await SlackStandIn.start({
    scopes: ALL_SCOPES,
    botToken: TOKEN,
    homeTeam: HOME,
    botUserId: "U0BOT",
    botId: "B0BOT",
  });
  standIn.addTeam(ACME);
  standIn.addUser({
    id: "U0CSM",
    teamId: HOME.id,
    name: "casey",
    realName: "Casey CSM",
    email: "casey@fleet.example",
    tz: "America/New_York",
    isAdmin: true,
  });
  standIn.addUser({ id: "U0SE", teamId: HOME.id, name: "sam", email: "sam@fleet.example" });
  standIn.addUser({ id: "U0EXT", teamId: ACME.id, name: "dana", email: "dana@acme.example" });
  client = webClient();
});

afterEach(async () => {
  await standIn.stop();
});

describe("auth and directory", () => {
  it("answers auth.test for the bot token and rejects other or missing tokens", async () => {
    const auth = await client.auth.test();
    expect(auth).toMatchObject({
      ok: true,
      team_id: HOME.id,
      user_id: "U0BOT",
      bot_id: "B0BOT",
      team: "Fleet",
    });
    expect(auth.url).toBe("https://fleet.slack.com/");
    expect(auth.response_metadata?.scopes).toContain("conversations.connect:write");

    expect(await slackError(webClient("xoxb-wrong").auth.test())).toBe("invalid_auth");
    expect(await slackError(webClient(null).auth.test())).toBe("not_authed");
    expect(standIn.callsTo("auth.test").map((c) => c.error)).toEqual([
      undefined,
      "invalid_auth",
      "not_authed",
    ]);
  });

  it("looks up users and user groups", async () => {
    const info = await client.users.info({ user: "U0CSM" });
    expect(info.user).toMatchObject({
      id: "U0CSM",
      team_id: HOME.id,
      real_name: "Casey CSM",
      is_admin: true,
    });
    expect(info.user?.profile?.email).toBe("casey@fleet.example");
    expect(info.user?.tz_offset).toBeLessThan(0);
    expect(await slackError(client.users.info({ user: "U0NOBODY" }))).toBe("user_not_found");

    standIn.addUserGroup("S0CSM", "csm", ["U0CSM", "U0SE"]);
    expect((await client.usergroups.users.list({ usergroup: "S0CSM" })).users).toEqual(["U0CSM", "U0SE"]);
    expect(await slackError(client.usergroups.users.list({ usergroup: "S0NONE" }))).toBe("no_such_subteam");
  });

  it("answers unknown methods with unknown_method", async () => {
    expect(await slackError(client.apiCall("fleet.nonsense"))).toBe("unknown_method");
  });

  it("accepts JSON bodies with a bearer token", async () => {
    const channel = await createChannel();
    const response = await fetch(`${standIn.url}chat.postMessage`, {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8", authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ channel, text: "hi", metadata: { event_type: "x", event_payload: { a: 1 } } }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true, channel });
    expect(standIn.messages(channel)[0]?.metadata).toEqual({ event_type: "x", event_payload: { a: 1 } });
  });
});

describe("conversations", () => {
  it("creates channels and enforces Slack's name rules", async () => {
    const created = await client.conversations.create({ name: "acme-onboarding", is_private: true });
    expect(created.channel).toMatchObject({ name: "acme-onboarding", is_private: true, is_member: true });
    expect(standIn.channelByName("acme-onboarding")?.members).toEqual(["U0BOT"]);

    expect(await slackError(client.conversations.create({ name: "Acme Onboarding" }))).toBe(
      "invalid_name_specials",
    );
    expect(await slackError(client.conversations.create({ name: "a".repeat(81) }))).toBe(
      "invalid_name_maxlength",
    );
    expect(await slackError(client.conversations.create({ name: "" }))).toBe("invalid_name_required");
    expect(await slackError(client.conversations.create({ name: "acme-onboarding" }))).toBe("name_taken");
    expect(channelNameError("a".repeat(80))).toBeUndefined();
  });

  it("invites members, lists and reports Slack's errors", async () => {
    const channel = await createChannel();
    await client.conversations.invite({ channel, users: "U0CSM,U0SE" });
    expect(standIn.channel(channel)?.members).toEqual(["U0BOT", "U0CSM", "U0SE"]);
    expect(await slackError(client.conversations.invite({ channel, users: "U0CSM" }))).toBe(
      "already_in_channel",
    );
    expect(await slackError(client.conversations.invite({ channel, users: "U0NOBODY" }))).toBe(
      "user_not_found",
    );
    expect(await slackError(client.conversations.invite({ channel: "C0MISSING", users: "U0CSM" }))).toBe(
      "channel_not_found",
    );

    const other = standIn.addChannel({ name: "random", botIsMember: false });
    expect(await slackError(client.chat.postMessage({ channel: other.id, text: "hi" }))).toBe(
      "not_in_channel",
    );

    await createChannel("secret-room", true);
    const publicOnly = await client.conversations.list({ limit: 1 });
    expect(publicOnly.channels).toHaveLength(1);
    const cursor = publicOnly.response_metadata?.next_cursor ?? "";
    expect(cursor).not.toBe("");
    const second = await client.conversations.list({ limit: 1, cursor });
    expect(second.channels?.[0]?.id).not.toBe(publicOnly.channels?.[0]?.id);
    const all = await client.conversations.list({ types: "public_channel,private_channel" });
    expect(all.channels?.map((c) => c.name).sort()).toEqual(["acme-onboarding", "random", "secret-room"]);

    const archived = standIn.addChannel({ name: "old-room", isArchived: true }).id;
    expect((await client.conversations.info({ channel: archived })).channel?.is_archived).toBe(true);
    expect(await slackError(client.chat.postMessage({ channel: archived, text: "late" }))).toBe(
      "is_archived",
    );
  });
});

describe("messages", () => {
  it("stores metadata and returns it from history only with include_all_metadata", async () => {
    const channel = await createChannel();
    const metadata = { event_type: "fleet_checklist", event_payload: { onboarding_id: "ob_1", step: 2 } };
    const posted = await client.chat.postMessage({ channel, text: "Checklist", metadata });
    expect(posted.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(posted.message).toMatchObject({ text: "Checklist", bot_id: "B0BOT", user: "U0BOT", metadata });

    const reply = await client.chat.postMessage({ channel, text: "step done", thread_ts: posted.ts ?? "" });
    expect(Number(reply.ts)).toBeGreaterThan(Number(posted.ts));
    await client.chat.postMessage({ channel, text: "second top-level" });

    const withMetadata = await client.conversations.history({ channel, include_all_metadata: true });
    expect(withMetadata.messages?.map((m) => m.text)).toEqual(["second top-level", "Checklist"]);
    expect(withMetadata.messages?.[1]).toMatchObject({ metadata, reply_count: 1, thread_ts: posted.ts });
    const plain = await client.conversations.history({ channel, limit: 1 });
    expect(plain.messages?.[0]?.metadata).toBeUndefined();
    expect(plain.has_more).toBe(true);

    expect(standIn.messages(channel).map((m) => m.thread_ts)).toEqual([undefined, posted.ts, undefined]);
  });

  it("filters history by oldest and latest", async () => {
    const channel = await createChannel();
    const first = await client.chat.postMessage({ channel, text: "one" });
    const second = await client.chat.postMessage({ channel, text: "two" });
    await client.chat.postMessage({ channel, text: "three" });
    const after = await client.conversations.history({ channel, oldest: first.ts ?? "" });
    expect(after.messages?.map((m) => m.text)).toEqual(["three", "two"]);
    const before = await client.conversations.history({ channel, latest: second.ts ?? "", inclusive: true });
    expect(before.messages?.map((m) => m.text)).toEqual(["two", "one"]);
  });

  it("updates only the bot's own messages", async () => {
    const channel = await createChannel();
    await client.conversations.invite({ channel, users: "U0CSM" });
    const own = await client.chat.postMessage({ channel, text: "v1" });
    const updated = await client.chat.update({ channel, ts: own.ts ?? "", text: "v2" });
    expect(updated).toMatchObject({ ok: true, text: "v2", ts: own.ts });
    expect(standIn.messages(channel)[0]).toMatchObject({ text: "v2", edited: { user: "U0BOT" } });

    const human = standIn.postUserMessage({ channel, user: "U0CSM", text: "hello bot" });
    expect(human).toMatchObject({ type: "message", user: "U0CSM", channel_type: "channel", team: HOME.id });
    expect(await slackError(client.chat.update({ channel, ts: human.ts, text: "hijack" }))).toBe(
      "cant_update_message",
    );
    expect(await slackError(client.chat.update({ channel, ts: "1.000001", text: "?" }))).toBe(
      "message_not_found",
    );
    expect(standIn.messages(channel).map((m) => m.text)).toEqual(["v2", "hello bot"]);
  });

  it("requires text or blocks and rejects oversized text", async () => {
    const channel = await createChannel();
    expect(await slackError(client.chat.postMessage({ channel, text: "" }))).toBe("no_text");
    expect(await slackError(client.chat.postMessage({ channel, text: "x".repeat(40_001) }))).toBe(
      "msg_too_long",
    );
    expect(await slackError(client.chat.postMessage({ channel: "C0MISSING", text: "x" }))).toBe(
      "channel_not_found",
    );
  });

  it("keeps ephemerals apart and pins messages", async () => {
    const channel = await createChannel();
    await client.conversations.invite({ channel, users: "U0CSM" });
    const ephemeral = await client.chat.postEphemeral({ channel, user: "U0CSM", text: "only you" });
    expect(standIn.ephemerals(channel)).toEqual([
      { channel, user: "U0CSM", ts: ephemeral.message_ts, text: "only you" },
    ]);
    expect(standIn.messages(channel)).toEqual([]);
    expect(await slackError(client.chat.postEphemeral({ channel, user: "U0SE", text: "x" }))).toBe(
      "user_not_in_channel",
    );

    const posted = await client.chat.postMessage({ channel, text: "Checklist" });
    await client.pins.add({ channel, timestamp: posted.ts ?? "" });
    expect(standIn.pins(channel)).toEqual([posted.ts]);
    expect(await slackError(client.pins.add({ channel, timestamp: posted.ts ?? "" }))).toBe("already_pinned");
    await client.pins.remove({ channel, timestamp: posted.ts ?? "" });
    expect(standIn.pins(channel)).toEqual([]);
    expect(await slackError(client.pins.remove({ channel, timestamp: posted.ts ?? "" }))).toBe("no_pin");
    expect(await slackError(client.pins.remove({ channel, timestamp: "1.000001" }))).toBe(
      "message_not_found",
    );
  });

  it("opens a DM when posting to a user id", async () => {
    const posted = await client.chat.postMessage({ channel: "U0CSM", text: "welcome" });
    expect(posted.channel).toMatch(/^D/);
    expect(standIn.channel(posted.channel ?? "")).toMatchObject({ isIm: true, members: ["U0BOT", "U0CSM"] });
  });
});

describe("Block Kit validation", () => {
  const section = (text: string, blockId?: string) => ({
    type: "section",
    ...(blockId ? { block_id: blockId } : {}),
    text: { type: "mrkdwn", text },
  });
  const option = (text: string, value: string) => ({ text: { type: "plain_text", text }, value });
  const checkboxes = (options: unknown[]) => ({
    type: "actions",
    elements: [{ type: "checkboxes", action_id: "steps", options }],
  });
  const button = (fields: Record<string, unknown>) => ({
    type: "actions",
    elements: [{ type: "button", action_id: "go", text: { type: "plain_text", text: "Go" }, ...fields }],
  });

  // Each refusal names what is wrong, in the words of Slack's reference, at its json-pointer.
  const cases: Array<[string, unknown[], string, string]> = [
    [
      "more than 50 blocks",
      Array.from({ length: 51 }, () => ({ type: "divider" })),
      "/blocks]",
      "no more than 50 items",
    ],
    [
      "duplicate block_id",
      [section("a", "same"), section("b", "same")],
      "/blocks/1/block_id]",
      "duplicate block_id",
    ],
    ["block_id over 255", [section("a", "b".repeat(256))], "/blocks/0/block_id]", "less than 256 characters"],
    [
      "header over 150",
      [{ type: "header", text: { type: "plain_text", text: "h".repeat(151) } }],
      "/blocks/0/text/text]",
      "less than 151 characters",
    ],
    ["section over 3000", [section("s".repeat(3001))], "/blocks/0/text/text]", "less than 3001 characters"],
    [
      "checkboxes with 11 options",
      [checkboxes(Array.from({ length: 11 }, (_, i) => option(`o${i}`, `v${i}`)))],
      "/blocks/0/elements/0/options]",
      "no more than 10 items",
    ],
    [
      "option text over 75",
      [checkboxes([option("t".repeat(76), "v")])],
      "/blocks/0/elements/0/options/0/text/text]",
      "less than 76 characters",
    ],
    [
      "option value over 150",
      [checkboxes([option("t", "v".repeat(151))])],
      "/blocks/0/elements/0/options/0/value]",
      "less than 151 characters",
    ],
    [
      "button text over 75",
      [button({ text: { type: "plain_text", text: "b".repeat(76) } })],
      "/blocks/0/elements/0/text/text]",
      "less than 76 characters",
    ],
    [
      "button url over 3000",
      [button({ url: `https://x.example/${"u".repeat(3000)}` })],
      "/blocks/0/elements/0/url]",
      "less than 3001 characters",
    ],
    [
      "action_id over 255",
      [button({ action_id: "a".repeat(256) })],
      "/blocks/0/elements/0/action_id]",
      "less than 256 characters",
    ],
    [
      "duplicate action_id in one actions block",
      [
        {
          type: "actions",
          elements: [
            { type: "button", action_id: "go", text: { type: "plain_text", text: "A" } },
            { type: "button", action_id: "go", text: { type: "plain_text", text: "B" } },
          ],
        },
      ],
      "/blocks/0/elements/1/action_id]",
      'duplicate action_id "go"',
    ],
    ["unknown block type", [{ type: "carousel" }], "/blocks/0/type]", "unsupported type: carousel"],
    [
      "input label over 2000",
      [
        {
          type: "input",
          label: { type: "plain_text", text: "l".repeat(2001) },
          element: { type: "plain_text_input" },
        },
      ],
      "/blocks/0/label/text]",
      "less than 2001 characters",
    ],
    [
      "an element that is not an object",
      [{ type: "actions", elements: ["go"] }],
      "/elements/0]",
      "must be an object",
    ],
    [
      "overflow with 6 options",
      [
        {
          type: "actions",
          elements: [
            {
              type: "overflow",
              action_id: "more",
              options: Array.from({ length: 6 }, (_, i) => option(`o${i}`, `v${i}`)),
            },
          ],
        },
      ],
      "/elements/0/options]",
      "no more than 5 items",
    ],
  ];

  it.each(cases)("rejects %s with invalid_blocks", async (_name, blocks, pointer, problem) => {
    const channel = await createChannel();
    const error = await platformError(
      client.chat.postMessage({ channel, text: "t", blocks: blocks as never }),
    );
    expect(error.data.error).toBe("invalid_blocks");
    const messages = error.data.response_metadata?.messages ?? [];
    expect(
      messages.some(
        (m) =>
          m.startsWith("[ERROR]") &&
          m.includes(problem) &&
          m.includes("[json-pointer:") &&
          m.endsWith(pointer),
      ),
    ).toBe(true);
  });

  it("accepts limits exactly and checks chat.update and chat.postEphemeral too", async () => {
    const channel = await createChannel();
    const atLimit = [
      { type: "header", text: { type: "plain_text", text: "h".repeat(150) } },
      section("s".repeat(3000), "b".repeat(255)),
      checkboxes(Array.from({ length: 10 }, (_, i) => option("t".repeat(75), `${i}${"v".repeat(140)}`))),
      ...Array.from({ length: 47 }, () => ({ type: "divider" })),
    ];
    const posted = await client.chat.postMessage({ channel, text: "t", blocks: atLimit as never });
    expect(posted.ok).toBe(true);
    const tooMany = Array.from({ length: 51 }, () => ({ type: "divider" }));
    const updateError = client.chat.update({ channel, ts: posted.ts ?? "", blocks: tooMany as never });
    expect(await slackError(updateError)).toBe("invalid_blocks");
    const ephemeralError = client.chat.postEphemeral({
      channel,
      user: "U0BOT",
      text: "t",
      blocks: [{ type: "carousel" }] as never,
    });
    expect(await slackError(ephemeralError)).toBe("invalid_blocks");
    expect(() => checkBlocks([{ type: "divider" }], 50)).not.toThrow();
  });
});

describe("Slack Connect", () => {
  it("enforces conversations.inviteShared's one-recipient rules", async () => {
    const channel = await createChannel();
    await client.conversations.invite({ channel, users: "U0CSM" });
    const invite = (args: Record<string, unknown>) =>
      client.conversations.inviteShared({ channel, ...args } as never);

    expect(await slackError(invite({ emails: ["a@acme.example"], user_ids: ["U0EXT"] }))).toBe(
      "invalid_arguments",
    );
    expect(await slackError(invite({}))).toBe("recipients_not_specified");
    expect(await slackError(invite({ emails: ["a@acme.example", "b@acme.example"] }))).toBe(
      "too_many_emails",
    );
    expect(await slackError(invite({ emails: ["not-an-email"] }))).toBe("invalid_email");
    expect(await slackError(invite({ emails: ["casey@fleet.example"] }))).toBe("already_in_channel");
    expect(await slackError(invite({ user_ids: ["U0NOBODY"] }))).toBe("user_not_found");

    const sent = await invite({ emails: ["dana@acme.example"] });
    expect(sent).toMatchObject({ ok: true, is_legacy_shared_channel: false });
    expect(sent.invite_id).toMatch(/^I/);
    expect(sent.url).toBeUndefined();
    expect(standIn.invites).toEqual([
      expect.objectContaining({
        id: sent.invite_id,
        email: "dana@acme.example",
        channelId: channel,
        status: "pending",
        externalLimited: true,
      }),
    ]);
    expect((await client.conversations.info({ channel })).channel?.is_pending_ext_shared).toBe(true);

    // One pending invitation per channel: the full-member one goes to another channel.
    const other = await createChannel("acme-full");
    const full = await client.conversations.inviteShared({
      channel: other,
      emails: ["ops@acme.example"],
      external_limited: false,
    });
    expect(full.url).toMatch(/^https:\/\/join\.slack\.com\//);
    expect(standIn.invites[1]?.externalLimited).toBe(false);
  });

  it("turns an accepted invite into the events Slack sends and a shared channel", async () => {
    const channel = await createChannel();
    const sent = await client.conversations.inviteShared({ channel, emails: ["dana@acme.example"] });
    const [accepted, approved, joined] = standIn.acceptSharedInvite(sent.invite_id ?? "", {
      userId: "U0EXT",
      teamId: ACME.id,
    });
    expect(accepted).toMatchObject({
      type: "shared_channel_invite_accepted",
      invite: { id: sent.invite_id, recipient_email: "dana@acme.example", inviting_team: { id: HOME.id } },
      accepting_user: { id: "U0EXT", team_id: ACME.id },
      channel: { id: channel, name: "acme-onboarding" },
    });
    expect(accepted.teams_in_channel.map((t) => t.id)).toEqual([HOME.id, ACME.id]);
    expect(approved).toMatchObject({ type: "shared_channel_invite_approved", approving_team_id: HOME.id });
    expect(joined).toMatchObject({ type: "member_joined_channel", user: "U0EXT", channel, team: ACME.id });

    expect(standIn.channel(channel)).toMatchObject({
      isExtShared: true,
      connectedTeamIds: [ACME.id],
      limitedTeamIds: [ACME.id],
    });
    const info = await client.conversations.info({ channel });
    expect(info.channel).toMatchObject({ is_ext_shared: true, connected_team_ids: [ACME.id] });
    expect((await client.users.info({ user: "U0EXT" })).user?.team_id).toBe(ACME.id);
    expect(standIn.invites[0]?.status).toBe("approved");
    expect(() =>
      standIn.acceptSharedInvite(sent.invite_id ?? "", { userId: "U0EXT", teamId: ACME.id }),
    ).toThrow(/already approved/);
  });

  it("lets invites expire after 14 days", async () => {
    let now = Date.UTC(2026, 0, 5);
    await standIn.stop();
    standIn = await SlackStandIn.start({
      scopes: ALL_SCOPES,
      botToken: TOKEN,
      homeTeam: HOME,
      botUserId: "U0BOT",
      botId: "B0BOT",
      now: () => now,
    });
    standIn.addTeam(ACME);
    client = webClient();
    const channel = await createChannel();
    const sent = await client.conversations.inviteShared({ channel, emails: ["dana@acme.example"] });
    now += 15 * 24 * 3600 * 1000;
    expect(() =>
      standIn.acceptSharedInvite(sent.invite_id ?? "", { userId: "U0EXT", teamId: ACME.id }),
    ).toThrow(/expired/);
  });
});

describe("views", () => {
  const home = (blocks: unknown[]) => ({ type: "home" as const, blocks: blocks as never });
  const modal = {
    type: "modal" as const,
    title: { type: "plain_text" as const, text: "Onboard" },
    blocks: [],
  };

  it("publishes App Home per user and validates its blocks", async () => {
    const published = await client.views.publish({ user_id: "U0CSM", view: home([{ type: "divider" }]) });
    expect(published.view).toMatchObject({ type: "home", team_id: HOME.id });
    expect(standIn.homeView("U0CSM")?.blocks).toEqual([{ type: "divider" }]);

    const republished = await client.views.publish({ user_id: "U0CSM", view: home([]) });
    expect(republished.view?.id).toBe(published.view?.id);
    const tooMany = home(Array.from({ length: 101 }, () => ({ type: "divider" })));
    expect(await slackError(client.views.publish({ user_id: "U0CSM", view: tooMany }))).toBe(
      "invalid_blocks",
    );
    const atLimit = home(Array.from({ length: 100 }, () => ({ type: "divider" })));
    expect((await client.views.publish({ user_id: "U0CSM", view: atLimit })).ok).toBe(true);
    expect(await slackError(client.views.publish({ user_id: "U0NOBODY", view: home([]) }))).toBe(
      "user_not_found",
    );
  });

  it("opens modals once per trigger_id", async () => {
    expect(await slackError(client.views.open({ view: modal } as never))).toBe("invalid_arguments");
    const opened = await client.views.open({
      trigger_id: "1.2.abc",
      view: { ...modal, callback_id: "onboard" },
    });
    expect(await slackError(client.views.open({ trigger_id: "1.2.abc", view: modal }))).toBe(
      "trigger_exchanged",
    );
    const viewId = opened.view?.id ?? "";
    expect(standIn.openedViews.map((v) => [v.via, v.callback_id, v.root_view_id])).toEqual([
      ["open", "onboard", viewId],
    ]);
  });
});

describe("files", () => {
  it("round-trips WebClient.filesUploadV2 into the channel", async () => {
    const channel = await createChannel();
    const result = await client.filesUploadV2({
      channel_id: channel,
      content: "name,status\nAcme,connected\n",
      filename: "verification.csv",
      title: "Verification report",
      initial_comment: "Here is the verification report",
    });
    expect(result.ok).toBe(true);
    expect(standIn.callsTo("files.getUploadURLExternal")).toHaveLength(1);
    expect(standIn.callsTo("files.completeUploadExternal")[0]?.args).toMatchObject({
      channel_id: channel,
      initial_comment: "Here is the verification report",
    });
    const [file] = standIn.files;
    expect(file).toMatchObject({ name: "verification.csv", title: "Verification report", completed: true });
    expect(file?.channels).toEqual([channel]);
    expect(file?.content?.toString("utf8")).toBe("name,status\nAcme,connected\n");
    const [message] = standIn.messages(channel);
    expect(message).toMatchObject({ text: "Here is the verification report", files: [{ id: file?.id }] });
  });
});

describe("rate limits and faults", () => {
  it("answers 429 beyond the per-channel burst; the WebClient waits Retry-After, then succeeds", async () => {
    const channel = await createChannel();
    const patient = webClient(TOKEN, 2);
    const started = Date.now();
    for (const text of ["1", "2", "3", "4"]) await patient.chat.postMessage({ channel, text });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(standIn.callsTo("chat.postMessage").map((c) => c.status)).toEqual([200, 200, 200, 429, 200]);
    expect(standIn.callsTo("chat.postMessage")[3]).toMatchObject({ ok: false, error: "ratelimited" });
    expect(standIn.messages(channel).map((m) => m.text)).toEqual(["1", "2", "3", "4"]);
  });

  it("sends the Retry-After header and body Slack sends", async () => {
    standIn.injectFault({ method: "conversations.list", retryAfterSeconds: 7 });
    const response = await fetch(`${standIn.url}conversations.list`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("7");
    expect(await response.json()).toEqual({ ok: false, error: "ratelimited" });
  });

  it("turns injected 5xx into WebClient HTTP errors, and Slack errors into platform errors", async () => {
    standIn.injectFault({ method: "auth.test", status: 503 });
    const failure = await client.auth.test().catch((error: WebAPIHTTPError) => error);
    expect(failure).toMatchObject({ code: ErrorCode.HTTPError, statusCode: 503 });
    expect((await client.auth.test()).ok).toBe(true);

    standIn.injectFault({ method: "conversations.inviteShared", error: "not_paid", times: 2 });
    const channel = await createChannel();
    const invite = () => client.conversations.inviteShared({ channel, emails: ["dana@acme.example"] });
    expect(await slackError(invite())).toBe("not_paid");
    expect(await slackError(invite())).toBe("not_paid");
    expect((await invite()).ok).toBe(true);
    expect(standIn.callsTo("auth.test").map((c) => c.status)).toEqual([503, 200]);
  });

  it("retries after a 500 when the client is configured to", async () => {
    standIn.injectFault({ method: "conversations.create", status: 500 });
    const created = await webClient(TOKEN, 1).conversations.create({ name: "retried" });
    expect(created.ok).toBe(true);
    expect(standIn.callsTo("conversations.create").map((c) => c.status)).toEqual([500, 200]);
  });

  describe("faults after the work (Slack did it, the answer was lost)", () => {
    it("posts, then answers 503 with Slack's HTML error page", async () => {
      const channel = await createChannel();
      standIn.injectFault({ method: "chat.postMessage", after: "5xx" });
      const raw = await fetch(`${standIn.url}chat.postMessage`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ channel, text: "once" }),
      });
      expect(raw.status).toBe(503);
      expect(raw.headers.get("content-type")).toContain("text/html");
      expect(await raw.text()).toContain("Server Error | Slack");
      expect(standIn.messages(channel).map((m) => m.text)).toEqual(["once"]);
    });

    it("makes a retrying client post twice on a 5xx: why non-idempotent calls are not retried blindly", async () => {
      const channel = await createChannel();
      standIn.injectFault({ method: "chat.postMessage", after: "5xx", status: 500 });
      await webClient(TOKEN, 1).chat.postMessage({ channel, text: "twice" });
      expect(standIn.messages(channel).map((m) => m.text)).toEqual(["twice", "twice"]);
    });

    it("creates the channel, then never answers: the client's timeout ends the call", async () => {
      standIn.injectFault({ method: "conversations.create", after: "timeout" });
      const impatient = new WebClient(TOKEN, {
        slackApiUrl: standIn.url,
        retryConfig: { retries: 0 },
        timeout: 200,
        logger: silentLogger,
      });
      const failure = await impatient.conversations
        .create({ name: "made-anyway", is_private: true })
        .catch((error: WebAPIRequestError) => error);
      expect(failure).toMatchObject({ code: ErrorCode.RequestError });
      const listed = await client.conversations.list({ types: "private_channel" });
      expect(listed.channels?.map((c) => c.name)).toContain("made-anyway");
    });

    it("sends the Slack Connect invitation, then drops the connection", async () => {
      const channel = await createChannel();
      standIn.injectFault({ method: "conversations.inviteShared", after: "drop" });
      const failure = await client.conversations
        .inviteShared({ channel, emails: ["dana@acme.example"] })
        .catch((error: WebAPIRequestError) => error);
      expect(failure).toMatchObject({ code: ErrorCode.RequestError });
      expect(standIn.invites.map((i) => i.email)).toEqual(["dana@acme.example"]);
    });

    it("completes the upload, then answers 502", async () => {
      const channel = await createChannel();
      standIn.injectFault({ method: "files.completeUploadExternal", after: "5xx", status: 502 });
      const failure = await client.files
        .uploadV2({ channel_id: channel, filename: "r.csv", file: Buffer.from("a,b\n") })
        .catch((error: WebAPIHTTPError) => error);
      expect(failure).toMatchObject({ code: ErrorCode.HTTPError, statusCode: 502 });
      expect(standIn.files[0]).toMatchObject({ name: "r.csv", completed: true });
    });

    it("refuses an `after` fault that would also refuse the work", () => {
      expect(() => standIn.injectFault({ method: "chat.postMessage", after: "5xx", error: "x" })).toThrow();
    });
  });

  it("delays answers and emits every call", async () => {
    const seen: string[] = [];
    standIn.events.on("call", (call) => seen.push(`${call.method}:${call.status}`));
    standIn.injectFault({ method: "auth.test", delayMs: 150 });
    const started = Date.now();
    await client.auth.test();
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    standIn.injectFault({ method: "*", error: "fatal_error" });
    standIn.clearFaults();
    await client.auth.test();
    expect(seen).toEqual(["auth.test:200", "auth.test:200"]);
  });
});
