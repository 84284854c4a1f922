/** Acting as a person of the sandbox: commands, messages, clicks, modals and the Home tab, via the driver. */
import type { z } from "zod";
import type { Router } from "../../http/router.ts";
import type { StandInUser } from "../slack/index.ts";
import type { SlackDriver } from "../slack-driver/index.ts";
import { actionBody, asBody, commandBody, messageBody, viewCloseBody, viewSubmitBody } from "./bodies.ts";
import { postJson } from "./post-json.ts";
import {
  isRecord,
  PageError,
  type PageSession,
  type ResponseTarget,
  remember,
  stringRecord,
} from "./session.ts";

/** Mounts the POST routes that act as the rep or the HR admin. */
export function mountActingRoutes(router: Router, s: PageSession): void {
  postJson(router, "/sandbox/api/command", (raw) => runCommand(s, raw));
  postJson(router, "/sandbox/api/message", (raw) => postMessage(s, raw));
  postJson(router, "/sandbox/api/action", (raw) => clickAction(s, raw));
  postJson(router, "/sandbox/api/view/submit", (raw) => submitView(s, raw));
  postJson(router, "/sandbox/api/view/close", (raw) => closeView(s, raw));
  postJson(router, "/sandbox/api/home/open", (raw) => openHome(s, raw));
}

/** A slash command typed in a channel. Without `as`/`channelId` (curl, README): the rep in #general. */
async function runCommand(s: PageSession, raw: unknown) {
  const input = commandBody.parse(raw);
  const driver = s.requireDriver();
  const user = s.person(input.as ?? s.sandbox.rep.id);
  const channelId = input.channelId ?? s.slack.channelByName("general")?.id;
  if (!channelId) throw new PageError(404, "There is no #general channel.");
  const channel = s.requireMember(user, channelId);
  const command = input.command ?? "/fleet";
  const answer = await driver.command({
    command,
    text: input.text,
    userId: user.id,
    teamId: user.teamId,
    userName: user.name,
    channelId,
    channelName: channel.isIm ? "directmessage" : channel.name,
    triggerId: s.newTriggerId(user.id),
  });
  const target: ResponseTarget = { userId: user.id, channelId };
  remember(s.responseTargets, answer.responseUrl, target);
  if (answer.status !== 200) {
    s.addNote({
      userId: user.id,
      channelId,
      text: `${command} failed with the following error: HTTP ${answer.status}`,
      source: "ack",
    });
  } else {
    s.showAck(answer.body, target);
  }
  for (const posted of driver.responses(answer.responseUrl)) {
    // Anything posted before the target was known (a very fast handler) is shown now.
    if (isRecord(posted)) s.showMessagePayload(posted, target, "response");
  }
  return { status: answer.status, ack: answer.body, responseUrl: answer.responseUrl };
}

/** A plain message typed in a channel (or a thread): stored as the person's message, delivered as an event. */
async function postMessage(s: PageSession, raw: unknown) {
  const input = messageBody.parse(raw);
  const driver = s.requireDriver();
  const user = s.person(input.as);
  const channel = s.requireMember(user, input.channelId);
  const event = s.slack.postUserMessage({
    channel: channel.id,
    user: user.id,
    text: input.text,
    ...(input.threadTs ? { threadTs: input.threadTs } : {}),
  });
  const answer = await driver.event(event, {
    teamId: s.sandbox.homeTeam.id,
    isExtSharedChannel: channel.isExtShared,
  });
  return { status: answer.status, ts: event.ts };
}

/** A click, tick or pick in a message, an ephemeral message, a page note, the App Home or a modal. */
async function clickAction(s: PageSession, raw: unknown) {
  const input = actionBody.parse(raw);
  const driver = s.requireDriver();
  const user = s.person(input.as);
  const c = input.container;
  const triggerId = s.newTriggerId(user.id);
  const action = input.action as Parameters<SlackDriver["blockActions"]>[0]["actions"][number];
  const stateValues = input.stateValues as Parameters<SlackDriver["blockActions"]>[0]["stateValues"];
  if (c.kind === "view") {
    const home = s.slack.homeView(user.id);
    const view = home?.id === c.viewId ? home : s.findModal(user.id, c.viewId);
    const answer = await driver.blockActions({
      user: s.driverUser(user),
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
  const { channelId, message, origin, isEphemeral } = clickedMessage(s, user, c);
  const channel = s.requireMember(user, channelId);
  const answer = await driver.blockActions({
    user: s.driverUser(user),
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
    remember(s.responseTargets, answer.responseUrl, target);
    for (const posted of driver.responses(answer.responseUrl)) {
      if (isRecord(posted)) s.showMessagePayload(posted, target, "response");
    }
  }
  return { status: answer.status };
}

/** The modal's submit button. */
async function submitView(s: PageSession, raw: unknown) {
  const input = viewSubmitBody.parse(raw);
  const driver = s.requireDriver();
  const user = s.person(input.as);
  const view = s.findModal(user.id, input.viewId);
  const answer = await driver.viewSubmission({
    user: s.driverUser(user),
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
    triggerId: s.newTriggerId(user.id),
  });
  const body = isRecord(answer.body) ? answer.body : {};
  const responseAction = typeof body.response_action === "string" ? body.response_action : null;
  if (answer.status !== 200) {
    return { status: answer.status, closed: false, error: "The app did not accept the form." };
  }
  if (responseAction === "errors" && isRecord(body.errors)) {
    s.viewErrors.set(view.id, stringRecord(body.errors));
    s.broadcast("view");
    return { status: answer.status, closed: false, errors: s.viewErrors.get(view.id) };
  }
  s.viewErrors.delete(view.id);
  if (responseAction === "clear") {
    for (const v of s.slack.openedViews) if (v.root_view_id === view.root_view_id) s.closedViews.add(v.id);
  } else if (responseAction !== "update" && responseAction !== "push") {
    s.closedViews.add(view.id);
  }
  s.broadcast("view");
  return { status: answer.status, closed: s.closedViews.has(view.id), responseAction };
}

/** The modal's close button (the app gets no request: none of its modals set notify_on_close). */
async function closeView(s: PageSession, raw: unknown) {
  const input = viewCloseBody.parse(raw);
  const user = s.person(input.as);
  const view = s.findModal(user.id, input.viewId);
  for (const v of s.slack.openedViews) if (v.root_view_id === view.root_view_id) s.closedViews.add(v.id);
  s.broadcast("view");
  return { closed: true };
}

/** Opening the app's Home tab: Slack sends app_home_opened, the app publishes the view. */
async function openHome(s: PageSession, raw: unknown) {
  const input = asBody.parse(raw);
  const driver = s.requireDriver();
  const user = s.person(input.as);
  const home = s.slack.homeView(user.id);
  const im = s.slack.allChannels().find((c) => c.isIm && c.members.includes(user.id));
  const answer = await driver.event(
    {
      type: "app_home_opened",
      user: user.id,
      channel: im?.id ?? `D0${user.id.slice(1)}`,
      tab: "home",
      event_ts: (s.clock.now().getTime() / 1000).toFixed(6),
      ...(home ? { view: { id: home.id, type: "home", hash: home.hash } } : {}),
    },
    { teamId: s.sandbox.homeTeam.id },
  );
  return { status: answer.status };
}

/** The message a click came from: a page note, an ephemeral message or a channel message. */
function clickedMessage(
  s: PageSession,
  user: StandInUser,
  c: Exclude<z.infer<typeof actionBody>["container"], { kind: "view" }>,
): {
  channelId: string;
  message: {
    ts: string;
    text: string;
    blocks?: unknown[];
    thread_ts?: string;
    user?: string;
    bot_id?: string;
  };
  origin?: ResponseTarget["origin"];
  isEphemeral: boolean;
} {
  if (c.kind === "note") {
    const note = s.notes.find((n) => n.id === c.id && n.userId === user.id);
    if (!note) throw new PageError(404, "That message is gone.");
    return {
      channelId: note.channelId,
      message: {
        ts: note.ts,
        text: note.text,
        ...(note.blocks ? { blocks: note.blocks } : {}),
        ...(note.threadTs ? { thread_ts: note.threadTs } : {}),
      },
      origin: { kind: "note", id: note.id },
      isEphemeral: true,
    };
  }
  if (c.kind === "ephemeral") {
    const ephemeral = s.slack.ephemerals(c.channelId).find((e) => e.ts === c.ts && e.user === user.id);
    if (!ephemeral) throw new PageError(404, "That message is gone.");
    return {
      channelId: c.channelId,
      message: {
        ts: ephemeral.ts,
        text: ephemeral.text,
        ...(ephemeral.blocks ? { blocks: ephemeral.blocks } : {}),
        ...(ephemeral.thread_ts ? { thread_ts: ephemeral.thread_ts } : {}),
      },
      origin: { kind: "ephemeral", ts: ephemeral.ts },
      isEphemeral: true,
    };
  }
  const stored = s.slack.messages(c.channelId).find((m) => m.ts === c.ts);
  if (!stored) throw new PageError(404, "That message was deleted.");
  return {
    channelId: c.channelId,
    message: {
      ts: stored.ts,
      text: stored.text,
      user: stored.user,
      ...(stored.bot_id ? { bot_id: stored.bot_id } : {}),
      ...(stored.blocks ? { blocks: stored.blocks } : {}),
      ...(stored.thread_ts ? { thread_ts: stored.thread_ts } : {}),
    },
    isEphemeral: false,
  };
}
