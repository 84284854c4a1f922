/**
 * How a Slack delivery is described to the durable intake: its de-duplication key, the order it must keep
 * (per channel), who made it and a short summary for the App Home's dead letters.
 */
import { randomUUID } from "node:crypto";
import type { IncomingDelivery } from "../../intake/delivery.ts";
import { fleetSubcommandWord, type ParseContext, parseFleetCommand } from "../commands/parse.ts";

type Body = Record<string, unknown>;

const str = (value: unknown): string | null => (typeof value === "string" && value !== "" ? value : null);
const obj = (value: unknown): Body => (typeof value === "object" && value !== null ? (value as Body) : {});

/**
 * A stable id for a delivery: event_id for events, trigger_id (+ action_ts) for commands and interactions.
 * Slack's retries of one delivery share it, and so do copies that reach two replicas.
 */
export function deliveryKey(body: Body): string | null {
  if (typeof body.event_id === "string") return `evt:${body.event_id}`;
  const trigger = typeof body.trigger_id === "string" ? body.trigger_id : null;
  if (typeof body.command === "string" && trigger) return `cmd:${trigger}`;
  if (body.type === "block_actions") {
    const first = Array.isArray(body.actions)
      ? (body.actions[0] as { action_ts?: string; action_id?: string })
      : undefined;
    if (trigger || first?.action_ts)
      return `act:${trigger ?? ""}:${first?.action_id ?? ""}:${first?.action_ts ?? ""}`;
  }
  if (body.type === "view_submission") {
    const view = body.view as { id?: string; hash?: string } | undefined;
    // The trigger too: a form resubmitted after `response_action: "errors"` keeps its view id and hash,
    // and must not be dropped as a duplicate of the refused submission.
    if (view?.id) return `view:${view.id}:${view.hash ?? ""}:${trigger ?? ""}`;
  }
  return null;
}

/** Deliveries answered straight from memory, never stored: option lists (read-only, answer needs the data). */
export function bypassesIntake(body: Body): boolean {
  return body.type === "block_suggestion" || body.type === "url_verification" || body.type === "ssl_check";
}

/** Which kind of delivery: `slash_command`, `block_actions`, `view_submission`, `event:<type>`… */
export function deliveryKind(body: Body): string {
  if (typeof body.command === "string") return "slash_command";
  if (body.type === "event_callback") return `event:${str(obj(body.event).type) ?? "unknown"}`;
  return str(body.type) ?? "unknown";
}

function channelOf(body: Body): string | null {
  const event = obj(body.event);
  return (
    str(obj(body.channel).id) ??
    str(obj(body.container).channel_id) ??
    str(body.channel_id) ??
    str(event.channel) ??
    str(obj(event.channel).id) ??
    str(obj(event.item).channel)
  );
}

function userOf(body: Body): { userId: string | null; teamId: string | null } {
  const user = obj(body.user);
  const event = obj(body.event);
  return {
    userId: str(user.id) ?? str(body.user_id) ?? str(event.user) ?? str(obj(event.user).id),
    teamId: str(user.team_id) ?? str(obj(body.team).id) ?? str(body.team_id),
  };
}

function summaryOf(body: Body, kind: string): string {
  if (kind === "slash_command") return `${str(body.command) ?? "/fleet"} ${str(body.text) ?? ""}`.trim();
  if (kind === "block_actions") {
    const action = obj(Array.isArray(body.actions) ? body.actions[0] : undefined);
    const picked = Array.isArray(action.selected_options) ? action.selected_options.length : null;
    const what = str(action.action_id) ?? "a button";
    return action.type === "checkboxes"
      ? `checkbox ${what} (${picked ? "ticked" : "unticked"})`
      : `button ${what}`;
  }
  if (kind === "view_submission") return `form ${str(obj(body.view).callback_id) ?? ""}`.trim();
  return kind.replace(":", " ");
}

/** Block Kit elements whose action carries the element's whole state, not a change. */
const ABSOLUTE_ACTIONS = new Set([
  "checkboxes",
  "radio_buttons",
  "static_select",
  "datepicker",
  "timepicker",
  "datetimepicker",
  "multi_static_select",
]);

/** The only subcommands that set an element; any other word (or a parse failure) sets nothing. */
const SETTING_SUBCOMMANDS = new Set(["call", "owner", "provider", "onboard"]);

/**
 * The absolute states a `/fleet` command sets: the onboarding's call, owner or provider (`/fleet call`,
 * `owner`, `provider`, and `/fleet onboard` with `call=`, `owner=` or `provider=`). Named by the company typed,
 * or by the channel when none is (a customer channel). The same onboarding named both ways is two elements here,
 * so this is only the early check; the use case decides on the resolved onboarding (onboarding/field-changes.ts).
 * `absolute`: the command sets nothing else, so a newer change of its element makes it obsolete; an onboard
 * also creates the channel and invites, so it only overtakes older commands and is never obsolete itself.
 */
export function commandElements(
  body: Body,
  context: (() => ParseContext) | undefined,
): { elements: string[]; absolute: boolean } {
  const text = str(body.text);
  const none = { elements: [], absolute: false };
  if (!context || !text) return none;
  // Most commands (`/fleet status`, `help`, `link`…) set nothing: told by their first word, without the
  // provider list or a full parse, which the listener does anyway (it parses with its own context, maybe in
  // the applier thread, so a parse made here could not be handed to it).
  if (!SETTING_SUBCOMMANDS.has(fleetSubcommandWord(text))) return none;
  const parsed = parseFleetCommand(text, context());
  if (!parsed.ok) return none;
  const cmd = parsed.command;
  const of = (company: string | undefined) =>
    company
      ? `slack:company:${company.toLowerCase().replace(/\s+/g, " ")}`
      : `slack:${str(body.channel_id) ?? ""}`;
  if (cmd.kind === "call" || cmd.kind === "owner" || cmd.kind === "provider")
    return { elements: [`${of(cmd.company)}:set:${cmd.kind}`], absolute: true };
  if (cmd.kind !== "onboard") return none;
  const r = cmd.request;
  const sets = [
    r.callAt ? "call" : null,
    r.ownerUserId ? "owner" : null,
    r.providerAssumed ? null : "provider",
  ];
  return { elements: sets.flatMap((k) => (k ? [`${of(r.company)}:set:${k}`] : [])), absolute: false };
}

/**
 * Describes a verified Slack delivery for the intake. The legacy verification `token` is not kept. `parse`:
 * what the `/fleet` parser needs, to name what a command sets ({@link commandElements}); asked for slash
 * commands only, as it is not free (the provider list) and this runs inside Slack's 3-second window.
 */
export function describeSlackDelivery(
  body: Body,
  receivedAt: Date,
  parse?: () => ParseContext,
): IncomingDelivery {
  const { token: _token, ...kept } = body;
  const kind = deliveryKind(body);
  const channelId = channelOf(body);
  // Order matters within a channel (an invite accepted, then a tick), and for one element above all (a tick,
  // then its untick). A button or checkbox is ordered per element, so one delivery that keeps failing holds
  // back only later clicks of that same element, not the whole channel. A person's commands in a channel are
  // ordered too (`/fleet call 3pm`, then `/fleet call 4pm`), per person: a busy channel's `/fleet status` must
  // not wait behind someone else's slow `/fleet verify`. Forms are not ordered: each stands alone.
  const action =
    kind === "block_actions" ? obj(Array.isArray(body.actions) ? body.actions[0] : undefined) : {};
  const element = kind === "slash_command" ? `cmd:${userOf(body).userId ?? ""}` : str(action.action_id);
  const ordered = kind === "block_actions" || kind === "slash_command" || kind.startsWith("event:");
  const sets = kind === "slash_command" ? commandElements(body, parse) : null;
  return {
    key: deliveryKey(body) ?? `once:${randomUUID()}`,
    source: "slack",
    kind,
    orderKey: channelId && ordered ? `slack:${channelId}${element ? `:${element}` : ""}` : null,
    // A checkbox group, a picker or a select sends its whole state: a newer one applied makes an older obsolete.
    absolute: sets?.absolute ?? Boolean(element && channelId && ABSOLUTE_ACTIONS.has(str(action.type) ?? "")),
    ...(sets?.elements.length ? { elements: sets.elements } : {}),
    ...userOf(body),
    channelId,
    summary: summaryOf(body, kind).slice(0, 150),
    body: kept,
    receivedAt,
  };
}

/**
 * Whether Slack reads anything from this kind's acknowledgement. Only a slash command's (its answer) and a
 * form's (`response_action`: errors, update, push, clear) carry content; Slack ignores the body of the
 * acknowledgement of block actions, events, shortcuts and closed forms
 * (https://docs.slack.dev/interactivity/handling-user-interaction). Those are
 * acknowledged as soon as they are stored, before Bolt runs their listener.
 */
export function ackCarriesAnswer(kind: string): boolean {
  return kind === "slash_command" || kind === "view_submission" || kind === "block_suggestion";
}

/**
 * The answer Slack gets when a delivery is kept for later (spooled during an outage, queued behind an older one,
 * or left to the intake's worker under load): a slash command says so; everything else gets the empty
 * acknowledgement its listener would have sent.
 */
export function laterAnswer(kind: string): Record<string, unknown> | undefined {
  if (kind !== "slash_command") return undefined;
  return {
    response_type: "ephemeral",
    text: ":hourglass_flowing_sand: Got it. Fleet is catching up and will answer here shortly.",
  };
}
