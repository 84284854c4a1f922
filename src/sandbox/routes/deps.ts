/** What mounting the sandbox routes needs and gives back. */
import type { AppContext, ManualClock } from "../../context.ts";
import type { FinchStandIn } from "../finch/index.ts";
import type { SlackStandIn } from "../slack/index.ts";
import type { SlackDriver } from "../slack-driver/index.ts";
import type { MailboxView } from "../smtp/index.ts";

/** The sandbox's people and workspaces (src/sandbox/sandbox-mode.ts → SANDBOX). */
export interface SandboxPeople {
  homeTeam: { id: string; name: string; domain: string };
  customerTeam: { id: string; name: string; domain: string };
  rep: { id: string; name: string; realName: string; email: string; tz: string };
  hrAdmin: { id: string; name: string; realName: string; email: string; tz: string };
  botUserId: string;
  botId: string;
  botName: string;
}

/** What the sandbox routes need. */
export interface SandboxRouteDeps {
  ctx: AppContext;
  slack: SlackStandIn;
  finch: FinchStandIn;
  driver: () => SlackDriver | undefined;
  /** The app's clock; the page's clock control moves it forward. */
  clock: ManualClock;
  /** One run of the reminder scheduler (plan, claim, send); resolves with the number sent. */
  reminderTick: () => Promise<number>;
  sandbox: SandboxPeople;
  /** What the SMTP stand-in received (the app's mailer sends there); unset: the mail the mailer kept. */
  mailbox?: readonly MailboxView[];
}

/** The mounted routes: attach the driver once it runs, close live connections before the server stops. */
export interface SandboxRoutes {
  attachDriver(driver: SlackDriver): void;
  close(): void;
}
