/**
 * The sandbox page and its API on the app's port. The page (src/sandbox/page/) shows the stand-in Slack
 * workspace as a person sees it and lets you act as the rep or the customer's HR admin. Every action goes
 * through the {@link SlackDriver}, i.e. the same signed HTTP requests Slack sends; the page learns about
 * changes from Server-Sent Events fed by the stand-ins' emitters. The routes live in src/sandbox/routes.
 */

import { sandboxMailbox } from "../email/mailer.ts";
import type { Router } from "../http/router.ts";
import { mountActingRoutes } from "./routes/acting-routes.ts";
import { mountControlRoutes } from "./routes/control-routes.ts";
import type { SandboxRouteDeps, SandboxRoutes } from "./routes/deps.ts";
import { mountMailboxRoutes } from "./routes/mailbox-routes.ts";
import { mountPageRoutes } from "./routes/page-routes.ts";
import { mountReportRoutes } from "./routes/report-routes.ts";
import { PageSession } from "./routes/session.ts";
import type { SlackDriver } from "./slack-driver/index.ts";

export type { SandboxPeople, SandboxRouteDeps, SandboxRoutes } from "./routes/deps.ts";

/** Mounts `/sandbox` (the page) and `/sandbox/api/*`. */
export function mountSandboxRoutes(router: Router, deps: SandboxRouteDeps): SandboxRoutes {
  const session = new PageSession(deps);
  mountPageRoutes(router, session);
  mountActingRoutes(router, session);
  mountControlRoutes(router, session);
  mountReportRoutes(router, session);
  mountMailboxRoutes(router, deps.mailbox ?? sandboxMailbox);
  return {
    attachDriver: (driver: SlackDriver) => session.attachDriver(driver),
    close: () => session.close(),
  };
}
