/**
 * Helpers for the Finch tests over real HTTP: onboard a customer, connect through our links (by browser
 * or by completing the stand-in's session), and read what landed in Slack.
 */
import { randomBytes } from "node:crypto";
import { connectUrlFor } from "../../src/onboarding/connect-links.ts";
import type { CompleteSessionOptions, CompleteSessionResult } from "../../src/sandbox/finch/index.ts";
import type { StoredMessage } from "../../src/sandbox/slack/index.ts";
import { MetadataEventType } from "../../src/slack-gateway/ids.ts";
import { eventually, type Harness, HOME_TEAM, HR, REP } from "../helpers/harness.ts";

/** What a test needs about an onboarding. */
export interface Onboarded {
  id: string;
  company: string;
  channelId: string;
  checklistTs: string;
}

/** `/fleet onboard <company> hr=… [extra]` by the rep, and the HR admin accepts the Slack Connect invite. */
export async function onboard(
  h: Harness,
  company = `Acme ${randomBytes(3).toString("hex")}`,
  /** More of the command, e.g. `provider=gusto`. */
  extra = "",
): Promise<Onboarded> {
  const sales = h.slack.addChannel({ name: `sales-${randomBytes(4).toString("hex")}`, members: [REP.id] });
  const res = await h.driver.command({
    text: `onboard ${company} hr=${HR.email}${extra ? ` ${extra}` : ""}`,
    userId: REP.id,
    teamId: HOME_TEAM.id,
    channelId: sales.id,
  });
  if (res.status !== 200) throw new Error(`onboard answered ${res.status}`);
  await h.driver.waitForResponse(res.responseUrl, 15_000);
  const o = await eventually(
    () =>
      h.db.prisma.onboarding.findFirst({
        where: { customer: { name: company }, checklistTs: { not: null } },
      }),
    10_000,
    "the onboarding's checklist",
  );
  const invite = h.slack.invites.filter((i) => i.channelId === o.channelId && i.status === "pending").at(-1);
  if (!invite) throw new Error("no pending invite");
  for (const event of h.slack.acceptSharedInvite(invite.id, { userId: HR.id, teamId: HR.teamId })) {
    await h.driver.event(event, { teamId: HOME_TEAM.id });
  }
  return { id: o.id, company, channelId: o.channelId!, checklistTs: o.checklistTs! };
}

/** The cookie of a Set-Cookie header (name=value). */
function cookieOf(res: Response): string {
  return (res.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
}

/**
 * Clicks our Connect link like a person: the GET's page and its button (a POST to the same address), then the
 * 302 to Finch, its session id and the cookie the browser keeps. A GET refused with a page ends there.
 */
export async function openLink(
  url: string,
): Promise<{ status: number; location: string; sessionId: string; cookie: string }> {
  const page = await fetch(url, { redirect: "manual" });
  const html = await page.text();
  if (page.status !== 200 || !html.includes('<form method="post">')) {
    return { status: page.status, location: "", sessionId: "", cookie: "" };
  }
  const res = await fetch(url, { method: "POST", redirect: "manual" });
  const location = res.headers.get("location") ?? "";
  return {
    status: res.status,
    location,
    sessionId: location ? (new URL(location).searchParams.get("session") ?? "") : "",
    cookie: cookieOf(res),
  };
}

/** Connects without the browser form: the stand-in completes the session; we follow Finch's redirect. */
export async function connect(
  h: Harness,
  o: Pick<Onboarded, "id">,
  options: CompleteSessionOptions = {},
  link = connectUrlFor(h.app.ctx, o.id),
  /** Runs between Finch completing Connect and the browser reaching our callback. */
  beforeCallback?: (done: CompleteSessionResult) => void,
): Promise<CompleteSessionResult & { page: { status: number; html: string }; cookie: string }> {
  const opened = await openLink(link);
  if (opened.status !== 302) throw new Error(`connect link answered ${opened.status}`);
  const done = h.finch.completeSession(opened.sessionId, options);
  beforeCallback?.(done);
  const res = await fetch(done.redirectUrl!, { redirect: "manual", headers: { cookie: opened.cookie } });
  return { ...done, page: { status: res.status, html: await res.text() }, cookie: opened.cookie };
}

/** Follows the whole flow like a browser: our link → Finch's page → its form → our callback page. */
export async function connectInBrowser(
  url: string,
  options: { uncheck?: string[] } = {},
): Promise<{ code: string; status: number; html: string }> {
  const opened = await openLink(url);
  if (opened.status !== 302) throw new Error(`connect link answered ${opened.status}`);
  const pageRes = await fetch(opened.location);
  const html = await pageRes.text();
  const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
  if (!action) throw new Error("no form on Finch's Connect page");
  const form = new URLSearchParams({
    session: opened.sessionId,
    username: "good_user",
    password: "good_pass",
  });
  for (const m of html.matchAll(/name="products" value="([^"]+)"/g)) {
    if (!options.uncheck?.includes(m[1] ?? "")) form.append("products", m[1] ?? "");
  }
  const posted = await fetch(new URL(action, opened.location), {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: form.toString(),
  });
  const callback = posted.headers.get("location") ?? "";
  if (posted.status !== 302 || !callback) throw new Error(`Connect form answered ${posted.status}`);
  const final = await fetch(callback, { redirect: "manual", headers: { cookie: opened.cookie } });
  return {
    code: new URL(callback).searchParams.get("code") ?? "",
    status: final.status,
    html: await final.text(),
  };
}

/** Replies in the checklist's thread. */
export function threadReplies(h: Harness, o: Onboarded): StoredMessage[] {
  return h.slack.messages(o.channelId).filter((m) => m.thread_ts === o.checklistTs && m.ts !== o.checklistTs);
}

/** Verification reports in the thread, oldest first. */
export function verifications(h: Harness, o: Onboarded): StoredMessage[] {
  return threadReplies(h, o).filter((m) => m.metadata?.event_type === MetadataEventType.verification);
}

/** Waits for the `count`-th verification report. */
export function nthVerification(
  h: Harness,
  o: Onboarded,
  count: number,
  timeoutMs = 10_000,
): Promise<StoredMessage> {
  return eventually(() => verifications(h, o)[count - 1], timeoutMs, `verification #${count}`);
}

/** Which checklist items are ticked in the pinned message as Slack shows it (`initial_options`). */
export function tickedItems(h: Harness, o: Onboarded): Map<string, boolean> {
  const checklist = h.slack.messages(o.channelId).find((m) => m.ts === o.checklistTs);
  const out = new Map<string, boolean>();
  for (const block of (checklist?.blocks ?? []) as Array<{ elements?: Array<Record<string, unknown>> }>) {
    for (const el of block.elements ?? []) {
      if (el.type !== "checkboxes") continue;
      const value = (el.options as Array<{ value: string }>)[0]?.value ?? "";
      out.set(value, Array.isArray(el.initial_options) && el.initial_options.length > 0);
    }
  }
  return out;
}

/** Direct messages the bot sent to a user. */
export function dms(h: Harness, userId: string): StoredMessage[] {
  const im = h.slack.allChannels().find((c) => c.isIm && c.members.includes(userId));
  return im ? h.slack.messages(im.id) : [];
}

/** Every permission item Finch can check, and the steps it proves (template data). */
export const FINCH_STEPS = ["add-user", "grant-admin", "verify-permissions", "connect"];
