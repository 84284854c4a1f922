/**
 * The Socket Mode stand-in speaks the documented protocol: a raw WebSocket client (undici's, the one
 * @slack/socket-mode uses) and Slack's own SocketModeClient talk to it.
 */

import { SocketModeClient } from "@slack/socket-mode";
import { ErrorCode, type WebAPIPlatformError, WebClient } from "@slack/web-api";
import { WebSocket } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { manifestBotScopes, newAppToken, SlackStandIn } from "../../../src/sandbox/slack/index.ts";
import { silentLogger } from "../../helpers/fixtures.ts";

const BOT_TOKEN = "xoxb-socket-test";
const APP_ID = "A0SOCKET";
const APP_TOKEN = newAppToken(APP_ID);

let standIn: SlackStandIn;
const sockets: WebSocket[] = [];

beforeEach(async () => {
  standIn = await SlackStandIn.start({
    botToken: BOT_TOKEN,
    appToken: APP_TOKEN,
    appId: APP_ID,
    homeTeam: { id: "T0HOME", name: "Fleet", domain: "fleet" },
    botUserId: "U0BOT",
    botId: "B0BOT",
    scopes: manifestBotScopes(),
    socketMode: { ackTimeoutMs: 300, retryDelaysMs: [0, 20] },
  });
});
afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.close();
  await standIn.stop();
});

/** apps.connections.open through the real WebClient, the app-level token in the Authorization header. */
async function openUrl(token = APP_TOKEN): Promise<string> {
  const client = new WebClient(undefined, {
    slackApiUrl: standIn.url,
    headers: { Authorization: `Bearer ${token}` },
    retryConfig: { retries: 0 },
    logger: silentLogger,
  });
  const res = await client.apps.connections.open({});
  return String(res.url);
}

async function slackError(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (error) {
    if ((error as WebAPIPlatformError).code === ErrorCode.PlatformError) {
      return (error as WebAPIPlatformError).data.error;
    }
    throw error;
  }
  throw new Error("expected the call to fail");
}

/** A raw client that queues every message it receives. */
function connect(url: string) {
  const ws = new WebSocket(url);
  sockets.push(ws);
  const queue: Array<Record<string, unknown>> = [];
  const waiting: Array<(m: Record<string, unknown>) => void> = [];
  ws.addEventListener("message", (event) => {
    const message = JSON.parse(String(event.data)) as Record<string, unknown>;
    const next = waiting.shift();
    if (next) next(message);
    else queue.push(message);
  });
  return {
    ws,
    next(timeoutMs = 2_000): Promise<Record<string, unknown>> {
      const queued = queue.shift();
      if (queued) return Promise.resolve(queued);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("no message")), timeoutMs);
        waiting.push((m) => {
          clearTimeout(timer);
          resolve(m);
        });
      });
    },
    ack(envelopeId: unknown, payload?: Record<string, unknown>) {
      ws.send(JSON.stringify({ envelope_id: envelopeId, ...(payload ? { payload } : {}) }));
    },
  };
}

describe("Socket Mode stand-in", () => {
  it("apps.connections.open gives a one-time URL whose socket says hello", async () => {
    const url = await openUrl();
    expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/link\/\?ticket=[\w-]+&app_id=A0SOCKET$/);
    const client = connect(url);
    const hello = await client.next();
    expect(hello).toMatchObject({
      type: "hello",
      num_connections: 1,
      connection_info: { app_id: APP_ID },
      debug_info: { host: expect.any(String), approximate_connection_time: expect.any(Number) },
    });
    expect(standIn.socketMode.connectionCount).toBe(1);

    // The same URL cannot be used twice.
    const again = new WebSocket(url);
    sockets.push(again);
    const outcome = await new Promise<string>((resolve) => {
      again.addEventListener("open", () => resolve("open"));
      again.addEventListener("error", () => resolve("refused"));
    });
    expect(outcome).toBe("refused");
    expect(standIn.socketMode.connectionCount).toBe(1);
  });

  it("refuses a bot token, a wrong app token and a token sent as a POST parameter", async () => {
    expect(await slackError(openUrl(BOT_TOKEN))).toBe("not_allowed_token_type");
    expect(await slackError(openUrl(newAppToken(APP_ID)))).toBe("invalid_auth");
    // The method page: the token goes in the Authorization header; as a POST parameter it is an error.
    const bodyOnly = await fetch(`${standIn.url}apps.connections.open`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: APP_TOKEN }).toString(),
    });
    expect(await bodyOnly.json()).toEqual({ ok: false, error: "missing_args" });
    // And the app-level token is no bot token: other methods refuse it.
    const asBot = new WebClient(APP_TOKEN, {
      slackApiUrl: standIn.url,
      retryConfig: { retries: 0 },
      logger: silentLogger,
    });
    expect(await slackError(asBot.auth.test())).toBe("invalid_auth");
    expect(standIn.socketMode.helloCount).toBe(0);
  });

  it("delivers an envelope and hands back the ack's payload; acks for unknown envelopes are ignored", async () => {
    const client = connect(await openUrl());
    await client.next();
    const delivery = standIn.socketMode.deliver({
      type: "slash_commands",
      payload: { command: "/fleet", text: "help" },
      acceptsResponsePayload: true,
    });
    const envelope = await client.next();
    expect(envelope).toMatchObject({
      type: "slash_commands",
      payload: { command: "/fleet", text: "help" },
      accepts_response_payload: true,
      envelope_id: expect.any(String),
    });
    expect(envelope).not.toHaveProperty("retry_attempt");
    client.ack("not-an-envelope", { text: "stray" });
    client.ack(envelope.envelope_id, { text: "Here is how to use /fleet" });
    const result = await delivery;
    expect(result.acked).toBe(true);
    expect(result.payload).toEqual({ text: "Here is how to use /fleet" });
    expect(result.envelopes).toHaveLength(1);
    expect(standIn.socketMode.acks.map((a) => a.known)).toEqual([false, true]);
  });

  it("redelivers an unacked Events API envelope with retry_attempt, and gives up after the last retry", async () => {
    const client = connect(await openUrl());
    await client.next();
    const event = { type: "event_callback", event: { type: "member_joined_channel" } };
    const delivery = standIn.socketMode.deliver({ type: "events_api", payload: event });
    const first = await client.next();
    expect(first).toMatchObject({ type: "events_api", retry_attempt: 0, retry_reason: "" });
    // Not acked: the same envelope comes back after the ack timeout.
    const second = await client.next();
    expect(second).toMatchObject({
      envelope_id: first.envelope_id,
      retry_attempt: 1,
      retry_reason: "timeout",
      payload: event,
    });
    client.ack(second.envelope_id);
    const result = await delivery;
    expect(result).toMatchObject({ acked: true });
    expect(result.envelopes.map((e) => e.retry_attempt)).toEqual([0, 1]);

    const never = await standIn.socketMode.deliver({ type: "events_api", payload: event });
    expect(never.acked).toBe(false);
    expect(never.envelopes.map((e) => e.retry_attempt)).toEqual([0, 1, 2]);
    // Interactions are not retried: one envelope, then the user would see an error.
    const click = await standIn.socketMode.deliver({
      type: "interactive",
      payload: { type: "block_actions" },
    });
    expect(click).toMatchObject({ acked: false });
    expect(click.envelopes).toHaveLength(1);
  });

  it("disconnect refresh_requested makes Slack's SocketModeClient open a new URL and reconnect", async () => {
    const client = new SocketModeClient({
      appToken: APP_TOKEN,
      clientOptions: { slackApiUrl: standIn.url, retryConfig: { retries: 0 } },
      clientPingTimeout: 100,
      logger: silentLogger,
    });
    const received: string[] = [];
    client.on("slash_commands", async ({ ack, body }) => {
      received.push(String((body as { text?: string }).text));
      await ack({ text: "ok" });
    });
    await client.start();
    expect(standIn.socketMode.helloCount).toBe(1);
    const raw = connect(await openUrl());
    const rawHello = await raw.next();
    expect(rawHello.num_connections).toBe(2);

    expect(standIn.socketMode.requestRefresh()).toBe(2);
    expect(await raw.next()).toMatchObject({ type: "disconnect", reason: "refresh_requested" });
    raw.ws.close();
    await new Promise((r) => setTimeout(r, 50));
    await standIn.socketMode.waitForConnections(1, 5_000);
    expect(standIn.socketMode.helloCount).toBe(3);
    expect(standIn.callsTo("apps.connections.open")).toHaveLength(3);
    const after = await standIn.socketMode.deliver({
      type: "slash_commands",
      payload: { text: "after refresh" },
      acceptsResponsePayload: true,
    });
    expect(after).toMatchObject({ acked: true, payload: { text: "ok" } });
    expect(received).toEqual(["after refresh"]);
    await client.disconnect();
    expect(standIn.socketMode.connectionCount).toBe(0);
  });
});
