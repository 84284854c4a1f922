/**
 * The benchmark's load generator keeps its schedule while the target stalls (open loop, in its own process),
 * counts latency from the scheduled send (no coordinated omission), and signs like Slack; the completion
 * bookkeeping separates backlog, overtaken clicks and missing effects.
 */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGenerator } from "../../bench/support/load.ts";
import type { PlannedRequest } from "../../bench/support/load-protocol.ts";
import { finishRow, type RawRun } from "../../bench/support/measure.ts";
import { signSlackRequest } from "../../src/sandbox/slack-driver/index.ts";

const SECRET = "test-secret";
const received: Array<{ at: number; signed: boolean }> = [];
let server: ReturnType<typeof createServer>;
let url = "";

async function read(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

beforeAll(async () => {
  server = createServer((req, res) => {
    void read(req).then((body) => {
      const ts = Number(req.headers["x-slack-request-timestamp"]);
      received.push({
        at: Date.now(),
        signed: req.headers["x-slack-signature"] === signSlackRequest(SECRET, body, ts),
      });
      // A command whose text says so is refused, as a failing app would answer it.
      if (body.includes("refuse")) {
        res.statusCode = 500;
        res.end("the delivery could not be stored");
        return;
      }
      res.end("");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe("bench load generator", () => {
  it("keeps sending on schedule while the target's event loop is blocked, and counts from the schedule", async () => {
    const gen = await startGenerator(url, SECRET, {});
    const requests: PlannedRequest[] = Array.from({ length: 60 }, (_, i) => ({
      kind: "command",
      fields: { command: "/fleet", text: `status ${i}` },
    }));
    const running = gen.run(100, requests);
    // Block this process (the target) for 400 ms shortly after the run starts (it starts 200 ms ahead).
    await new Promise((r) => setTimeout(r, 250));
    const until = Date.now() + 400;
    while (Date.now() < until) {
      // busy: the server cannot answer, the generator (another process) keeps sending
    }
    const done = await running;
    gen.stop();
    expect(done.results).toHaveLength(60);
    expect(received.every((r) => r.signed)).toBe(true);
    // A closed-loop generator would have sent a handful of requests during the stall; this one sent all
    // that were due (~40 at 100/s), and each carries the stall in its latency from the scheduled time.
    const stalled = done.results.filter(([, ack]) => ack > 150);
    expect(stalled.length).toBeGreaterThanOrEqual(20);
    expect(Math.max(...done.results.map(([, ack]) => ack))).toBeGreaterThan(250);
    expect(done.results.every(([, , status]) => status === 200)).toBe(true);
  });

  it("keeps what the first failed answers said (status and body)", async () => {
    const gen = await startGenerator(url, SECRET, {});
    const requests: PlannedRequest[] = Array.from({ length: 10 }, (_, i) => ({
      kind: "command",
      fields: { command: "/fleet", text: i % 3 === 1 ? `refuse ${i}` : `status ${i}` },
    }));
    const done = await gen.run(100, requests);
    gen.stop();
    expect(done.results.filter(([, , status]) => status === 500)).toHaveLength(3);
    expect([...done.errorSamples].sort((a, b) => a.index - b.index)).toEqual(
      [1, 4, 7].map((index) => ({ index, status: 500, detail: "the delivery could not be stored" })),
    );
  });

  it("separates backlog at the end, overtaken clicks and missing effects", () => {
    const raw: RawRun = {
      row: {} as RawRun["row"],
      done: { type: "done", startEpochMs: 1_000, endEpochMs: 1_030, results: [], errorSamples: [] },
      interval: 10,
      meta: [
        { kind: "tick", userId: "UA", slot: "0:x", checked: true }, // overtaken by UC
        { kind: "command", responseUrl: "http://h/commands/T/1/a" }, // answered after the end
        { kind: "tick", userId: "UC", slot: "0:x", checked: false }, // row only
        { kind: "tick", userId: "UD", slot: "1:x", checked: true }, // never applied
      ],
      updateAt: new Map(),
      answerAt: new Map([[1, 1_100]]),
    };
    finishRow(raw, new Map([["UC", 1_025]]));
    const c = raw.row.completion;
    expect(c?.superseded).toBe(1);
    expect(c?.missing).toBe(1);
    expect(c?.missingUpdates).toBe(1);
    expect(c?.backlogAtEnd).toBe(2); // the late answer and the missing tick
    expect(c?.drainMs).toBe(70);
    expect(c?.answer.max).toBe(90); // 1100 − (1000 + 1 × 10)
  });
});
