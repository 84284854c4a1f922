/**
 * The weekly report appears in the sandbox: its #fleet-reports channel is REPORT_CHANNEL_ID, the page's control
 * posts the report, and the chart's PNG is served to the page (decoded here) while other files are not.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config.ts";
import { createLogger } from "../../src/logger.ts";
import { type RunningSandbox, startSandbox } from "../../src/sandbox/sandbox-mode.ts";
import { freePort } from "../../src/sandbox/support/free-port.ts";

describe("the weekly report in the sandbox", () => {
  let sandbox: RunningSandbox;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "fc-sbx-report-"));
    const parsed = parseConfig({
      PORT: String(await freePort()),
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

  it("posts the report with its chart to #fleet-reports and serves the PNG to the page", async () => {
    const channel = sandbox.slackStandIn.channelByName("fleet-reports");
    expect(sandbox.ctx.config.report.channelId).toBe(channel?.id);
    const res = await fetch(`${sandbox.url}/sandbox/api/report/weekly`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: sandbox.url },
      body: "{}",
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ message: "made", chart: "made", csv: "made" });
    const withFiles = sandbox.slackStandIn.messages(channel?.id ?? "").filter((m) => m.files?.length);
    const png = withFiles.flatMap((m) => m.files ?? []).find((f) => f.name.endsWith(".png"));
    const csv = withFiles.flatMap((m) => m.files ?? []).find((f) => f.name.endsWith(".csv"));
    const image = await fetch(`${sandbox.url}/sandbox/api/files/${png?.id}`);
    expect(image.headers.get("content-type")).toBe("image/png");
    expect(PNG.sync.read(Buffer.from(await image.arrayBuffer())).width).toBeGreaterThan(200);
    expect((await fetch(`${sandbox.url}/sandbox/api/files/${csv?.id}`)).status).toBe(404);
  });
});
