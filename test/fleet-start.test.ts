import { describe, expect, it } from "vitest";
import { startFleet } from "../src/fleet.ts";
import { createLogger } from "../src/logger.ts";
import { startHarness } from "./helpers/harness.ts";

describe("starting the app", () => {
  it("asks Slack who the bot is while the database opens, not after (and reports the database's failure)", async () => {
    const h = await startHarness();
    try {
      const base = h.app.ctx.config;
      const before = h.slack.callsTo("auth.test").length;
      // Nothing listens on port 1: the database fails to open, after auth.test was sent alongside it.
      const config = {
        ...base,
        database: { ...base.database, url: "postgresql://fleet@127.0.0.1:1/fleet" },
        http: { ...base.http, port: 0 },
      };
      await expect(startFleet(config, { logger: createLogger({ level: "silent" }) })).rejects.toThrow(
        /ECONNREFUSED|connect/,
      );
      expect(h.slack.callsTo("auth.test").length).toBe(before + 1);
    } finally {
      await h.stop();
    }
  }, 120_000);

  it("leaves a database it was given open when Slack refuses auth.test", async () => {
    const h = await startHarness();
    try {
      const config = { ...h.app.ctx.config, http: { ...h.app.ctx.config.http, port: 0 } };
      h.slack.injectFault({ method: "auth.test", error: "invalid_auth" });
      await expect(
        startFleet(config, { logger: createLogger({ level: "silent" }), db: h.db }),
      ).rejects.toThrow(/invalid_auth/);
      // Still open: the harness's app and the next test keep using it.
      expect(await h.db.prisma.onboarding.count()).toBeGreaterThanOrEqual(0);
    } finally {
      await h.stop();
    }
  }, 120_000);
});
