/** The real entry point as a newcomer runs it: sandbox start-up, health, and a graceful stop on SIGTERM. */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { freePort } from "../src/sandbox/support/free-port.ts";
import { eventually } from "./helpers/harness.ts";

describe("npm start with no credentials (sandbox mode)", () => {
  it("comes up healthy, says loudly it is a sandbox, serves a command, and stops with exit 0 on SIGTERM", async () => {
    const port = await freePort();
    const dataDir = join(mkdtempSync(join(tmpdir(), "fc-sbx-")), "data");
    // What `npm start` runs (its prestart build, then the compiled app), spelled out so the test owns the
    // process it signals rather than npm's.
    const { scripts } = JSON.parse(readFileSync("package.json", "utf8")) as {
      scripts: Record<string, string>;
    };
    expect([scripts.prestart, scripts.start]).toEqual([
      "node scripts/build-for-start.mjs",
      "node dist/src/main.js",
    ]);
    expect(spawnSync(process.execPath, ["scripts/build-for-start.mjs"], { stdio: "inherit" }).status).toBe(0);
    const child = spawn(process.execPath, ["dist/src/main.js"], {
      env: { PATH: process.env.PATH, PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: "info" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      out += d;
    });
    try {
      await eventually(
        async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).status === 200,
        // PGlite's first start (initdb), on 2 cores shared with other test files.
        60_000,
        "healthz",
      );
      await eventually(() => out.includes("SANDBOX MODE"), 10_000, "the sandbox banner");
      expect(out).toContain(`http://localhost:${port}/sandbox`);
      const res = await fetch(`http://127.0.0.1:${port}/sandbox/api/command`, {
        method: "POST",
        body: JSON.stringify({ text: "onboard Acme Corp hr=jane@acme.example" }),
      });
      expect(res.status).toBe(200);
      await eventually(
        async () => {
          const state = (await (await fetch(`http://127.0.0.1:${port}/sandbox/api/state`)).json()) as {
            channels: Array<{ name: string; messages: Array<{ metadata?: { event_type: string } }> }>;
          };
          return state.channels
            .find((c) => c.name === "fleet-acme-corp")
            ?.messages.some((m) => m.metadata?.event_type === "onboarding_checklist");
        },
        15_000,
        "checklist in the sandbox",
      );
    } finally {
      child.kill("SIGTERM");
    }
    const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    expect(code).toBe(0);
    expect(out).toContain("stopped");
  }, 120_000);
});
