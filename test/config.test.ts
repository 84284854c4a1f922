import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../src/config.ts";

const key = Buffer.alloc(32, 7).toString("base64");
const production = {
  SLACK_BOT_TOKEN: "xoxb-123-abc",
  SLACK_SIGNING_SECRET: "s3cr3t-signing",
  FINCH_CLIENT_ID: "id",
  FINCH_CLIENT_SECRET: "finch-s3cr3t",
  PUBLIC_URL: "https://concierge.example.com",
  TOKEN_ENCRYPTION_KEY: key,
  INTEGRATION_USER_EMAIL: "integrations+{slug}@fleet.example",
};

describe("configuration", () => {
  it("PGLITE_IN_THREAD goes through the schema", () => {
    const inThread = parseConfig({ PGLITE_IN_THREAD: "1" });
    expect(inThread.ok && inThread.config.database.pgliteInThread).toBe(true);
    const plain = parseConfig({});
    expect(plain.ok && plain.config.database.pgliteInThread).toBe(false);
    const bad = parseConfig({ PGLITE_IN_THREAD: "yes" });
    expect(bad.ok).toBe(false);
  });

  it("the database statement timeout defaults to 15 s, is configurable and refuses nonsense", () => {
    const plain = parseConfig({});
    expect(plain.ok && plain.config.database.statementTimeoutMs).toBe(15_000);
    const set = parseConfig({ DATABASE_STATEMENT_TIMEOUT_MS: "2500" });
    expect(set.ok && set.config.database.statementTimeoutMs).toBe(2_500);
    const bad = parseConfig({ DATABASE_STATEMENT_TIMEOUT_MS: "0" });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.problems.join()).toContain("DATABASE_STATEMENT_TIMEOUT_MS");
  });

  it("no Slack credentials → sandbox mode with defaults", () => {
    const r = parseConfig({});
    expect(r.ok && r.config.mode).toBe("sandbox");
    expect(r.ok && r.config.slack.apiUrl).toBe("https://slack.com/api/");
    expect(r.ok && r.config.http.port).toBe(3000);
    expect(r.ok && r.config.reminderLocalTime).toBe("10:00");
  });

  it("production without Slack credentials refuses to start as a sandbox unless asked to", () => {
    const r = parseConfig({ NODE_ENV: "production" });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems.join()).toContain("FLEET_SANDBOX=1");
    expect(parseConfig({ NODE_ENV: "production", FLEET_SANDBOX: "1" })).toMatchObject({
      ok: true,
      config: { mode: "sandbox" },
    });
  });

  it("bot token + signing secret → HTTP mode; an app token → Socket Mode", () => {
    expect(parseConfig(production)).toMatchObject({ ok: true, config: { mode: "http" } });
    expect(parseConfig({ ...production, SLACK_APP_TOKEN: "xapp-1-x" })).toMatchObject({
      ok: true,
      config: { mode: "socket" },
    });
  });

  it("names every problem at once", () => {
    const r = parseConfig({
      SLACK_BOT_TOKEN: "xoxb-1",
      DATABASE_URL: "mysql://nope",
      TOKEN_ENCRYPTION_KEY: Buffer.alloc(16).toString("base64"),
      PORT: "70000",
      DEFAULT_TIMEZONE: "Mars/Base",
      REMINDER_LOCAL_TIME: "25:00",
    });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      const all = r.problems.join("\n");
      expect(all).toContain("DATABASE_URL");
      expect(all).toContain("TOKEN_ENCRYPTION_KEY must be 32 random bytes");
      expect(all).toContain("PORT");
      expect(all).toContain("DEFAULT_TIMEZONE is not an IANA time zone");
      expect(all).toContain("REMINDER_LOCAL_TIME");
    }
  });

  it("a bot token without a signing secret is refused, with the other missing settings", () => {
    const r = parseConfig({ SLACK_BOT_TOKEN: "xoxb-1" });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.problems.join("\n")).toContain("SLACK_SIGNING_SECRET is missing");
      expect(r.problems.join("\n")).toContain("PUBLIC_URL is missing");
    }
  });
});

describe("start-up with bad configuration", () => {
  it("exits non-zero listing every problem, with no stack trace and no secret value", () => {
    const run = spawnSync(process.execPath, ["--import", "tsx", "src/main.ts"], {
      env: {
        PATH: process.env.PATH,
        SLACK_BOT_TOKEN: "xoxb-very-secret-token-value",
        DATABASE_URL: "postgres://",
        TOKEN_ENCRYPTION_KEY: "c2hvcnQ=",
        FINCH_CLIENT_SECRET: "finch-secret-value",
      },
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain("SLACK_SIGNING_SECRET is missing");
    expect(run.stderr).toContain("DATABASE_URL");
    expect(run.stderr).toContain("TOKEN_ENCRYPTION_KEY");
    expect(run.stderr).not.toMatch(/\n\s+at /);
    for (const secret of ["xoxb-very-secret-token-value", "c2hvcnQ=", "finch-secret-value"]) {
      expect(run.stderr + run.stdout).not.toContain(secret);
    }
  });
});
