/**
 * `POST /finch/webhooks` over real HTTP: only correctly signed, fresh deliveries change anything; each
 * event id is handled once; the SDK's own test vector passes; no secret configured → refused with a reason.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { buildAccountUpdatedEvent, signFinchWebhook } from "../../src/sandbox/finch/index.ts";
import { connect, nthVerification, onboard, verifications } from "../finch/helpers.ts";
import { eventually, type Harness, startHarness } from "../helpers/harness.ts";

// The SDK's own test vector (finch-api-node tests/api-resources/webhooks.test.ts).
const VECTOR = {
  secret: "5WbX5kEWLlfzsGNjH64I8lOOqUB6e8FH",
  timestamp: 1676312382,
  id: "msg_2Lh9KRb0pzN4LePd3XiA4v12Axj",
  body: `{"company_id":"720be419-0293-4d32-a707-32179b0827ab"}`,
  signature: "v1,m7y0TV2C+hlHxU42wCieApTSTaA8/047OAplBqxIV/s=",
};

async function post(h: Harness, body: string, headers: Record<string, string>) {
  const res = await fetch(`${h.app.url}/finch/webhooks`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
  return { status: res.status, text: await res.text() };
}

describe("Finch webhooks", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h?.stop());
  const deliveries = () =>
    h.db.prisma.intakeDelivery.count({ where: { key: { startsWith: "finch-event:" } } });
  const now = () => Math.floor(Date.now() / 1000);

  it("refuses tampered bodies, wrong secrets, missing headers and timestamps more than 5 minutes off", async () => {
    const o = await onboard(h);
    const { connectionId } = await connect(h, o, { status: "pending" });
    await nthVerification(h, o, 1);
    h.finch.setConnection(connectionId, { status: "connected" });
    const body = JSON.stringify(buildAccountUpdatedEvent(h.finch.connection(connectionId)!, "connected"));
    const before = await deliveries();
    const sign = (overrides: { secret?: string; timestamp?: number; id?: string } = {}) =>
      signFinchWebhook({
        secret: overrides.secret ?? h.secrets.finchWebhookSecret,
        id: overrides.id ?? `msg_${Math.random().toString(36).slice(2)}`,
        timestamp: overrides.timestamp ?? now(),
        body,
      });

    expect((await post(h, body.replace("connected", "reauth"), sign())).status).toBe(400);
    expect((await post(h, body, sign({ secret: Buffer.alloc(24, 7).toString("base64") }))).status).toBe(400);
    const { "finch-signature": _, ...unsigned } = sign();
    expect((await post(h, body, unsigned)).status).toBe(400);
    for (const offset of [-301, 301, -3600, 3600]) {
      expect((await post(h, body, sign({ timestamp: now() + offset }))).status, `offset ${offset}`).toBe(400);
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(await deliveries()).toBe(before);
    expect(verifications(h, o)).toHaveLength(1);

    // Within the tolerance it is accepted, and handled exactly once per event id.
    const fresh = sign({ timestamp: now() - 290, id: "msg_once" });
    expect((await post(h, body, fresh)).status).toBe(200);
    const duplicate = await post(h, body, fresh);
    expect(duplicate.status).toBe(200);
    expect(duplicate.text).toContain("duplicate");
    const second = await nthVerification(h, o, 2);
    expect(second.metadata?.event_payload).toMatchObject({ outcome: "verified" });
    await new Promise((r) => setTimeout(r, 300));
    expect(verifications(h, o)).toHaveLength(2);
    expect(await deliveries()).toBe(before + 1);
  });

  it("acknowledges events for unknown connections and ignores them", async () => {
    const body = JSON.stringify({
      account_id: "a",
      company_id: "c",
      connection_id: "no-such-connection",
      event_type: "account.updated",
      data: { status: "reauth", authentication_method: { type: "credential" } },
    });
    const res = await post(
      h,
      body,
      signFinchWebhook({ secret: h.secrets.finchWebhookSecret, id: "msg_unknown", timestamp: now(), body }),
    );
    expect(res.status).toBe(200);
  });

  it("refuses bodies over 1 MB with 413", async () => {
    const big = JSON.stringify({ pad: "x".repeat(1024 * 1024 + 10) });
    const res = await post(
      h,
      big,
      signFinchWebhook({ secret: h.secrets.finchWebhookSecret, id: "msg_big", timestamp: now(), body: big }),
    );
    expect(res.status).toBe(413);
  });
});

describe("Finch webhooks with the SDK's test vector", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { FINCH_WEBHOOK_SECRET: VECTOR.secret } });
  });
  afterAll(async () => h?.stop());
  afterEach(() => {
    vi.useRealTimers();
  });

  it("accepts the vector at its own time and refuses it now (stale)", async () => {
    const headers = {
      "finch-event-id": VECTOR.id,
      "finch-timestamp": String(VECTOR.timestamp),
      "finch-signature": VECTOR.signature,
    };
    expect((await post(h, VECTOR.body, headers)).status).toBe(400);
    // Only Date is faked (timers and I/O keep running): the SDK's ±5 minutes check reads Date.now().
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date((VECTOR.timestamp + 60) * 1000));
    const res = await post(h, VECTOR.body, headers);
    expect(res.status).toBe(200);
    vi.useRealTimers();
    await eventually(
      async () =>
        (await h.db.prisma.intakeDelivery.count({ where: { key: `finch-event:${VECTOR.id}` } })) === 1,
      5_000,
      "the vector's delivery claimed",
    );
  });
});

describe("Finch webhooks without a secret (and Connect in Finch's sandbox)", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { FINCH_WEBHOOK_SECRET: "", FINCH_SANDBOX: "finch" } });
  });

  it("creates Connect sessions in Finch's sandbox when FINCH_SANDBOX is set", async () => {
    const o = await onboard(h);
    await connect(h, o);
    expect(h.finch.connection(o.id)).toMatchObject({ clientType: "sandbox", connectionType: "finch" });
  });
  afterAll(async () => h?.stop());

  it("answers 503 with the reason, and changes nothing", async () => {
    const res = await post(h, VECTOR.body, {
      "finch-event-id": VECTOR.id,
      "finch-timestamp": String(VECTOR.timestamp),
      "finch-signature": VECTOR.signature,
    });
    expect(res.status).toBe(503);
    expect(res.text).toContain("FINCH_WEBHOOK_SECRET is unset");
    expect(await h.db.prisma.intakeDelivery.count({ where: { key: { startsWith: "finch-event:" } } })).toBe(
      0,
    );
  });
});
