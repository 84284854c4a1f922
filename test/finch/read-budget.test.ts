/**
 * Issue #21: the read budget follows Finch's documented latency. Before the first sync is done an automated
 * provider's reads are live fetches, "seconds to minutes" (the Finch stand-in answers them 200 after a delay);
 * a read within the budget proves the permission, one beyond it means "still syncing", never an error.
 * Timings are ratios of the stand-in's delay, not absolute.
 */
import Finch from "@tryfinch/finch-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { READ_BUDGETS, runChecks } from "../../src/finch/checks.ts";
import { FinchStandIn } from "../../src/sandbox/finch/index.ts";

const DELAY_MS = 300;
let standIn: FinchStandIn;

beforeAll(async () => {
  standIn = await FinchStandIn.start({ clientId: "cid", clientSecret: "secret" });
});
afterAll(async () => standIn?.stop());

/** A Justworks (automated) connection whose first sync is still running. */
async function firstSyncClient(): Promise<Finch> {
  const app = new Finch({ clientID: "cid", clientSecret: "secret", baseURL: standIn.url, maxRetries: 0 });
  const session = await app.connect.sessions.new({
    customer_id: `c-${Math.random()}`,
    customer_name: "Acme",
    products: ["company", "directory"],
    integration: { provider: "justworks", auth_method: "credential" },
  });
  const done = standIn.completeSession(session.session_id, { initialSync: { readDelayMs: DELAY_MS } });
  return new Finch({ accessToken: done.accessToken, baseURL: standIn.url, maxRetries: 0 });
}

const run = (client: Finch, timeoutMs: number) =>
  runChecks(client as never, new Set(["company", "directory"] as const), {
    now: new Date(),
    labelOf: (c) => c,
    firstSync: true,
    budget: { timeoutMs, maxRetries: 0 },
  });

describe("the read budget during an automated provider's first sync", () => {
  it("a live read within the budget proves the permission (200 after the delay, not a 202)", async () => {
    const started = performance.now();
    const result = await run(await firstSyncClient(), DELAY_MS * 10);
    expect(result.results.get("company")).toEqual({ result: "granted" });
    expect(result.results.get("directory")).toEqual({ result: "granted" });
    expect(performance.now() - started).toBeGreaterThanOrEqual(DELAY_MS * 2 * 0.9);
  });

  it("a live read beyond the budget means still syncing, not an error", async () => {
    const result = await run(await firstSyncClient(), DELAY_MS / 3);
    expect(result.results.get("company")).toEqual({ result: "syncing" });
    expect(result.abort).toBeUndefined();
  });

  it("allows minutes per live read and seconds per synced read, as Finch documents", () => {
    expect(READ_BUDGETS.firstSync.timeoutMs).toBeGreaterThanOrEqual(120_000);
    expect(READ_BUDGETS.firstSync.maxRetries).toBe(0);
    expect(READ_BUDGETS.synced.timeoutMs).toBeLessThanOrEqual(60_000);
    expect(READ_BUDGETS.firstSync.timeoutMs / READ_BUDGETS.synced.timeoutMs).toBeGreaterThanOrEqual(5);
  });
});
