import { readFileSync } from "node:fs";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, prettyTransport, scrubSecrets, wantsPrettyLogs } from "../src/logger.ts";
import { toSlackLogger } from "../src/slack-gateway/slack-logger.ts";
import { importsOf } from "./architecture/import-rules.ts";

function capture() {
  const lines: string[] = [];
  const logger = createLogger(
    { level: "debug" },
    new Writable({
      write(chunk, _e, done) {
        lines.push(String(chunk));
        done();
      },
    }),
  );
  return { logger, lines };
}

describe("logging", () => {
  it("redacts tokens, secrets, codes and signature headers in structured fields", () => {
    const { logger, lines } = capture();
    logger.info(
      {
        token: "xoxb-1-secret",
        code: "finch-auth-code",
        client_secret: "cs",
        req: { headers: { authorization: "Bearer abc", "x-slack-signature": "v0=deadbeef" } },
        nested: { access_token: "tok" },
      },
      "request",
    );
    const out = lines.join("");
    for (const secret of ["xoxb-1-secret", "finch-auth-code", '"cs"', "Bearer abc", "v0=deadbeef", '"tok"']) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain("[redacted]");
  });

  it("scrubs secrets out of free text and error messages, also through Bolt's logger", () => {
    const { logger, lines } = capture();
    logger.error(new Error("call failed with token xoxb-999-abc"), "oops");
    toSlackLogger(logger).warn("redirect to https://app/finch/callback?code=abc123&x=1 with Bearer zzz");
    const out = lines.join("");
    expect(out).not.toContain("xoxb-999-abc");
    expect(out).not.toContain("abc123");
    expect(out).not.toContain("zzz");
    expect(scrubSecrets("?code=1&token=2")).toBe("?code=[redacted]&token=[redacted]");
    expect(scrubSecrets("wss://x/link/?ticket=abc-123&app_id=A1")).toBe(
      "wss://x/link/?ticket=[redacted]&app_id=A1",
    );
  });

  it("builds no line for Slack's messages below the level (the Web API client logs every call at debug)", () => {
    const { logger, lines } = capture();
    logger.level = "warn";
    let serialised = 0;
    const payload = {
      toJSON: () => {
        serialised += 1;
        return { channel: "C1" };
      },
    };
    const slack = toSlackLogger(logger);
    slack.debug("apiCall('chat.update') start", payload);
    slack.info("http request", payload);
    expect(serialised).toBe(0);
    slack.warn("rate limited", payload);
    expect(serialised).toBe(1);
    expect(lines.join("")).toContain('rate limited {\\"channel\\":\\"C1\\"}');
  });
});

describe("start-up log format", () => {
  it("is human-readable at a terminal or in sandbox mode, JSON otherwise", () => {
    expect(wantsPrettyLogs({ mode: "http" }, true)).toBe(true);
    expect(wantsPrettyLogs({ mode: "sandbox" }, false)).toBe(true);
    expect(wantsPrettyLogs({ mode: "http" }, false)).toBe(false);
    expect(wantsPrettyLogs({ mode: "socket" }, false)).toBe(false);
  });

  it("uses pino-pretty when it can be loaded, and falls back to JSON when it cannot (production image)", () => {
    expect(prettyTransport()).toEqual({ target: "pino-pretty", options: { colorize: true } });
    const missing = () => {
      throw Object.assign(new Error("Cannot find module 'pino-pretty'"), { code: "MODULE_NOT_FOUND" });
    };
    expect(prettyTransport(missing)).toBeUndefined();
  });
});

describe("the logger's own module", () => {
  it("knows nothing of Slack: the adapter to Slack's Logger lives with the gateway", () => {
    const text = readFileSync(new URL("../src/logger.ts", import.meta.url), "utf8");
    const imported = importsOf("src/logger.ts", text).map((e) => e.to);
    expect(imported.filter((to) => to.startsWith("@slack/") || to.startsWith("src/slack"))).toEqual([]);
  });
});
