/**
 * Fuzzing the Slack ingress: thousands of generated slash-command texts and malformed interactivity
 * payloads get a clear 4xx or an ephemeral answer — never a crash, never a write.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, HOME_TEAM, REP, startHarness } from "../helpers/harness.ts";

async function writes(h: Harness) {
  const [customers, ticks, steps] = await Promise.all([
    h.db.prisma.customer.count(),
    h.db.prisma.tick.count(),
    h.db.prisma.stepState.count(),
  ]);
  return { customers, ticks, steps };
}

describe("fuzzing the Slack ingress", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h?.stop());

  it("thousands of generated /fleet texts: every answer is a 200 with an ephemeral message, and nothing is written", async () => {
    const before = await writes(h);
    // Texts that look like commands but are always invalid (no HR email can be valid without "@x.y").
    const junk = fc
      .oneof(
        fc.string({ maxLength: 200 }),
        fc.string({ unit: "grapheme", maxLength: 200 }),
        fc.string({ unit: "binary", maxLength: 300 }),
        fc
          .array(
            fc.constantFrom(
              "onboard",
              "hr=",
              "call=",
              "tz=",
              "provider=",
              "<@",
              ">",
              '"',
              "=",
              "status",
              "zz",
            ),
            { maxLength: 10 },
          )
          .map((p) => p.join(" ")),
        fc.string({ minLength: 2000, maxLength: 6000 }),
      )
      .filter(
        (t) => !/^\s*(onboard\s*$|help|status|history|link|verify|done|owner|disconnect|call)/i.test(t),
      );
    const samples = fc.sample(junk, { numRuns: 1500, seed: 42 });
    let i = 0;
    const worker = async () => {
      while (i < samples.length) {
        const text = samples[i++] ?? "";
        const res = await h.driver.command({
          text,
          userId: REP.id,
          teamId: HOME_TEAM.id,
          channelId: "C0FUZZ",
        });
        expect(res.status).toBe(200);
        const body = res.body as { response_type?: string; text?: string } | string;
        if (typeof body === "object" && body) {
          expect(body.response_type).toBe("ephemeral");
          expect(body.text?.length).toBeGreaterThan(0);
        }
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    expect(await writes(h)).toEqual(before);
    expect(h.slack.callsTo("conversations.create")).toHaveLength(0);
    expect((await fetch(`${h.app.url}/healthz`)).status).toBe(200);
  }, 120_000);

  it("malformed interactivity payloads: bad JSON, missing fields, huge values, wrong types → 4xx or ignored, never a crash or a write", async () => {
    const before = await writes(h);
    const payloads: string[] = [
      "payload={not json",
      "payload=",
      "payload=null",
      "payload=42",
      "payload=%5B%5D",
      `payload=${encodeURIComponent(JSON.stringify({ type: "block_actions" }))}`,
      `payload=${encodeURIComponent(JSON.stringify({ type: "block_actions", actions: "x", user: 5 }))}`,
      `payload=${encodeURIComponent(JSON.stringify({ type: "block_actions", user: { id: "U1" }, actions: [{ action_id: "tick:add-user" }] }))}`,
      `payload=${encodeURIComponent(JSON.stringify({ type: "block_actions", user: { id: REP.id, team_id: HOME_TEAM.id }, container: { channel_id: "C404", message_ts: "1.1" }, actions: [{ action_id: "tick:add-user", selected_options: [{ value: "x".repeat(100_000) }] }] }))}`,
      `payload=${encodeURIComponent(JSON.stringify({ type: "view_submission", view: { callback_id: "onboard_modal", state: { values: { company: 3 } } }, user: { id: REP.id } }))}`,
      `payload=${encodeURIComponent(JSON.stringify({ type: "view_submission", view: null }))}`,
      `payload=${encodeURIComponent(JSON.stringify({ type: "unknown_type", user: {} }))}`,
    ];
    const generated = fc
      .sample(
        fc.record({
          type: fc.constantFrom("block_actions", "view_submission", "shortcut", "message_action", "x"),
          user: fc.oneof(
            fc.constant(undefined),
            fc.record({ id: fc.string(), team_id: fc.string() }),
            fc.string(),
          ),
          actions: fc.oneof(
            fc.constant(undefined),
            fc.array(
              fc.record({
                action_id: fc.oneof(fc.constant("tick:add-user"), fc.constant("home_page:next"), fc.string()),
                value: fc.string(),
                action_ts: fc.string(),
              }),
              { maxLength: 3 },
            ),
          ),
          container: fc.oneof(
            fc.constant(undefined),
            fc.record({ channel_id: fc.string(), message_ts: fc.string() }),
          ),
          view: fc.oneof(
            fc.constant(undefined),
            fc.record({
              callback_id: fc.constantFrom("onboard_modal", "x"),
              state: fc.record({ values: fc.object() }),
            }),
          ),
          trigger_id: fc.string(),
        }),
        { numRuns: 800, seed: 7 },
      )
      .map((p) => `payload=${encodeURIComponent(JSON.stringify(p))}`);
    for (const body of [...payloads, ...generated]) {
      const res = await h.driver.raw({ body, contentType: "application/x-www-form-urlencoded" });
      expect(res.status, body.slice(0, 80)).toBeLessThan(500);
    }
    for (const body of [
      "{",
      "[]",
      '{"type":"event_callback"}',
      '{"type":"event_callback","event":{"type":"app_home_opened"}}',
      "null",
    ]) {
      const res = await h.driver.raw({ body, contentType: "application/json" });
      expect(res.status, body).toBeLessThan(500);
    }
    expect(await writes(h)).toEqual(before);
    expect((await fetch(`${h.app.url}/healthz`)).status).toBe(200);
    expect(h.logs.some((l) => l.includes('"level":"fatal"'))).toBe(false);
  }, 120_000);
});
