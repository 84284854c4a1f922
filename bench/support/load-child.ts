/**
 * The load generator, in a process of its own (forked by bench/support/load.ts) so that its timers never
 * share an event loop with the stand-ins or the app it measures.
 *
 * Open loop: request i is due at `start + i / rate`, whatever happened to the requests before it. Its
 * acknowledgement latency is counted from that SCHEDULED time, not from when it actually left (no
 * coordinated omission: a stall in the generator or the target shows up in the latency), and the lateness
 * of every start (actual send − scheduled) is reported separately.
 *
 * Requests are signed here, at send time, exactly like Slack (`v0=` HMAC-SHA256 over `v0:{ts}:{body}`,
 * src/sandbox/slack-driver/signing.ts). Bodies come from the parent: checkbox ticks are the real
 * block_actions payloads the Slack driver builds from the checklist message (its full blocks included),
 * kept as form-encoded templates with placeholders for what changes per click; slash commands are Slack's
 * form fields. Messages: parent → {init}, {run}; child → {ready}, {done}.
 */
import { Agent, request } from "node:http";
import { performance } from "node:perf_hooks";
import { signSlackRequest } from "../../src/sandbox/slack-driver/signing.ts";
import {
  type DoneMessage,
  type ErrorSample,
  type InitMessage,
  PLACEHOLDER,
  type PlannedRequest,
  type RunMessage,
} from "./load-protocol.ts";

const epochNow = () => performance.timeOrigin + performance.now();
const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
let init: InitMessage | undefined;

function body(req: PlannedRequest, dueEpochMs: number): string {
  if (req.kind === "command") return new URLSearchParams(req.fields).toString();
  const template = init?.templates[req.template];
  if (!template) throw new Error(`no template ${req.template}`);
  return template
    .replaceAll(PLACEHOLDER.userId, req.userId)
    .replaceAll(PLACEHOLDER.userName, req.userId.toLowerCase())
    .replaceAll(PLACEHOLDER.triggerId, encodeURIComponent(req.triggerId))
    .replaceAll(PLACEHOLDER.responseUrl, encodeURIComponent(req.responseUrl))
    .replaceAll(PLACEHOLDER.actionTs, (dueEpochMs / 1000).toFixed(6));
}

/** What an answer other than 200 said: the first {@link MAX_ERROR_SAMPLES} per run are kept, for the report. */
const MAX_ERROR_SAMPLES = 5;
let errorSamples: ErrorSample[] = [];

function sampleError(index: number, status: number, detail: string): void {
  if (errorSamples.length < MAX_ERROR_SAMPLES)
    errorSamples.push({ index, status, detail: detail.slice(0, 300) });
}

/** POSTs a signed body; resolves with the HTTP status (0 on a network error or the timeout). */
function post(url: URL, raw: string, timeoutMs: number, index: number): Promise<number> {
  const ts = Math.floor(Date.now() / 1000);
  return new Promise((resolve) => {
    const req = request(
      url,
      {
        method: "POST",
        agent,
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          "content-length": Buffer.byteLength(raw),
          "user-agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
          "x-slack-request-timestamp": String(ts),
          "x-slack-signature": signSlackRequest(init?.signingSecret ?? "", raw, ts),
        },
        timeout: timeoutMs,
      },
      (res) => {
        const status = res.statusCode ?? 0;
        const chunks: Buffer[] = [];
        // Only a failed answer's body is kept (a 200's is the ack: empty or a command's answer).
        res.on("data", (chunk: Buffer) => {
          if (status !== 200) chunks.push(chunk);
        });
        res.on("end", () => {
          if (status !== 200) sampleError(index, status, Buffer.concat(chunks).toString("utf8"));
          resolve(status);
        });
        res.on("error", (err) => {
          sampleError(index, 0, `response: ${err.message}`);
          resolve(0);
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", (err) => {
      sampleError(index, 0, `request: ${err.message}`);
      resolve(0);
    });
    req.end(raw);
  });
}

async function run(msg: RunMessage): Promise<DoneMessage> {
  const url = new URL(init?.url ?? "");
  const interval = 1000 / msg.rate;
  const results: Array<[number, number, number]> = new Array(msg.requests.length);
  errorSamples = [];
  const pending: Promise<void>[] = [];
  // Start a little ahead so the first sends are not late because of this setup.
  const start = epochNow() + 200;
  let i = 0;
  while (i < msg.requests.length) {
    const now = epochNow();
    const due = start + i * interval;
    if (due - now > 1) {
      await new Promise((r) => setTimeout(r, due - now - 0.5));
      continue;
    }
    // Send everything that is due (a stall here is caught up at once, and its lateness recorded).
    while (i < msg.requests.length && start + i * interval <= epochNow() + 0.5) {
      const index = i++;
      const scheduled = start + index * interval;
      const req = msg.requests[index];
      if (!req) continue;
      const raw = body(req, scheduled);
      const late = Math.max(0, epochNow() - scheduled);
      pending.push(
        post(url, raw, msg.timeoutMs, index).then((status) => {
          results[index] = [late, epochNow() - scheduled, status];
        }),
      );
    }
  }
  await Promise.all(pending);
  return {
    type: "done",
    startEpochMs: start,
    endEpochMs: start + (msg.requests.length - 1) * interval,
    results,
    errorSamples,
  };
}

process.on("message", (raw: unknown) => {
  const msg = raw as InitMessage | RunMessage;
  if (msg.type === "init") {
    init = msg;
    process.send?.({ type: "ready" });
    return;
  }
  void run(msg).then((done) => process.send?.(done));
});
process.on("disconnect", () => process.exit(0));
