/**
 * The sandbox page's server side without a browser: the page is one self-contained response locked down by
 * its Content-Security-Policy, each person sees only their own channels and private answers, changes are
 * pushed over Server-Sent Events, and the API refuses cross-site requests and bad input.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config.ts";
import { createLogger } from "../../src/logger.ts";
import { type RunningSandbox, SANDBOX, startSandbox } from "../../src/sandbox/sandbox-mode.ts";
import { freePort } from "../../src/sandbox/support/free-port.ts";
import { eventually } from "../helpers/harness.ts";

interface PageState {
  me: { id: string } | null;
  channels: Array<{ id: string; name: string; messages: Array<{ text: string }> }>;
  notes: Array<{ text: string; userId: string }>;
  onboardings: Array<{ id: string; company: string }>;
}

describe("sandbox routes", () => {
  let sandbox: RunningSandbox;
  let dataDir: string;
  const api = (path: string, init?: RequestInit) => fetch(`${sandbox.url}${path}`, init);
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    api(path, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });
  const stateOf = async (as: string) =>
    (await (await api(`/sandbox/api/state?as=${as}`)).json()) as PageState;

  beforeAll(async () => {
    const port = await freePort();
    dataDir = mkdtempSync(join(tmpdir(), "fc-sbx-routes-"));
    const parsed = parseConfig({
      PORT: String(port),
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      LOG_LEVEL: "silent",
    });
    if (!parsed.ok) throw new Error(parsed.problems.join("; "));
    sandbox = await startSandbox(parsed.config, createLogger({ level: "silent" }));
  });

  afterAll(async () => {
    await sandbox?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("serves one self-contained page whose only script and style are pinned by hash", async () => {
    const res = await api("/sandbox");
    expect(res.status).toBe(200);
    const csp = res.headers.get("content-security-policy") ?? "";
    const html = await res.text();
    const script = /<script>([\s\S]*)<\/script>/.exec(html)?.[1] ?? "";
    const style = /<style>([\s\S]*)<\/style>/.exec(html)?.[1] ?? "";
    const hash = (text: string) => `'sha256-${createHash("sha256").update(text).digest("base64")}'`;
    expect(csp).toContain(`script-src ${hash(script)}`);
    expect(csp).toContain(`style-src ${hash(style)}`);
    expect(csp).toContain("default-src 'none'");
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+stylesheet|https?:\/\/(?!127\.0\.0\.1|localhost)/);
    // The renderer never hands workspace data to the HTML parser.
    expect(script).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/);
  });

  it("pushes changes over Server-Sent Events and shows each person only their own channels and answers", async () => {
    const events = await api("/sandbox/api/events");
    expect(events.headers.get("content-type")).toContain("text/event-stream");
    const reader = (events.body as ReadableStream<Uint8Array>).getReader();
    let received = "";
    const changed = (async () => {
      while (!received.includes("event: change")) {
        const { value, done } = await reader.read();
        if (done) break;
        received += new TextDecoder().decode(value);
      }
    })();

    const general = sandbox.slackStandIn.channelByName("general");
    const res = await post("/sandbox/api/command", {
      as: SANDBOX.rep.id,
      channelId: general?.id,
      text: "onboard Acme Corp hr=jane@acme.example",
    });
    expect(res.status).toBe(200);
    await changed;
    expect(received).toContain("retry: 1000");
    await reader.cancel();

    const rita = await eventually(async () => {
      const s = await stateOf(SANDBOX.rep.id);
      return s.notes.some((n) => n.text.includes("is set up")) &&
        s.channels.some((c) => c.name === "fleet-acme-corp")
        ? s
        : null;
    }, 15_000);
    expect(rita.notes.every((n) => n.userId === SANDBOX.rep.id)).toBe(true);
    expect(rita.onboardings.map((o) => o.company)).toEqual(["Acme Corp"]);

    const jane = await eventually(async () => {
      const s = await stateOf(SANDBOX.hrAdmin.id);
      return s.channels.length > 0 ? s : null;
    }, 10_000);
    expect(jane.channels.map((c) => c.name)).toEqual(["fleet-acme-corp"]);
    expect(jane.notes).toEqual([]);
  });

  it("refuses cross-site requests, unknown people and malformed input", async () => {
    const cross = await post("/sandbox/api/command", { text: "help" }, { origin: "https://evil.example" });
    expect(cross.status).toBe(403);
    expect((await api("/sandbox/api/state?as=U0NOBODY")).status).toBe(400);
    expect((await api("/sandbox/api/state?as=<script>")).status).toBe(400);
    const notMember = await post("/sandbox/api/message", {
      as: SANDBOX.hrAdmin.id,
      channelId: sandbox.slackStandIn.channelByName("general")?.id,
      text: "hi",
    });
    expect(notMember.status).toBe(403);
    const bad = await post("/sandbox/api/action", { as: SANDBOX.rep.id, container: { kind: "nope" } });
    expect(bad.status).toBe(400);
    const notJson = await api("/sandbox/api/clock/reminder", { method: "POST", body: "{" });
    expect(notJson.status).toBe(400);
  });
});
