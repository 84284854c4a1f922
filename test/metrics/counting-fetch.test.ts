/** The counting fetch wrappers: bounded labels (Slack method, Finch path template) and outcomes incl. 429. */
import { describe, expect, it, vi } from "vitest";
import {
  finchCountingFetch,
  finchMethodOf,
  slackCountingFetch,
  slackMethodOf,
} from "../../src/metrics/counting-fetch.ts";
import { finchCalls, slackCalls } from "../../src/metrics/instruments.ts";

const count = async (counter: typeof slackCalls, labels: Record<string, string>) =>
  (await counter.get()).values.find((v) =>
    Object.entries(labels).every(([k, x]) => (v.labels as Record<string, unknown>)[k] === x),
  )?.value ?? 0;

describe("counting fetch", () => {
  it("names Slack methods and Finch path templates without ids", () => {
    expect(slackMethodOf("http://127.0.0.1:9/api/chat.postMessage")).toBe("chat.postMessage");
    expect(slackMethodOf("http://127.0.0.1:9/api/../../etc")).toBe("unknown");
    expect(finchMethodOf("https://api.tryfinch.com/employer/directory?limit=5")).toBe(
      "GET /employer/directory",
    );
    expect(
      finchMethodOf("https://x/jobs/automated/5f1c2a9e-1d2b-4c3d-9e8f-0a1b2c3d4e5f", { method: "post" }),
    ).toBe("POST /jobs/automated/:id");
  });

  it("counts Slack outcomes: ok, error, rate_limited, network_error", async () => {
    const answers = [
      new Response(JSON.stringify({ ok: true }), { status: 200 }),
      new Response(JSON.stringify({ ok: false, error: "channel_not_found" }), { status: 200 }),
      new Response("", { status: 429, headers: { "retry-after": "1" } }),
    ];
    const fetch = slackCountingFetch(async () => {
      const next = answers.shift();
      if (!next) throw new TypeError("fetch failed");
      return next;
    });
    const url = "http://127.0.0.1:9/api/conversations.info";
    const before = {
      ok: await count(slackCalls, { method: "conversations.info", outcome: "ok" }),
      error: await count(slackCalls, { method: "conversations.info", outcome: "error" }),
      limited: await count(slackCalls, { method: "conversations.info", outcome: "rate_limited" }),
      net: await count(slackCalls, { method: "conversations.info", outcome: "network_error" }),
    };
    const first = await fetch(url);
    expect(await first.json()).toEqual({ ok: true }); // the body is still readable by the client
    await fetch(url);
    expect((await fetch(url)).status).toBe(429);
    await expect(fetch(url)).rejects.toThrow("fetch failed");
    expect(await count(slackCalls, { method: "conversations.info", outcome: "ok" })).toBe(before.ok + 1);
    expect(await count(slackCalls, { method: "conversations.info", outcome: "error" })).toBe(
      before.error + 1,
    );
    expect(await count(slackCalls, { method: "conversations.info", outcome: "rate_limited" })).toBe(
      before.limited + 1,
    );
    expect(await count(slackCalls, { method: "conversations.info", outcome: "network_error" })).toBe(
      before.net + 1,
    );
  });

  it("reads a Slack answer's body once: no clone, the client still reads text or JSON", async () => {
    const answers = [
      new Response('{"ok":true,"channel":"C1"}', { status: 200 }),
      new Response('{"channel":"C1","ok":false,"error":"x"}', { status: 200 }), // ok not first: parsed
      new Response("<html>", { status: 200 }),
    ];
    const clones = answers.map((r) => vi.spyOn(r, "clone"));
    const fetch = slackCountingFetch(async () => answers.shift() as Response);
    const url = "http://127.0.0.1:9/api/chat.update";
    const before = {
      ok: await count(slackCalls, { method: "chat.update", outcome: "ok" }),
      error: await count(slackCalls, { method: "chat.update", outcome: "error" }),
      unreadable: await count(slackCalls, { method: "chat.update", outcome: "unreadable" }),
    };
    const first = await fetch(url);
    expect(await first.text()).toBe('{"ok":true,"channel":"C1"}'); // what @slack/web-api reads
    expect(first.status).toBe(200);
    expect(await (await fetch(url)).json()).toEqual({ channel: "C1", ok: false, error: "x" });
    expect(new TextDecoder().decode(await (await fetch(url)).arrayBuffer())).toBe("<html>");
    for (const clone of clones) expect(clone).not.toHaveBeenCalled();
    expect(await count(slackCalls, { method: "chat.update", outcome: "ok" })).toBe(before.ok + 1);
    expect(await count(slackCalls, { method: "chat.update", outcome: "error" })).toBe(before.error + 1);
    expect(await count(slackCalls, { method: "chat.update", outcome: "unreadable" })).toBe(
      before.unreadable + 1,
    );
  });

  it("counts Finch outcomes by status class", async () => {
    const statuses = [200, 429, 401, 503];
    const fetch = finchCountingFetch(async () => new Response("{}", { status: statuses.shift() ?? 200 }));
    for (let i = 0; i < 4; i++) await fetch("https://x/introspect");
    for (const outcome of ["ok", "rate_limited", "client_error", "server_error"]) {
      expect(await count(finchCalls, { method: "GET /introspect", outcome })).toBe(1);
    }
  });
});
