/**
 * The sandbox page and its API on the app's port. The page (src/sandbox/page/) shows the stand-in Slack
 * workspace as a person sees it and lets you act as the rep or the customer's HR admin. Every action goes
 * through the {@link SlackDriver}, i.e. the same signed HTTP requests Slack sends; the page learns about
 * changes from Server-Sent Events fed by the stand-ins' emitters.
 */
import { createHash, randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import type { AppContext, ManualClock } from "../context.ts";
import { type RouteRequest, type Router, sendJson } from "../http/router.ts";
import { dayBeforeDueAt, ReminderKind } from "../reminders/rules.ts";
import type { FinchStandIn } from "./finch/index.ts";
import type { SlackStandIn, StandInUser, StoredMessage, StoredView } from "./slack/index.ts";
import type { SinkEntry, SlackDriver } from "./slack-driver.ts";

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
}

/** The mounted routes: attach the driver once it runs, close live connections before the server stops. */
export interface SandboxRoutes {
  attachDriver(driver: SlackDriver): void;
  close(): void;
}

/** An answer only the acting person sees: a command's ack or a response_url post, as Slack shows them. */
interface PageNote {
  id: string;
  /** A message ts for block_actions from the note's buttons (Slack gives ephemeral messages one too). */
  ts: string;
  userId: string;
  channelId: string;
  threadTs?: string;
  text: string;
  blocks?: unknown[];
  source: "ack" | "response";
}

/** Where a response_url's posts belong, and the message they may replace. */
interface ResponseTarget {
  userId: string;
  channelId: string;
  threadTs?: string;
  origin?: { kind: "note"; id: string } | { kind: "ephemeral"; ts: string };
}

const MAX_NOTES = 200;
/** Response URLs and triggers remembered (Slack's response_url lives 30 minutes anyway). */
const MAX_REMEMBERED = 1000;
const BODY_LIMIT = 256 * 1024;

const userIdSchema = z.string().regex(/^[UW][A-Z0-9]{2,30}$/, "a Slack user id");
const channelIdSchema = z.string().regex(/^[CGD][A-Z0-9]{2,30}$/, "a Slack channel id");
const tsSchema = z.string().regex(/^\d{1,12}\.\d{1,6}$/, "a Slack ts");
const uuidSchema = z.uuid();

const commandBody = z.object({
  text: z.string().max(4000),
  as: userIdSchema.optional(),
  channelId: channelIdSchema.optional(),
  command: z
    .string()
    .regex(/^\/[a-z0-9_-]{1,32}$/)
    .optional(),
});
const messageBody = z.object({
  as: userIdSchema,
  channelId: channelIdSchema,
  text: z.string().min(1).max(4000),
  threadTs: tsSchema.optional(),
});
const actionSchema = z
  .object({
    action_id: z.string().min(1).max(255),
    block_id: z.string().max(255).optional(),
    type: z.string().max(64).optional(),
  })
  .catchall(z.unknown());
const stateValuesSchema = z.record(z.string(), z.record(z.string(), z.record(z.string(), z.unknown())));
const actionBody = z.object({
  as: userIdSchema,
  container: z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("message"), channelId: channelIdSchema, ts: tsSchema }),
    z.object({ kind: z.literal("ephemeral"), channelId: channelIdSchema, ts: tsSchema }),
    z.object({ kind: z.literal("note"), id: z.string().max(40) }),
    z.object({ kind: z.literal("view"), viewId: z.string().max(64) }),
  ]),
  action: actionSchema,
  stateValues: stateValuesSchema.optional(),
});
const viewSubmitBody = z.object({
  as: userIdSchema,
  viewId: z.string().max(64),
  values: stateValuesSchema,
});
const viewCloseBody = z.object({ as: userIdSchema, viewId: z.string().max(64) });
const asBody = z.object({ as: userIdSchema });
const onboardingBody = z.object({ onboardingId: uuidSchema });
const advanceBody = z.object({
  hours: z
    .number()
    .int()
    .min(1)
    .max(24 * 30),
});

/** Thrown by handlers: becomes a JSON error the page shows as a toast. */
class PageError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Mounts `/sandbox` (the page) and `/sandbox/api/*`. */
export function mountSandboxRoutes(router: Router, deps: SandboxRouteDeps): SandboxRoutes {
  const { slack, finch, sandbox, clock } = deps;
  const page = loadPage();
  const clients = new Set<ServerResponse>();
  const notes: PageNote[] = [];
  const hiddenEphemerals = new Set<string>();
  const responseTargets = new Map<string, ResponseTarget>();
  const triggerOwners = new Map<string, string>();
  const closedViews = new Set<string>();
  const viewErrors = new Map<string, Record<string, string>>();
  let heartbeat: NodeJS.Timeout | undefined;
  let closed = false;
  let noteCounter = 0;
  let attached: SlackDriver | undefined;

  // ---------------------------------------------------------------------------------------- live updates

  const broadcast = (kind: string, detail: Record<string, unknown> = {}) => {
    if (clients.size === 0) return;
    const frame = `event: change\ndata: ${JSON.stringify({ kind, ...detail })}\n\n`;
    for (const res of clients) res.write(frame);
  };
  const onSlack = {
    message: (m: StoredMessage) => broadcast("message", { channel: m.channel }),
    message_changed: (m: StoredMessage) => broadcast("message_changed", { channel: m.channel }),
    ephemeral: () => broadcast("ephemeral"),
    view: () => broadcast("view"),
    invite: () => broadcast("invite"),
    channel: () => broadcast("channel"),
  };
  slack.events.on("message", onSlack.message);
  slack.events.on("message_changed", onSlack.message_changed);
  slack.events.on("ephemeral", onSlack.ephemeral);
  slack.events.on("view", onSlack.view);
  slack.events.on("invite", onSlack.invite);
  slack.events.on("channel", onSlack.channel);
  const onFinch = () => broadcast("finch");
  finch.events.on("connected", onFinch);
  finch.events.on("disconnected", onFinch);
  const onResponse = (entry: SinkEntry) => {
    try {
      receiveResponse(entry);
    } catch (err) {
      deps.ctx.logger.warn({ err }, "sandbox: could not show a response_url answer");
    }
  };

  // ---------------------------------------------------------------------------------------- helpers

  const requireDriver = (): SlackDriver => {
    const driver = deps.driver();
    if (!driver) throw new PageError(503, "The sandbox is still starting; try again in a moment.");
    return driver;
  };

  const person = (userId: string): StandInUser => {
    const user = slack.user(userId);
    if (!user || user.isBot) throw new PageError(400, `There is no person ${userId} in the sandbox.`);
    return user;
  };

  const driverUser = (user: StandInUser) => ({ id: user.id, teamId: user.teamId, name: user.name });

  const newTriggerId = (userId: string): string => {
    const now = Date.now();
    const id = `${Math.floor(now / 1000)}.${now % 1e9}.${randomBytes(16).toString("hex")}`;
    remember(triggerOwners, id, userId);
    return id;
  };

  const visibleChannels = (user: StandInUser) =>
    slack
      .allChannels()
      .filter(
        (c) =>
          c.members.includes(user.id) ||
          (user.teamId === sandbox.homeTeam.id && !c.isPrivate && !c.isIm && !c.isArchived),
      );

  const requireMember = (user: StandInUser, channelId: string) => {
    const channel = slack.channel(channelId);
    if (!channel) throw new PageError(404, "That channel no longer exists.");
    if (!channel.members.includes(user.id)) {
      throw new PageError(403, `${user.realName ?? user.name} is not a member of #${channel.name}.`);
    }
    return channel;
  };

  const addNote = (note: Omit<PageNote, "id" | "ts">): PageNote => {
    noteCounter += 1;
    const micros = clock.now().getTime() * 1000 + (noteCounter % 1000);
    const full: PageNote = {
      id: `n${noteCounter}`,
      ts: `${Math.floor(micros / 1_000_000)}.${String(micros % 1_000_000).padStart(6, "0")}`,
      ...note,
    };
    notes.push(full);
    if (notes.length > MAX_NOTES) notes.splice(0, notes.length - MAX_NOTES);
    broadcast("note");
    return full;
  };

  /** Shows what the app answered to a slash command (the HTTP body of the ack), as Slack does. */
  const showAck = (body: unknown, target: ResponseTarget) => {
    if (body === "" || body === undefined || body === null) return;
    if (typeof body === "string") {
      addNote({ userId: target.userId, channelId: target.channelId, text: body, source: "ack" });
      return;
    }
    if (isRecord(body)) showMessagePayload(body, target, "ack");
  };

  /** A message payload from an ack or a response_url post, with Slack's replace/delete semantics. */
  const showMessagePayload = (
    body: Record<string, unknown>,
    target: ResponseTarget,
    source: PageNote["source"],
  ) => {
    const origin = target.origin;
    if (body.delete_original === true && origin) {
      removeOrigin(origin, target);
      return;
    }
    const text = typeof body.text === "string" ? body.text : "";
    const blocks = Array.isArray(body.blocks) ? body.blocks : undefined;
    if (body.replace_original === true && origin) {
      if (origin.kind === "note") {
        const note = notes.find((n) => n.id === origin.id);
        if (note) {
          note.text = text;
          if (blocks) note.blocks = blocks;
          else delete note.blocks;
          broadcast("note");
          return;
        }
      } else {
        removeOrigin(origin, target);
      }
    }
    if (body.response_type === "in_channel") {
      // Slack posts it for everyone to see, in the bot's name.
      try {
        slack.postUserMessage({
          channel: target.channelId,
          user: sandbox.botUserId,
          text,
          ...(blocks ? { blocks } : {}),
          ...(target.threadTs ? { threadTs: target.threadTs } : {}),
        });
        return;
      } catch {
        // Not possible in this channel: show it to the person at least.
      }
    }
    addNote({
      userId: target.userId,
      channelId: target.channelId,
      ...(target.threadTs ? { threadTs: target.threadTs } : {}),
      text,
      ...(blocks ? { blocks } : {}),
      source,
    });
  };

  const removeOrigin = (origin: NonNullable<ResponseTarget["origin"]>, target: ResponseTarget) => {
    if (origin.kind === "note") {
      const index = notes.findIndex((n) => n.id === origin.id);
      if (index >= 0) notes.splice(index, 1);
      broadcast("note");
    } else {
      hiddenEphemerals.add(ephemeralKey(target.channelId, target.userId, origin.ts));
      broadcast("ephemeral");
    }
  };

  function receiveResponse(entry: SinkEntry): void {
    const target = responseTargets.get(entry.url);
    if (!target || !isRecord(entry.body)) return;
    showMessagePayload(entry.body, target, "response");
  }

  const postJson = (
    path: string,
    handler: (input: unknown, request: RouteRequest) => Promise<unknown>,
  ): void => {
    router.on("POST", path, async (request) => {
      const { req, res, body } = request;
      if (!sameOrigin(req)) return sendJson(res, 403, { error: "Cross-site requests are refused." });
      let input: unknown;
      try {
        const raw = (await body(BODY_LIMIT)).toString("utf8");
        input = raw.trim() === "" ? {} : JSON.parse(raw);
      } catch (err) {
        if (err instanceof SyntaxError) return sendJson(res, 400, { error: "The body is not JSON." });
        throw err;
      }
      try {
        sendJson(res, 200, await handler(input, request));
      } catch (err) {
        if (err instanceof PageError) return sendJson(res, err.status, { error: err.message });
        if (err instanceof z.ZodError) {
          return sendJson(res, 400, {
            error: err.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "),
          });
        }
        throw err;
      }
    });
  };

  // ---------------------------------------------------------------------------------------- the page

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
    if (closed) return sendJson(res, 503, { error: "stopping" });
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    // Reconnect after a second when the stream drops (EventSource does it by itself).
    res.write("retry: 1000\n\n");
    clients.add(res);
    heartbeat ??= setInterval(() => {
      for (const client of clients) client.write(": keep-alive\n\n");
    }, 20_000).unref();
    req.on("close", () => clients.delete(res));
    // A write racing a disconnect must not become an unhandled 'error' event.
    res.on("error", () => clients.delete(res));
  });

  router.on("GET", "/sandbox/api/state", async ({ res, url }) => {
    const as = url.searchParams.get("as");
    if (as === null) return sendJson(res, 200, await state(undefined));
    const parsed = userIdSchema.safeParse(as);
    const user = parsed.success ? slack.user(parsed.data) : undefined;
    if (!user || user.isBot) return sendJson(res, 400, { error: `There is no person ${as} in the sandbox.` });
    sendJson(res, 200, await state(user));
  });

  async function state(me: StandInUser | undefined) {
    const channels = (me ? visibleChannels(me) : slack.allChannels()).map((c) => ({
      ...c,
      messages: slack.messages(c.id),
    }));
    const ephemerals = slack
      .ephemerals()
      .filter((e) => (me ? e.user === me.id : true))
      .filter((e) => !hiddenEphemerals.has(ephemeralKey(e.channel, e.user, e.ts)));
    const now = clock.now();
    return {
      me: me ? publicUser(me) : null,
      people: sandbox,
      users: allUsers().map(publicUser),
      teams: [sandbox.homeTeam, sandbox.customerTeam],
      bot: { userId: sandbox.botUserId, botId: sandbox.botId, name: sandbox.botName },
      channels,
      ephemerals,
      notes: me ? notes.filter((n) => n.userId === me.id) : [],
      home: me ? (slack.homeView(me.id) ?? null) : null,
      modal: me ? openModal(me.id) : null,
      clock: { now: now.getTime(), offsetMs: now.getTime() - Date.now() },
      onboardings: await onboardings(),
    };
  }

  function allUsers(): StandInUser[] {
    const ids = new Set<string>([sandbox.rep.id, sandbox.hrAdmin.id, sandbox.botUserId]);
    for (const channel of slack.allChannels()) for (const id of channel.members) ids.add(id);
    return [...ids].flatMap((id) => {
      const user = slack.user(id);
      return user ? [user] : [];
    });
  }

  function publicUser(user: StandInUser) {
    return {
      id: user.id,
      teamId: user.teamId,
      name: user.name,
      realName: user.id === sandbox.botUserId ? sandbox.botName : (user.realName ?? user.name),
      tz: user.tz ?? deps.ctx.config.defaultTimeZone,
      isBot: user.isBot === true,
      external: user.teamId !== sandbox.homeTeam.id,
    };
  }

  /** The modal on top of this person's stack (views opened from their triggers and not closed). */
  function openModal(userId: string) {
    const views = slack.openedViews.filter(
      (v) => v.triggerId !== undefined && triggerOwners.get(v.triggerId) === userId && !closedViews.has(v.id),
    );
    const top = views.at(-1);
    if (!top) return null;
    return { ...top, errors: viewErrors.get(top.id) ?? {} };
  }

  function findModal(userId: string, viewId: string): StoredView {
    const view = slack.openedViews.find((v) => v.id === viewId);
    if (!view?.triggerId || triggerOwners.get(view.triggerId) !== userId || closedViews.has(view.id)) {
      throw new PageError(404, "That dialog is no longer open.");
    }
    return view;
  }

  async function onboardings() {
    const rows = await deps.ctx.db.prisma.onboarding.findMany({
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
      const connection = finch.connection(o.id);
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

  // ---------------------------------------------------------------------------------------- acting

  // A slash command typed in a channel. Without `as`/`channelId` (curl, README): the rep in #general.
  postJson("/sandbox/api/command", async (raw) => {
    const input = commandBody.parse(raw);
    const driver = requireDriver();
    const user = person(input.as ?? sandbox.rep.id);
    const channelId = input.channelId ?? slack.channelByName("general")?.id;
    if (!channelId) throw new PageError(404, "There is no #general channel.");
    const channel = requireMember(user, channelId);
    const command = input.command ?? "/fleet";
    const answer = await driver.command({
      command,
      text: input.text,
      userId: user.id,
      teamId: user.teamId,
      userName: user.name,
      channelId,
      channelName: channel.isIm ? "directmessage" : channel.name,
      triggerId: newTriggerId(user.id),
    });
    const target: ResponseTarget = { userId: user.id, channelId };
    remember(responseTargets, answer.responseUrl, target);
    if (answer.status !== 200) {
      addNote({
        userId: user.id,
        channelId,
        text: `${command} failed with the following error: HTTP ${answer.status}`,
        source: "ack",
      });
    } else {
      showAck(answer.body, target);
    }
    for (const posted of driver.responses(answer.responseUrl)) {
      // Anything posted before the target was known (a very fast handler) is shown now.
      if (isRecord(posted)) showMessagePayload(posted, target, "response");
    }
    return { status: answer.status, ack: answer.body, responseUrl: answer.responseUrl };
  });

  // A plain message typed in a channel (or a thread): stored as the person's message, delivered as an event.
  postJson("/sandbox/api/message", async (raw) => {
    const input = messageBody.parse(raw);
    const driver = requireDriver();
    const user = person(input.as);
    const channel = requireMember(user, input.channelId);
    const event = slack.postUserMessage({
      channel: channel.id,
      user: user.id,
      text: input.text,
      ...(input.threadTs ? { threadTs: input.threadTs } : {}),
    });
    const answer = await driver.event(event, {
      teamId: sandbox.homeTeam.id,
      isExtSharedChannel: channel.isExtShared,
    });
    return { status: answer.status, ts: event.ts };
  });

  // A click, tick or pick in a message, an ephemeral message, a page note, the App Home or a modal.
  postJson("/sandbox/api/action", async (raw) => {
    const input = actionBody.parse(raw);
    const driver = requireDriver();
    const user = person(input.as);
    const c = input.container;
    const triggerId = newTriggerId(user.id);
    const action = input.action as Parameters<SlackDriver["blockActions"]>[0]["actions"][number];
    const stateValues = input.stateValues as Parameters<SlackDriver["blockActions"]>[0]["stateValues"];
    if (c.kind === "view") {
      const home = slack.homeView(user.id);
      const view = home?.id === c.viewId ? home : findModal(user.id, c.viewId);
      const answer = await driver.blockActions({
        user: driverUser(user),
        view: {
          id: view.id,
          type: view.type,
          callback_id: view.callback_id,
          private_metadata: view.private_metadata,
          blocks: view.blocks as never,
          hash: view.hash,
          state: { values: stateValues ?? {} },
        },
        actions: [action],
        triggerId,
        ...(stateValues ? { stateValues } : {}),
      });
      return { status: answer.status };
    }
    let channelId: string;
    let message: {
      ts: string;
      text: string;
      blocks?: unknown[];
      thread_ts?: string;
      user?: string;
      bot_id?: string;
    };
    let origin: ResponseTarget["origin"];
    let isEphemeral = false;
    if (c.kind === "note") {
      const note = notes.find((n) => n.id === c.id && n.userId === user.id);
      if (!note) throw new PageError(404, "That message is gone.");
      channelId = note.channelId;
      message = {
        ts: note.ts,
        text: note.text,
        ...(note.blocks ? { blocks: note.blocks } : {}),
        ...(note.threadTs ? { thread_ts: note.threadTs } : {}),
      };
      origin = { kind: "note", id: note.id };
      isEphemeral = true;
    } else if (c.kind === "ephemeral") {
      const ephemeral = slack.ephemerals(c.channelId).find((e) => e.ts === c.ts && e.user === user.id);
      if (!ephemeral) throw new PageError(404, "That message is gone.");
      channelId = c.channelId;
      message = {
        ts: ephemeral.ts,
        text: ephemeral.text,
        ...(ephemeral.blocks ? { blocks: ephemeral.blocks } : {}),
        ...(ephemeral.thread_ts ? { thread_ts: ephemeral.thread_ts } : {}),
      };
      origin = { kind: "ephemeral", ts: ephemeral.ts };
      isEphemeral = true;
    } else {
      const stored = slack.messages(c.channelId).find((m) => m.ts === c.ts);
      if (!stored) throw new PageError(404, "That message was deleted.");
      channelId = c.channelId;
      message = {
        ts: stored.ts,
        text: stored.text,
        user: stored.user,
        ...(stored.bot_id ? { bot_id: stored.bot_id } : {}),
        ...(stored.blocks ? { blocks: stored.blocks } : {}),
        ...(stored.thread_ts ? { thread_ts: stored.thread_ts } : {}),
      };
    }
    const channel = requireMember(user, channelId);
    const answer = await driver.blockActions({
      user: driverUser(user),
      channelId,
      channelName: channel.isIm ? "directmessage" : channel.name,
      message,
      actions: [action],
      triggerId,
      isEphemeral,
      ...(stateValues ? { stateValues } : {}),
    });
    if (answer.responseUrl) {
      const target: ResponseTarget = {
        userId: user.id,
        channelId,
        ...(message.thread_ts ? { threadTs: message.thread_ts } : {}),
        ...(origin ? { origin } : {}),
      };
      remember(responseTargets, answer.responseUrl, target);
      for (const posted of driver.responses(answer.responseUrl)) {
        if (isRecord(posted)) showMessagePayload(posted, target, "response");
      }
    }
    return { status: answer.status };
  });

  // The modal's submit button.
  postJson("/sandbox/api/view/submit", async (raw) => {
    const input = viewSubmitBody.parse(raw);
    const driver = requireDriver();
    const user = person(input.as);
    const view = findModal(user.id, input.viewId);
    const answer = await driver.viewSubmission({
      user: driverUser(user),
      view: {
        id: view.id,
        type: "modal",
        callback_id: view.callback_id,
        private_metadata: view.private_metadata,
        blocks: view.blocks as never,
        hash: view.hash,
        root_view_id: view.root_view_id,
        previous_view_id: view.previous_view_id,
        title: view.title as never,
        state: { values: input.values as never },
      },
      triggerId: newTriggerId(user.id),
    });
    const body = isRecord(answer.body) ? answer.body : {};
    const responseAction = typeof body.response_action === "string" ? body.response_action : null;
    if (answer.status !== 200) {
      return { status: answer.status, closed: false, error: "The app did not accept the form." };
    }
    if (responseAction === "errors" && isRecord(body.errors)) {
      viewErrors.set(view.id, stringRecord(body.errors));
      broadcast("view");
      return { status: answer.status, closed: false, errors: viewErrors.get(view.id) };
    }
    viewErrors.delete(view.id);
    if (responseAction === "clear") {
      for (const v of slack.openedViews) if (v.root_view_id === view.root_view_id) closedViews.add(v.id);
    } else if (responseAction !== "update" && responseAction !== "push") {
      closedViews.add(view.id);
    }
    broadcast("view");
    return { status: answer.status, closed: closedViews.has(view.id), responseAction };
  });

  // The modal's close button (the app gets no request: none of its modals set notify_on_close).
  postJson("/sandbox/api/view/close", async (raw) => {
    const input = viewCloseBody.parse(raw);
    const user = person(input.as);
    const view = findModal(user.id, input.viewId);
    for (const v of slack.openedViews) if (v.root_view_id === view.root_view_id) closedViews.add(v.id);
    broadcast("view");
    return { closed: true };
  });

  // Opening the app's Home tab: Slack sends app_home_opened, the app publishes the view.
  postJson("/sandbox/api/home/open", async (raw) => {
    const input = asBody.parse(raw);
    const driver = requireDriver();
    const user = person(input.as);
    const home = slack.homeView(user.id);
    const im = slack.allChannels().find((c) => c.isIm && c.members.includes(user.id));
    const answer = await driver.event(
      {
        type: "app_home_opened",
        user: user.id,
        channel: im?.id ?? `D0${user.id.slice(1)}`,
        tab: "home",
        event_ts: (clock.now().getTime() / 1000).toFixed(6),
        ...(home ? { view: { id: home.id, type: "home", hash: home.hash } } : {}),
      },
      { teamId: sandbox.homeTeam.id },
    );
    return { status: answer.status };
  });

  // ---------------------------------------------------------------------------------------- controls

  // The clock control: move to the selected onboarding's day-before reminder and run the scheduler once.
  postJson("/sandbox/api/clock/reminder", async (raw) => {
    const input = onboardingBody.parse(raw);
    const prisma = deps.ctx.db.prisma;
    const o = await prisma.onboarding.findUnique({ where: { id: input.onboardingId } });
    if (!o) throw new PageError(404, "That onboarding does not exist.");
    if (o.status !== "active") throw new PageError(409, `That onboarding is ${o.status}: no reminder.`);
    const now = clock.now();
    if (!o.callAt) throw new PageError(409, "No onboarding call is booked: book one with /fleet call.");
    if (o.callAt <= now) throw new PageError(409, "The onboarding call has already started.");
    const pending = await prisma.reminder.findFirst({
      where: { onboardingId: o.id, kind: ReminderKind.dayBefore, status: "pending" },
      orderBy: { dueAt: "asc" },
    });
    if (!pending) {
      const sent = await prisma.reminder.findFirst({
        where: { onboardingId: o.id, kind: ReminderKind.dayBefore, status: "sent", callAt: o.callAt },
        select: { sentAt: true },
      });
      if (sent) {
        const when = sent.sentAt?.toISOString() ?? "earlier";
        throw new PageError(409, `The day-before reminder for this call was already sent (${when}).`);
      }
    }
    // Without a queued row (the scheduler plans it on its next run) the reminder's moment is computed.
    const dueAt = pending?.dueAt ?? dayBeforeDueAt(o.callAt, o.timeZone, deps.ctx.config.reminderLocalTime);
    if (dueAt > now) clock.advance(dueAt.getTime() - now.getTime());
    const sent = await deps.reminderTick();
    broadcast("clock");
    return { now: clock.now().toISOString(), dueAt: dueAt.toISOString(), sent };
  });

  postJson("/sandbox/api/clock/advance", async (raw) => {
    const input = advanceBody.parse(raw);
    clock.advance(input.hours * 3_600_000);
    const sent = await deps.reminderTick();
    broadcast("clock");
    return { now: clock.now().toISOString(), sent };
  });

  // "Flip the switch in the HR system": the provider account now has every permission Finch asked for.
  postJson("/sandbox/api/finch/grant", async (raw) => {
    const input = onboardingBody.parse(raw);
    const connection = finch.connection(input.onboardingId);
    if (!connection) throw new PageError(404, "This onboarding has no Finch connection yet.");
    const updated = finch.setConnection(connection.connectionId, { deniedProducts: [] });
    broadcast("finch");
    return { status: updated.status, granted: connection.deniedProducts };
  });

  return {
    attachDriver(driver) {
      if (attached) attached.events.off("response", onResponse);
      attached = driver;
      driver.events.on("response", onResponse);
    },
    close() {
      closed = true;
      if (heartbeat) clearInterval(heartbeat);
      for (const res of clients) res.end();
      clients.clear();
      slack.events.off("message", onSlack.message);
      slack.events.off("message_changed", onSlack.message_changed);
      slack.events.off("ephemeral", onSlack.ephemeral);
      slack.events.off("view", onSlack.view);
      slack.events.off("invite", onSlack.invite);
      slack.events.off("channel", onSlack.channel);
      finch.events.off("connected", onFinch);
      finch.events.off("disconnected", onFinch);
      attached?.events.off("response", onResponse);
    },
  };
}

// ---------------------------------------------------------------------------------------- the page files

/** The page's folder: beside this module, or (from dist/) the repository's src/sandbox/page. */
function pageDir(): string {
  const beside = fileURLToPath(new URL("./page/", import.meta.url));
  if (existsSync(beside)) return beside;
  return fileURLToPath(new URL("../../../src/sandbox/page/", import.meta.url));
}

/**
 * Reads the page once, at start-up, into one self-contained response: the renderer script and the style
 * sheet are inlined and pinned by hash in the Content-Security-Policy, so nothing else can run or load.
 */
function loadPage(): { html: string; csp: string } {
  const dir = pageDir();
  const script = readFileSync(join(dir, "sandbox.js"), "utf8");
  const style = readFileSync(join(dir, "sandbox.css"), "utf8");
  if (/<\/script/i.test(script) || /<\/style/i.test(style)) {
    throw new Error("src/sandbox/page: the script or style sheet contains a closing tag");
  }
  const hash = (text: string) => `'sha256-${createHash("sha256").update(text).digest("base64")}'`;
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Fleet Concierge · sandbox</title>
<link rel="icon" href="data:,">
<style>${style}</style>
</head>
<body>
<noscript>The sandbox page needs JavaScript.</noscript>
<div id="app"></div>
<script>${script}</script>
</body>
</html>
`;
  const csp = [
    "default-src 'none'",
    `script-src ${hash(script)}`,
    `style-src ${hash(style)}`,
    "img-src 'self' https: http: data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
  return { html, csp };
}

// ---------------------------------------------------------------------------------------- small helpers

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function stringRecord(value: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
}

/** Map.set that forgets the oldest entries beyond {@link MAX_REMEMBERED}. */
function remember<K, V>(map: Map<K, V>, key: K, value: V): void {
  map.set(key, value);
  for (const oldest of map.keys()) {
    if (map.size <= MAX_REMEMBERED) break;
    map.delete(oldest);
  }
}

function ephemeralKey(channelId: string, userId: string, ts: string): string {
  return `${channelId}:${userId}:${ts}`;
}

/** Browsers send Origin on cross-site POSTs: only the page itself (or curl, which sends none) may act. */
function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}
