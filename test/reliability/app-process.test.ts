/**
 * The helper that runs the real app as a process (test/helpers/app-process.ts): SIGKILL really kills it,
 * a second process starts on the same DATA_DIR (embedded database) afterwards, and SIGTERM stops it with 0.
 */
import { describe, expect, it } from "vitest";
import { startAppProcess } from "../helpers/app-process.ts";

describe("an app process", () => {
  it("killed with SIGKILL, then restarted on the same DATA_DIR, comes up healthy and stops with 0", async () => {
    // No Slack credentials: sandbox mode, on the embedded database in DATA_DIR.
    const first = await startAppProcess({ env: { LOG_LEVEL: "info" }, label: "first" });
    await first.kill();
    expect(() => process.kill(first.pid, 0), "the first process is gone").toThrow();
    const second = await startAppProcess({
      env: { LOG_LEVEL: "info", DATA_DIR: first.dataDir },
      label: "second",
    });
    try {
      expect(second.pid).not.toBe(first.pid);
      expect((await fetch(`${second.url}/healthz`)).status).toBe(200);
    } finally {
      expect(await second.stop()).toBe(0);
    }
  }, 120_000);
});
