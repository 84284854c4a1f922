/**
 * The baseline: a bare Bolt app (same Bolt version and receiver) that only acknowledges `/fleet` and
 * checklist ticks. Run as a child process by bench/run.ts; prints {"port":…} when listening.
 */
import { App, HTTPReceiver, LogLevel } from "@slack/bolt";

const receiver = new HTTPReceiver({
  signingSecret: process.env.SLACK_SIGNING_SECRET ?? "",
  logLevel: LogLevel.ERROR,
});
const app = new App({
  token: "xoxb-bare",
  receiver,
  tokenVerificationEnabled: false,
  botUserId: "U0BOT",
  botId: "B0BOT",
  logLevel: LogLevel.ERROR,
});
app.command("/fleet", async ({ ack }) => {
  await ack();
});
app.action(/^tick:/, async ({ ack }) => {
  await ack();
});
const server = (await app.start(Number(process.env.PORT ?? 0))) as import("node:http").Server;
const address = server.address();
process.stdout.write(
  `${JSON.stringify({ port: typeof address === "object" && address ? address.port : 0 })}\n`,
);
process.on("SIGTERM", () => process.exit(0));
