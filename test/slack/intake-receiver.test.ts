/**
 * The intake's receiver decorator (src/slack/intake/receiver.ts): a stored block action or event is
 * acknowledged before its listener runs (Slack reads nothing from that acknowledgement), while a slash
 * command's or a form's acknowledgement waits for its listener, which may answer in it.
 */
import type { App, Receiver, ReceiverEvent } from "@slack/bolt";
import { describe, expect, it } from "vitest";
import type { DurableIntake } from "../../src/intake/intake.ts";
import { createLogger } from "../../src/logger.ts";
import { type IntakeReceiverDeps, withDurableIntake } from "../../src/slack/intake/receiver.ts";

function setUp(parseContext?: IntakeReceiverDeps["parseContext"]) {
  let facade: App | undefined;
  const inner = {
    init: (app: App) => {
      facade = app;
    },
    start: async () => {},
    stop: async () => {},
  } as Receiver;
  let finishApply = () => {};
  const applying = new Promise<void>((r) => {
    finishApply = r;
  });
  const intake = {
    handle: () => intake,
    take: async () => "apply-now",
    applyNow: () => applying,
  } as unknown as DurableIntake;
  const app = { processEvent: async () => {} } as unknown as App;
  withDurableIntake(inner, {
    intake,
    logger: createLogger({ level: "silent" }),
    forwardAnswer: async () => {},
    ...(parseContext ? { parseContext } : {}),
  }).init(app);
  return { facade: facade as App, finishApply };
}

const bodies: Record<string, Record<string, unknown>> = {
  block_actions: {
    type: "block_actions",
    trigger_id: "1.2.a",
    actions: [{ action_id: "x", action_ts: "1.1" }],
  },
  event: { type: "event_callback", event_id: "Ev1", event: { type: "member_joined_channel", channel: "C1" } },
  slash_command: { command: "/fleet", text: "status", trigger_id: "1.2.b", channel_id: "C1", user_id: "U1" },
  view_submission: {
    type: "view_submission",
    trigger_id: "1.2.c",
    view: { id: "V1", hash: "h", callback_id: "f" },
  },
};

describe("when the intake acknowledges", () => {
  it.each([
    ["block_actions", true],
    ["event", true],
    ["slash_command", false],
    ["view_submission", false],
  ])("%s: acknowledged before its listener finished: %s", async (name, early) => {
    const { facade, finishApply } = setUp();
    const acks: unknown[] = [];
    const event = {
      body: bodies[name],
      ack: async (r?: unknown) => void acks.push(r),
    } as unknown as ReceiverEvent;
    const processing = facade.processEvent(event);
    await new Promise((r) => setTimeout(r, 20));
    expect(acks.length).toBe(early ? 1 : 0);
    finishApply();
    await processing;
    // Exactly one acknowledgement either way.
    expect(acks).toHaveLength(1);
  });
});

describe("what the acknowledgement waits for", () => {
  // The parser's context holds every provider (the templates, loaded and checked on first use: ~0.8 s, seconds
  // on a busy host). Asked for every delivery, a replica's first button press waited for it inside Slack's
  // 3-second window and was answered 404 by Bolt.
  it("asks for the command parser's context only for slash commands that may set something", async () => {
    let asked = 0;
    const { facade, finishApply } = setUp(() => {
      asked++;
      return { now: new Date(0), defaultTimeZone: "America/Chicago", providers: [] };
    });
    finishApply();
    for (const name of ["block_actions", "event", "view_submission"]) {
      await facade.processEvent({ body: bodies[name], ack: async () => {} } as unknown as ReceiverEvent);
    }
    expect(asked).toBe(0);
    // `/fleet status` sets nothing: told by its first word, without the context.
    await facade.processEvent({
      body: bodies.slash_command,
      ack: async () => {},
    } as unknown as ReceiverEvent);
    expect(asked).toBe(0);
    await facade.processEvent({
      body: { ...bodies.slash_command, text: "call 2027-03-02T15:00", trigger_id: "1.2.z" },
      ack: async () => {},
    } as unknown as ReceiverEvent);
    expect(asked).toBe(1);
  });
});
