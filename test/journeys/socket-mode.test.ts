/**
 * The onboarding journey in Socket Mode: the app gets SLACK_APP_TOKEN, Bolt's SocketModeReceiver opens a
 * WebSocket through apps.connections.open on the Slack stand-in, and the driver sends the same commands,
 * clicks and events as envelopes on that socket instead of signed HTTP requests.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, type Harness, HOME_TEAM, REP, startHarness } from "../helpers/harness.ts";
import { onboardAgainResumes, onboardAndTickEverything } from "./onboarding-journey.ts";

describe("onboarding journey in Socket Mode", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ transport: "socket" });
  });
  afterAll(async () => h?.stop());

  it("the app connects with its app-level token and nothing reaches it over HTTP", async () => {
    expect(h.config.mode).toBe("socket");
    expect(h.driver.transport).toBe("socket");
    expect(h.slack.socketMode.connectionCount).toBe(1);
    const opens = h.slack.callsTo("apps.connections.open");
    expect(opens).toHaveLength(1);
    expect(opens[0]?.ok).toBe(true);
    // Socket Mode has no request URL: Bolt's HTTP endpoint is not mounted.
    const res = await fetch(`${h.app.url}/slack/events`, { method: "POST", body: "{}" });
    expect(res.status).toBe(404);
  });

  it("onboard → channel, invites, pinned checklist → HR ticks everything → 100% and the rep is told", async () => {
    const envelopesBefore = h.slack.socketMode.acks.length;
    await onboardAndTickEverything(h);
    // Every command, click and event went over the socket and was acked there.
    const acks = h.slack.socketMode.acks.slice(envelopesBefore);
    expect(acks.length).toBeGreaterThanOrEqual(9);
    expect(acks.every((a) => a.known)).toBe(true);
  });

  it("running the same command again resumes and never creates a second channel or checklist", async () => {
    await onboardAgainResumes(h);
  });

  it("after Slack asks for a refresh the app reconnects through a new apps.connections.open", async () => {
    const opens = h.slack.callsTo("apps.connections.open").length;
    const hellos = h.slack.socketMode.helloCount;
    expect(h.slack.socketMode.requestRefresh()).toBe(1);
    // @slack/socket-mode waits clientPingTimeout (5 s) before it reconnects.
    await eventually(() => h.slack.socketMode.helloCount > hellos, 15_000, "a new hello");
    expect(h.slack.callsTo("apps.connections.open")).toHaveLength(opens + 1);
    await h.slack.socketMode.waitForConnections(1);
    const res = await h.driver.command({
      text: "help",
      userId: REP.id,
      teamId: HOME_TEAM.id,
      channelId: "C0SALES",
    });
    expect(res.status).toBe(200);
  });

  it("keeps the app-level token and the WebSocket URL's tickets out of the logs", () => {
    const token = h.secrets.appToken;
    expect(token).toMatch(/^xapp-/);
    expect(h.logs.some((line) => line.includes(token!))).toBe(false);
    // The WebClient logs apps.connections.open's answer at debug level: its URL is there, its ticket is not.
    const urlLines = h.logs.filter((line) => line.includes("/link/?ticket="));
    expect(urlLines.length).toBeGreaterThan(0);
    expect(urlLines.every((line) => line.includes("ticket=[redacted]"))).toBe(true);
  });
});
