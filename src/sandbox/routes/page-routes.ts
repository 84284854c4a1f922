/** The sandbox page itself, its live-update stream and the state it draws. */
import type { Router } from "../../http/router.ts";
import { sendJson } from "../../http/router.ts";
import { ReminderKind } from "../../reminders/rules.ts";
import { loadPage } from "../page/load-page.ts";
import type { StandInUser } from "../slack/index.ts";
import { userIdSchema } from "./bodies.ts";
import { ephemeralKey, type PageSession } from "./session.ts";

/** Mounts GET `/sandbox`, `/sandbox/api/events` and `/sandbox/api/state`. */
export function mountPageRoutes(router: Router, s: PageSession): void {
  const page = loadPage();

  router.on("GET", "/sandbox", ({ res }) => {
    res.writeHead(200, {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
      "x-frame-options": "DENY",
      "content-security-policy": page.csp,
    });
    res.end(page.html);
  });

  router.on("GET", "/sandbox/api/events", ({ req, res }) => {
    if (s.closed) return sendJson(res, 503, { error: "stopping" });
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    // Reconnect after a second when the stream drops (EventSource does it by itself).
    res.write("retry: 1000\n\n");
    s.clients.add(res);
    s.heartbeat ??= setInterval(() => {
      for (const client of s.clients) client.write(": keep-alive\n\n");
    }, 20_000).unref();
    req.on("close", () => s.clients.delete(res));
    // A write racing a disconnect must not become an unhandled 'error' event.
    res.on("error", () => s.clients.delete(res));
  });

  router.on("GET", "/sandbox/api/state", async ({ res, url }) => {
    const as = url.searchParams.get("as");
    if (as === null) return sendJson(res, 200, await state(s, undefined));
    const parsed = userIdSchema.safeParse(as);
    const user = parsed.success ? s.slack.user(parsed.data) : undefined;
    if (!user || user.isBot) return sendJson(res, 400, { error: `There is no person ${as} in the sandbox.` });
    sendJson(res, 200, await state(s, user));
  });
}

/** Everything the page draws, as `me` sees it (all of it without `me`). */
async function state(s: PageSession, me: StandInUser | undefined) {
  const channels = (me ? s.visibleChannels(me) : s.slack.allChannels()).map((c) => ({
    ...c,
    messages: s.slack.messages(c.id),
  }));
  const ephemerals = s.slack
    .ephemerals()
    .filter((e) => (me ? e.user === me.id : true))
    .filter((e) => !s.hiddenEphemerals.has(ephemeralKey(e.channel, e.user, e.ts)));
  const now = s.clock.now();
  return {
    me: me ? publicUser(s, me) : null,
    people: s.sandbox,
    users: allUsers(s).map((user) => publicUser(s, user)),
    teams: [s.sandbox.homeTeam, s.sandbox.customerTeam],
    bot: { userId: s.sandbox.botUserId, botId: s.sandbox.botId, name: s.sandbox.botName },
    channels,
    ephemerals,
    notes: me ? s.notes.filter((n) => n.userId === me.id) : [],
    home: me ? (s.slack.homeView(me.id) ?? null) : null,
    modal: me ? s.openModal(me.id) : null,
    clock: { now: now.getTime(), offsetMs: now.getTime() - Date.now() },
    onboardings: await onboardings(s),
  };
}

function allUsers(s: PageSession): StandInUser[] {
  const ids = new Set<string>([s.sandbox.rep.id, s.sandbox.hrAdmin.id, s.sandbox.botUserId]);
  for (const channel of s.slack.allChannels()) for (const id of channel.members) ids.add(id);
  return [...ids].flatMap((id) => {
    const user = s.slack.user(id);
    return user ? [user] : [];
  });
}

function publicUser(s: PageSession, user: StandInUser) {
  return {
    id: user.id,
    teamId: user.teamId,
    name: user.name,
    realName: user.id === s.sandbox.botUserId ? s.sandbox.botName : (user.realName ?? user.name),
    tz: user.tz ?? s.deps.ctx.config.defaultTimeZone,
    isBot: user.isBot === true,
    external: user.teamId !== s.sandbox.homeTeam.id,
  };
}

/** The latest onboardings with their reminder and Finch connection, for the page's controls. */
async function onboardings(s: PageSession) {
  const rows = await s.deps.ctx.db.prisma.onboarding.findMany({
    orderBy: { createdAt: "desc" },
    take: 50,
    include: {
      customer: { select: { name: true } },
      reminders: {
        where: { kind: ReminderKind.dayBefore },
        orderBy: { createdAt: "desc" },
        take: 1,
        select: { dueAt: true, status: true, sentAt: true },
      },
    },
  });
  return rows.map((o) => {
    const connection = s.finch.connection(o.id);
    const reminder = o.reminders[0];
    return {
      id: o.id,
      company: o.customer.name,
      status: o.status,
      channelId: o.channelId,
      callAt: o.callAt?.toISOString() ?? null,
      timeZone: o.timeZone,
      reminder: reminder
        ? {
            dueAt: reminder.dueAt.toISOString(),
            status: reminder.status,
            sentAt: reminder.sentAt?.toISOString() ?? null,
          }
        : null,
      finch: connection
        ? {
            status: connection.status,
            products: connection.products,
            deniedProducts: connection.deniedProducts,
          }
        : null,
    };
  });
}
