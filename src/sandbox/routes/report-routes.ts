/**
 * The weekly onboarding report in the sandbox: a control posts it now to the sandbox's #fleet-reports channel,
 * and the page shows the chart by fetching the shared PNG's bytes from the Slack stand-in (a browser could not
 * fetch Slack's private file URL without the bot token).
 */
import { postWeeklyReport } from "../../analytics/weekly-post.ts";
import type { Router } from "../../http/router.ts";
import { sendText } from "../../http/router.ts";
import { postJson } from "./post-json.ts";
import { PageError, type PageSession } from "./session.ts";

/** Mounts POST `/sandbox/api/report/weekly` and GET `/sandbox/api/files/:id` (shared images only). */
export function mountReportRoutes(router: Router, s: PageSession): void {
  postJson(router, "/sandbox/api/report/weekly", async () => {
    const outcome = await postWeeklyReport(s.deps.ctx);
    if (outcome === "off") throw new PageError(409, "REPORT_CHANNEL_ID is not set.");
    return { ...outcome, channelId: s.deps.ctx.config.report.channelId };
  });
  router.on("GET", "/sandbox/api/files/:id", ({ res, params }) => {
    const file = s.slack.files.find((f) => f.id === params.id);
    if (!file?.content || !file.completed || !file.name.endsWith(".png"))
      return sendText(res, 404, "Not found");
    res.writeHead(200, {
      "content-type": "image/png",
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    });
    res.end(file.content);
  });
}
