import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signSlackRequest } from "../../src/sandbox/slack-driver/index.ts";
import { type Harness, HOME_TEAM, REP, startHarness } from "../helpers/harness.ts";

describe("Slack ingress over real HTTP", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h?.stop());

  const help =
    "text=help&command=%2Ffleet&user_id=U0REP&team_id=T0FLEET&channel_id=C1&trigger_id=t1&response_url=http%3A%2F%2F127.0.0.1%3A1%2Fx";
  const nowSec = () => Math.floor(Date.now() / 1000);
  const auditCount = () => h.db.prisma.intakeDelivery.count();

  it("acknowledges a correctly signed slash command with the help text", async () => {
    const res = await h.driver.command({
      text: "help",
      userId: REP.id,
      teamId: HOME_TEAM.id,
      channelId: "C0GENERAL",
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ response_type: "ephemeral" });
    expect(JSON.stringify(res.body)).toContain("/fleet onboard");
  });

  it("rejects a forged signature with 401 and changes nothing", async () => {
    const before = await auditCount();
    const res = await h.driver.raw({
      body: help,
      contentType: "application/x-www-form-urlencoded",
      signature: signSlackRequest("not-the-secret", help, nowSec()),
    });
    expect(res.status).toBe(401);
    expect(await auditCount()).toBe(before);
  });

  it("rejects a missing signature and a wrong signature version", async () => {
    expect(
      (await h.driver.raw({ body: help, contentType: "application/x-www-form-urlencoded", signature: null }))
        .status,
    ).toBe(401);
    const v1 = signSlackRequest(h.secrets.signingSecret, help, nowSec()).replace("v0=", "v1=");
    expect(
      (await h.driver.raw({ body: help, contentType: "application/x-www-form-urlencoded", signature: v1 }))
        .status,
    ).toBe(401);
  });

  it("rejects timestamps more than 300 s in the past or in the future, accepts 299 s", async () => {
    for (const offset of [-301, 301, -3600, 3600]) {
      const ts = nowSec() + offset;
      const res = await h.driver.raw({
        body: help,
        contentType: "application/x-www-form-urlencoded",
        timestampSec: ts,
        signature: signSlackRequest(h.secrets.signingSecret, help, ts),
      });
      expect(res.status, `offset ${offset}`).toBe(401);
    }
    for (const offset of [-299, 299]) {
      const ts = nowSec() + offset;
      const res = await h.driver.raw({
        body: help,
        contentType: "application/x-www-form-urlencoded",
        timestampSec: ts,
      });
      expect(res.status, `offset ${offset}`).toBe(200);
    }
  });

  it("rejects a body changed after signing", async () => {
    const ts = nowSec();
    const signature = signSlackRequest(h.secrets.signingSecret, help, ts);
    const tampered = help.replace("U0REP", "U0EVE");
    const res = await h.driver.raw({
      body: tampered,
      contentType: "application/x-www-form-urlencoded",
      timestampSec: ts,
      signature,
    });
    expect(res.status).toBe(401);
  });

  it("rejects bodies over 1 MB with 413, declared or streamed", async () => {
    const big = `text=${"a".repeat(1024 * 1024 + 10)}`;
    const res = await h.driver.raw({ body: big, contentType: "application/x-www-form-urlencoded" });
    expect(res.status).toBe(413);
    // Chunked, without a Content-Length: Bolt's body limit catches it.
    const ts = nowSec();
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(big));
        controller.close();
      },
    });
    const streamed = await fetch(`${h.app.url}/slack/events`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-slack-request-timestamp": String(ts),
        "x-slack-signature": signSlackRequest(h.secrets.signingSecret, big, ts),
      },
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(streamed.status).toBe(413);
  });

  it("answers ssl_check and url_verification", async () => {
    const ssl = await h.driver.raw({
      body: "ssl_check=1&token=x",
      contentType: "application/x-www-form-urlencoded",
      signature: null,
    });
    expect(ssl.status).toBe(200);
    const challenge = await h.driver.urlVerification("abc123");
    expect(challenge.body).toEqual({ challenge: "abc123" });
  });

  it("serves /healthz with the database state", async () => {
    const res = await fetch(`${h.app.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok", database: "pglite" });
    expect((await fetch(`${h.app.url}/nope`)).status).toBe(404);
  });
});
