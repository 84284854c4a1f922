/**
 * A graceful stop drains: /healthz answers 503 at once (the load balancer takes the instance out), and the app
 * keeps answering requests for HTTP_DRAIN_MS before it closes its port.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config.ts";
import { type Harness, startHarness } from "../helpers/harness.ts";

describe("graceful stop with a drain period", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { HTTP_DRAIN_MS: "1500" } });
  });
  afterAll(async () => h?.stop());

  it("answers /healthz 503 first, keeps serving through the drain period, then closes", async () => {
    expect((await fetch(`${h.app.url}/healthz`)).status).toBe(200);
    const started = performance.now();
    const stopped = h.app.stop();
    let done = false;
    void stopped.then(() => {
      done = true;
    });
    const health = await fetch(`${h.app.url}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ status: "stopping" });
    // Still serving other routes (a new connection, as a request routed just before the balancer noticed).
    await new Promise((r) => setTimeout(r, 300));
    const during = await fetch(`${h.app.url}/connect/not-a-token`, { headers: { connection: "close" } });
    expect(during.status).toBeLessThan(500);
    await during.text();
    expect(done).toBe(false);
    await stopped;
    // The drain period was waited out (generous lower bound), and the port is closed afterwards.
    expect(performance.now() - started).toBeGreaterThan(1_000);
    await expect(fetch(`${h.app.url}/healthz`)).rejects.toThrow();
  });
});

describe("drain period setting", () => {
  it("is 5 s by default behind Slack's HTTP mode, none in the sandbox, and can be set", () => {
    const http = { SLACK_BOT_TOKEN: "xoxb-1", SLACK_SIGNING_SECRET: "s", NODE_ENV: "test" };
    const drainOf = (env: Record<string, string>) => {
      const parsed = parseConfig(env);
      return parsed.ok ? parsed.config.http.drainMs : parsed.problems.filter((p) => p.includes("DRAIN"));
    };
    expect(drainOf({})).toBe(0);
    expect(drainOf({ HTTP_DRAIN_MS: "2500" })).toBe(2500);
    expect(drainOf({ HTTP_DRAIN_MS: "-1" })).toHaveLength(1);
    const full = parseConfig({
      ...http,
      FINCH_CLIENT_ID: "x",
      FINCH_CLIENT_SECRET: "x",
      PUBLIC_URL: "https://fleet.example/",
      TOKEN_ENCRYPTION_KEY: Buffer.alloc(32).toString("base64"),
      INTEGRATION_USER_EMAIL: "int@fleet.example",
    });
    expect(full.ok && full.config.http.drainMs).toBe(5_000);
  });
});
