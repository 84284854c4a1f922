import { createHmac } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { App, type BlockAction, verifySlackRequest } from "@slack/bolt";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { manifestBotScopes, SlackStandIn } from "../../../src/sandbox/slack/index.ts";
import { SlackDriver, signSlackRequest } from "../../../src/sandbox/slack-driver/index.ts";
import { silentLogger } from "../../helpers/fixtures.ts";

const SECRET = "sandbox-signing-secret";
const HOME = { id: "T0HOME", name: "Fleet", domain: "fleet" };
const ACME = { id: "T0ACME", name: "Acme Corp", domain: "acme" };
const TEAMS = { [HOME.id]: { domain: HOME.domain }, [ACME.id]: { domain: ACME.domain } };

interface Captured {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A bare HTTP endpoint standing in for the app: records what the driver sends. */
class Capture {
  readonly requests: Captured[] = [];
  answer: { status: number; body: string; contentType: string } = { status: 200, body: "", contentType: "" };
  private server: Server | undefined;
  url = "";

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        this.requests.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
        res.writeHead(
          this.answer.status,
          this.answer.contentType ? { "content-type": this.answer.contentType } : {},
        );
        res.end(this.answer.body);
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/slack/events`;
  }

  last(): Captured {
    const last = this.requests.at(-1);
    if (!last) throw new Error("no request captured");
    return last;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

function formFields(body: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(body));
}

function payloadOf(body: string): Record<string, unknown> {
  return JSON.parse(formFields(body).payload ?? "{}") as Record<string, unknown>;
}

/** Verifies like Bolt does, and recomputes the HMAC independently. */
function expectSignedBySlack(request: Captured): void {
  const timestamp = Number(request.headers["x-slack-request-timestamp"]);
  const signature = String(request.headers["x-slack-signature"]);
  verifySlackRequest({
    signingSecret: SECRET,
    body: request.body,
    headers: { "x-slack-signature": signature, "x-slack-request-timestamp": timestamp },
  });
  const expected = createHmac("sha256", SECRET).update(`v0:${timestamp}:${request.body}`).digest("hex");
  expect(signature).toBe(`v0=${expected}`);
}

describe("signSlackRequest", () => {
  it("matches the example in Slack's 'Verifying requests from Slack' guide", () => {
    const body =
      "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V" +
      "&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=" +
      "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554" +
      "%2F96rGlfmibIGlgcZRskXaIFfN" +
      "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    expect(signSlackRequest("8f742231b10e8888abcd99yyyzzz85a5", body, 1531420618)).toBe(
      "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
    );
  });
});

describe("SlackDriver against a recording endpoint", () => {
  let capture: Capture;
  let driver: SlackDriver;

  beforeEach(async () => {
    capture = new Capture();
    await capture.start();
    driver = await new SlackDriver({ url: capture.url, signingSecret: SECRET, teams: TEAMS }).start();
  });

  afterEach(async () => {
    await driver.stop();
    await capture.stop();
  });

  it("posts a slash command with every field Slack sends, signed", async () => {
    const result = await driver.command({
      text: "onboard Acme Corp",
      userId: "U0CSM",
      userName: "casey",
      teamId: HOME.id,
      channelId: "C0CSM",
      channelName: "csm-team",
    });
    const request = capture.last();
    expectSignedBySlack(request);
    expect(request.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(request.body).toContain("command=%2Ffleet");
    expect(formFields(request.body)).toEqual({
      token: expect.any(String),
      team_id: HOME.id,
      team_domain: "fleet",
      channel_id: "C0CSM",
      channel_name: "csm-team",
      user_id: "U0CSM",
      user_name: "casey",
      command: "/fleet",
      text: "onboard Acme Corp",
      api_app_id: "A0FLEETAPP",
      is_enterprise_install: "false",
      response_url: result.responseUrl,
      trigger_id: result.triggerId,
    });
    expect(result.responseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/commands\/T0HOME\//);
    expect(result.triggerId).toMatch(/^\d+\.\d+\.[0-9a-f]{32}$/);
    expect(result).toMatchObject({ status: 200, body: "" });
    expect(result.ms).toBeGreaterThanOrEqual(0);
  });

  it("adds retry headers and honours a timestamp override", async () => {
    await driver.event(
      { type: "app_mention" },
      { teamId: HOME.id },
      { retryNum: 2, retryReason: "timeout", timestampSec: 1_700_000_000 },
    );
    const request = capture.last();
    expect(request.headers).toMatchObject({
      "x-slack-retry-num": "2",
      "x-slack-retry-reason": "timeout",
      "x-slack-request-timestamp": "1700000000",
    });
    const signature = signSlackRequest(SECRET, request.body, 1_700_000_000);
    expect(request.headers["x-slack-signature"]).toBe(signature);
  });

  it("builds a block_actions payload from the clicked message", async () => {
    const message = {
      ts: "1700000000.000100",
      text: "Checklist",
      user: "U0BOT",
      bot_id: "B0BOT",
      blocks: [
        {
          type: "actions",
          block_id: "steps_v2",
          elements: [
            {
              type: "checkboxes",
              action_id: "step_toggle",
              options: [
                { text: { type: "mrkdwn", text: "*Connect HR*" }, value: "connect_hr" },
                { text: { type: "mrkdwn", text: "*Verify*" }, value: "verify" },
              ],
            },
            {
              type: "button",
              action_id: "confirm",
              text: { type: "plain_text", text: "Confirm" },
              value: "ob_1",
            },
          ],
        },
      ],
    };
    const result = await driver.blockActions({
      user: { id: "U0EXT", teamId: ACME.id, name: "dana" },
      channelId: "C0SHARED",
      channelName: "acme-onboarding",
      message,
      actions: [
        { action_id: "confirm" },
        { action_id: "step_toggle", selected_options: [{ value: "verify" }] },
      ],
    });
    const request = capture.last();
    expectSignedBySlack(request);
    const payload = payloadOf(request.body) as unknown as BlockAction;
    expect(payload).toMatchObject({
      type: "block_actions",
      user: { id: "U0EXT", username: "dana", name: "dana", team_id: ACME.id },
      team: { id: ACME.id, domain: "acme" },
      api_app_id: "A0FLEETAPP",
      container: { type: "message", message_ts: message.ts, channel_id: "C0SHARED", is_ephemeral: false },
      channel: { id: "C0SHARED", name: "acme-onboarding" },
      message: { type: "message", ts: message.ts, text: "Checklist" },
      response_url: result.responseUrl,
      trigger_id: result.triggerId,
      is_enterprise_install: false,
      state: { values: {} },
    });
    expect((payload as unknown as Record<string, unknown>).enterprise).toBeNull();
    expect(payload.actions[0]).toMatchObject({
      type: "button",
      action_id: "confirm",
      block_id: "steps_v2",
      value: "ob_1",
      text: { type: "plain_text", text: "Confirm" },
      action_ts: expect.stringMatching(/^\d+\.\d{6}$/),
    });
    expect(payload.actions[1]).toMatchObject({
      type: "checkboxes",
      block_id: "steps_v2",
      selected_options: [{ text: { type: "mrkdwn", text: "*Verify*" }, value: "verify" }],
    });
  });

  it("sends view interactions without a response_url", async () => {
    await driver.blockActions({
      user: { id: "U0CSM", teamId: HOME.id },
      view: { id: "V0HOME", type: "home", blocks: [] },
      actions: [{ action_id: "refresh", block_id: "home_actions" }],
    });
    const payload = payloadOf(capture.last().body);
    expect(payload.container).toEqual({ type: "view", view_id: "V0HOME" });
    expect(payload.view).toMatchObject({ id: "V0HOME", type: "home", team_id: HOME.id });
    expect(payload.response_url).toBeUndefined();
    expect(() =>
      driver.blockActionsPayload({ user: { id: "U0CSM", teamId: HOME.id }, actions: [{ action_id: "x" }] }),
    ).toThrow(/needs a view/);
  });

  it("sends view submissions with state values and parses the JSON answer", async () => {
    capture.answer = {
      status: 200,
      contentType: "application/json",
      body: JSON.stringify({ response_action: "errors", errors: { customer: "Required" } }),
    };
    const result = await driver.viewSubmission({
      user: { id: "U0CSM", teamId: HOME.id, name: "casey" },
      view: {
        id: "V0MODAL",
        callback_id: "onboard_modal",
        private_metadata: "ob_1",
        state: { values: { customer: { name: { type: "plain_text_input", value: "" } } } },
      },
    });
    expect(result.body).toEqual({ response_action: "errors", errors: { customer: "Required" } });
    const payload = payloadOf(capture.last().body);
    expect(payload).toMatchObject({
      type: "view_submission",
      team: { id: HOME.id, domain: "fleet" },
      user: { id: "U0CSM", name: "casey", team_id: HOME.id },
      view: {
        id: "V0MODAL",
        type: "modal",
        callback_id: "onboard_modal",
        private_metadata: "ob_1",
        root_view_id: "V0MODAL",
        state: { values: { customer: { name: { type: "plain_text_input", value: "" } } } },
      },
      response_urls: [],
    });
  });

  it("wraps events in an event_callback envelope", async () => {
    const event = { type: "member_joined_channel", user: "U0EXT", channel: "C0SHARED", event_ts: "1.000001" };
    const result = await driver.event(event, { teamId: HOME.id, isExtSharedChannel: true });
    const request = capture.last();
    expectSignedBySlack(request);
    expect(request.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(request.body)).toMatchObject({
      token: expect.any(String),
      team_id: HOME.id,
      api_app_id: "A0FLEETAPP",
      event,
      type: "event_callback",
      event_id: result.eventId,
      event_time: expect.any(Number),
      authorizations: [{ team_id: HOME.id, user_id: "U0FLEETBOT", is_bot: true, enterprise_id: null }],
      is_ext_shared_channel: true,
      event_context: expect.stringMatching(/^4-/),
    });
    await driver.event(event, { teamId: HOME.id, eventId: result.eventId }, { retryNum: 1 });
    expect(JSON.parse(capture.last().body).event_id).toBe(result.eventId);
  });

  it("sends raw requests with forged or missing signatures", async () => {
    await driver.raw({
      body: "a=1",
      contentType: "application/x-www-form-urlencoded",
      signature: "v0=forged",
    });
    expect(capture.last().headers["x-slack-signature"]).toBe("v0=forged");
    await driver.raw({
      body: "{}",
      contentType: "application/json",
      signature: null,
      headers: { "x-extra": "1" },
    });
    expect(capture.last().headers["x-slack-signature"]).toBeUndefined();
    expect(capture.last().headers["x-extra"]).toBe("1");
    await driver.raw({ body: "{}", contentType: "application/json", timestampSec: 42 });
    expect(capture.last().headers).toMatchObject({
      "x-slack-request-timestamp": "42",
      "x-slack-signature": signSlackRequest(SECRET, "{}", 42),
    });
  });

  it("records what the app posts to response_url links", async () => {
    const { responseUrl } = await driver.command({
      text: "",
      userId: "U0CSM",
      teamId: HOME.id,
      channelId: "C0",
    });
    const waiting = driver.waitForResponse(responseUrl, 2000, 2);
    const first = await fetch(responseUrl, {
      method: "POST",
      body: JSON.stringify({ text: "working on it" }),
    });
    expect(await first.json()).toEqual({ ok: true });
    await fetch(responseUrl, {
      method: "POST",
      body: JSON.stringify({ text: "done", replace_original: true }),
    });
    expect(await waiting).toEqual({ text: "done", replace_original: true });
    expect(driver.responses(responseUrl)).toEqual([
      { text: "working on it" },
      { text: "done", replace_original: true },
    ]);
    expect(await driver.waitForResponse(responseUrl)).toEqual({ text: "working on it" });
    await expect(driver.waitForResponse(responseUrl, 50, 3)).rejects.toThrow(/no response #3/);

    const unknown = new URL(responseUrl);
    unknown.pathname = "/commands/T0HOME/1/nope";
    expect((await fetch(unknown, { method: "POST", body: "{}" })).status).toBe(404);
  });

  it("refuses a response_url after 5 uses (used_url) and after 30 minutes (expired_url), on its clock", async () => {
    let now = Date.parse("2026-12-07T10:00:00Z");
    const timed = await new SlackDriver({
      url: capture.url,
      signingSecret: SECRET,
      teams: TEAMS,
      responseUrlNow: () => now,
    }).start();
    try {
      const post = (url: string, text: string) =>
        fetch(url, { method: "POST", body: JSON.stringify({ text }) });
      const used = (await timed.command({ text: "", userId: "U0CSM", teamId: HOME.id, channelId: "C0" }))
        .responseUrl;
      for (let i = 1; i <= 5; i++) expect((await post(used, `answer ${i}`)).status).toBe(200);
      const sixth = await post(used, "answer 6");
      expect(sixth.status).toBe(404);
      expect(await sixth.text()).toBe("used_url");
      expect(timed.responses(used)).toHaveLength(5);

      const late = (await timed.command({ text: "", userId: "U0CSM", teamId: HOME.id, channelId: "C0" }))
        .responseUrl;
      now += 30 * 60_000;
      expect((await post(late, "just in time")).status).toBe(200);
      now += 1_000;
      const expired = await post(late, "too late");
      expect(expired.status).toBe(404);
      expect(await expired.text()).toBe("expired_url");
      expect(timed.responses(late)).toEqual([{ text: "just in time" }]);
    } finally {
      await timed.stop();
    }
  });
});

describe("SlackDriver and SlackStandIn with a real Bolt app", () => {
  const TOKEN = "xoxb-bolt-test";
  let standIn: SlackStandIn;
  let driver: SlackDriver;
  let app: App;

  beforeEach(async () => {
    standIn = await SlackStandIn.start({
      scopes: manifestBotScopes(),
      botToken: TOKEN,
      homeTeam: HOME,
      botUserId: "U0BOT",
      botId: "B0BOT",
    });
    standIn.addTeam(ACME);
    standIn.addUser({ id: "U0CSM", teamId: HOME.id, name: "casey", email: "casey@fleet.example" });
    app = new App({
      token: TOKEN,
      signingSecret: SECRET,
      logger: silentLogger,
      clientOptions: { slackApiUrl: standIn.url, retryConfig: { retries: 0 }, logger: silentLogger },
    });
    const server = await app.start({ port: 0, host: "127.0.0.1" });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
    driver = await new SlackDriver({ url, signingSecret: SECRET, teams: TEAMS, botUserId: "U0BOT" }).start();
  });

  afterEach(async () => {
    await app.stop();
    await driver.stop();
    await standIn.stop();
  });

  it("runs a command, a button click from an external user and an event end to end", async () => {
    app.command("/fleet", async ({ ack, respond, client, command }) => {
      await ack();
      const created = await client.conversations.create({ name: command.text, is_private: true });
      const channel = created.channel?.id ?? "";
      await client.conversations.invite({ channel, users: command.user_id });
      await client.chat.postMessage({
        channel,
        text: "Checklist",
        blocks: [
          {
            type: "actions",
            block_id: "actions",
            elements: [
              { type: "button", action_id: "confirm", text: { type: "plain_text", text: "Confirm" } },
            ],
          },
        ],
      });
      await respond({ text: `created <#${channel}>` });
    });
    const clicks: BlockAction[] = [];
    app.action<BlockAction>("confirm", async ({ ack, body, client, respond }) => {
      await ack();
      clicks.push(body);
      const ts = body.message?.ts ?? "";
      await client.chat.update({ channel: body.channel?.id ?? "", ts, text: `confirmed by ${body.user.id}` });
      await respond({ text: "thanks", replace_original: false });
    });
    const joined: string[] = [];
    app.event("member_joined_channel", async ({ event }) => {
      joined.push(`${event.user}@${event.team}`);
    });

    const command = await driver.command({
      text: "acme-onboarding",
      userId: "U0CSM",
      teamId: HOME.id,
      channelId: "C0",
    });
    expect(command.status).toBe(200);
    const confirmation = (await driver.waitForResponse(command.responseUrl)) as { text: string };
    const channel = standIn.channelByName("acme-onboarding");
    expect(confirmation.text).toBe(`created <#${channel?.id}>`);

    const invite = await app.client.conversations.inviteShared({
      channel: channel?.id ?? "",
      emails: ["dana@acme.example"],
    });
    const events = standIn.acceptSharedInvite(invite.invite_id ?? "", { userId: "U0EXT", teamId: ACME.id });
    for (const event of events) {
      expect((await driver.event(event, { teamId: HOME.id, isExtSharedChannel: true })).status).toBe(200);
    }
    await expect.poll(() => joined).toEqual([`U0EXT@${ACME.id}`]);

    // Shared for the first time, the private channel has a new id (channel_id_changed).
    const shared = standIn.channelByName("acme-onboarding");
    expect(shared?.id).not.toBe(channel?.id);
    const [message] = standIn.messages(shared?.id ?? "");
    const click = await driver.blockActions({
      user: { id: "U0EXT", teamId: ACME.id, name: "dana" },
      channelId: shared?.id ?? "",
      message: message ?? { ts: "" },
      actions: [{ action_id: "confirm" }],
    });
    expect(click.status).toBe(200);
    expect(await driver.waitForResponse(click.responseUrl)).toEqual({
      text: "thanks",
      replace_original: false,
    });
    expect(clicks[0]?.user.team_id).toBe(ACME.id);
    expect(standIn.messages(shared?.id ?? "")[0]?.text).toBe("confirmed by U0EXT");
  });

  it("is rejected by Bolt when the signature is wrong or the timestamp is stale", async () => {
    const body = JSON.stringify({ type: "event_callback", event: { type: "app_mention" } });
    expect((await driver.raw({ body, contentType: "application/json", signature: "v0=bad" })).status).toBe(
      401,
    );
    const stale = Math.floor(Date.now() / 1000) - 600;
    expect((await driver.raw({ body, contentType: "application/json", timestampSec: stale })).status).toBe(
      401,
    );
    const challenge = await driver.urlVerification("abc123");
    expect(challenge).toMatchObject({ status: 200, body: { challenge: "abc123" } });
  });
});

describe("SlackDriver over Socket Mode", () => {
  type Delivery = Parameters<
    NonNullable<ConstructorParameters<typeof SlackDriver>[0]["socketMode"]>["deliver"]
  >[0];
  const sent: Delivery[] = [];
  let acked = true;
  const driver = new SlackDriver({
    url: "http://127.0.0.1:9/unused",
    signingSecret: SECRET,
    teams: TEAMS,
    socketMode: {
      deliver: async (input) => {
        sent.push(input);
        return acked ? { acked: true, payload: { text: `ack of ${input.type}` } } : { acked: false };
      },
    },
  });
  beforeEach(async () => {
    sent.length = 0;
    acked = true;
    await driver.start();
  });
  afterEach(async () => driver.stop());

  it("sends the same payloads as envelopes and reads the ack as the answer", async () => {
    expect(driver.transport).toBe("socket");
    const command = await driver.command({ text: "help", userId: "U1", teamId: HOME.id, channelId: "C1" });
    expect(command).toMatchObject({ status: 200, body: { text: "ack of slash_commands" } });
    expect(sent[0]).toMatchObject({
      type: "slash_commands",
      acceptsResponsePayload: true,
      payload: { command: "/fleet", text: "help", team_domain: "fleet", response_url: command.responseUrl },
    });
    await driver.event({ type: "app_mention", text: "hi" }, { teamId: HOME.id }, { retryNum: 1 });
    expect(sent[1]).toMatchObject({
      type: "events_api",
      acceptsResponsePayload: false,
      retryAttempt: 1,
      retryReason: "timeout",
      payload: { type: "event_callback", event: { type: "app_mention" } },
    });
    await driver.viewSubmission({
      user: { id: "U1", teamId: HOME.id },
      view: { callback_id: "cb", state: { values: {} } },
    });
    expect(sent[2]).toMatchObject({
      type: "interactive",
      acceptsResponsePayload: true,
      payload: { type: "view_submission" },
    });
    acked = false;
    const unacked = await driver.blockActions({
      user: { id: "U1", teamId: HOME.id },
      channelId: "C1",
      message: { ts: "1.000001", text: "", blocks: [] },
      actions: [{ action_id: "go" }],
    });
    expect(unacked.status).toBe(0);
    expect(sent[3]).toMatchObject({ type: "interactive", acceptsResponsePayload: false });
  });

  it("has no request URL for raw requests or the URL check", async () => {
    await expect(driver.urlVerification("c")).rejects.toThrow(/Socket Mode/);
    await expect(driver.raw({ body: "", contentType: "text/plain" })).rejects.toThrow(/Socket Mode/);
  });
});
