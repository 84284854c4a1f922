/**
 * The sandbox's own routes on the app's port: a JSON view of the stand-in workspace and a way to act as
 * the rep or the customer's HR admin. Every action goes through the signed Slack request path.
 */
import type { AppContext } from "../context.ts";
import { type Router, sendHtml, sendJson } from "../http/router.ts";
import type { FinchStandIn } from "./finch-standin.ts";
import type { SlackDriver } from "./slack-driver.ts";
import type { SlackStandIn } from "./slack-standin.ts";

/** What the sandbox routes need. */
export interface SandboxRouteDeps {
  ctx: AppContext;
  slack: SlackStandIn;
  finch: FinchStandIn;
  driver: () => SlackDriver | undefined;
  sandbox: {
    homeTeam: { id: string };
    customerTeam: { id: string };
    rep: { id: string; realName: string };
    hrAdmin: { id: string; realName: string };
  };
}

/** Mounts `/sandbox` and its JSON API. */
export function mountSandboxRoutes(router: Router, deps: SandboxRouteDeps): void {
  router.on("GET", "/sandbox/api/state", ({ res }) => {
    const channels = deps.slack.allChannels().map((c) => ({
      ...c,
      messages: deps.slack.messages(c.id),
    }));
    sendJson(res, 200, { channels, ephemerals: deps.slack.ephemerals(), people: deps.sandbox });
  });

  router.on("POST", "/sandbox/api/command", async ({ res, body }) => {
    const input = JSON.parse((await body(64 * 1024)).toString("utf8") || "{}") as {
      text?: string;
      channelId?: string;
    };
    const driver = deps.driver();
    if (!driver || typeof input.text !== "string")
      return sendJson(res, 400, { error: 'send {"text": "onboard …"}' });
    const general = deps.slack.channelByName("general");
    const answer = await driver.command({
      text: input.text,
      userId: deps.sandbox.rep.id,
      teamId: deps.sandbox.homeTeam.id,
      channelId: input.channelId ?? general?.id ?? "C0GENERAL",
    });
    sendJson(res, 200, { status: answer.status, ack: answer.body, responseUrl: answer.responseUrl });
  });

  router.on("GET", "/sandbox", ({ res }) => {
    sendHtml(
      res,
      200,
      `<!doctype html><meta charset="utf-8"><title>Fleet Concierge sandbox</title>
<h1>Fleet Concierge — sandbox</h1>
<p>The app runs against built-in Slack and Finch stand-ins. Try:</p>
<pre>curl -s localhost:${deps.ctx.config.http.port}/sandbox/api/command -d '{"text":"onboard Acme Corp hr=jane@acme.example"}'
curl -s localhost:${deps.ctx.config.http.port}/sandbox/api/state</pre>`,
    );
  });
}
