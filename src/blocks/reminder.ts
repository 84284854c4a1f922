/**
 * The day-before-the-call reminder posted in the customer's channel. Pure: the scheduler gathers the
 * facts, this turns them into one message whose metadata lets the app find it again after a crash.
 */
import type { KnownBlock, MrkdwnElement, SectionBlock } from "@slack/types";
import { customerOpenSentence, fleetOpenSentence } from "../checklist/open-items.ts";
import type { OpenItem } from "../checklist/progress.ts";
import type { CallPrepItem } from "../checklist/template-format.ts";
import { ActionId, MetadataEventType } from "../slack-gateway/ids.ts";
import { formatCallTime, yourTime } from "../time-zones.ts";
import { BLOCK_KIT_LIMITS } from "./limits.ts";
import { clipText, escapeMrkdwn, mentions, plural } from "./mrkdwn.ts";

/** Everything the reminder shows. */
export interface CallReminderInput {
  reminderId: string;
  onboardingId: string;
  companyName: string;
  providerName: string;
  callAt: Date;
  /** The call's IANA zone: used for the fallback text of clients that cannot render `<!date>`. */
  timeZone: string;
  /** Titles of the checklist steps still open, by who has to act (progressOf → openByOwner). */
  openByOwner: { customer: readonly string[]; fleet: readonly string[] };
  /** Every open box with who acts (ChecklistProgress.openItems): named in "Still open" when given. */
  openItems?: readonly OpenItem[];
  allStepsDone: boolean;
  /** The Finch connection exists and was verified. */
  connectionVerified: boolean;
  /** The Finch Connect link; shown while the connection is not verified. */
  connectUrl: string | null;
  /** HR admins whose Slack user is known (accepted invites): mentioned so they get notified. */
  hrAdminUserIds: readonly string[];
  /** The rep who owns the onboarding (named as the person who can move the call). */
  ownerUserId: string;
  /** What to have at hand for the call (src/reminders/call-prep.ts). */
  haveReady: readonly CallPrepItem[];
  /** "Add to Google Calendar" link of the call (src/onboarding/calendar.ts). */
  calendarUrl: string;
  /** When the reminder goes out: the call's day is then "today" or "tomorrow" in the call's zone. */
  now?: Date;
}

/** Metadata of the reminder message: marks it as ours and says which reminder and call it was. */
export interface CallReminderMetadata {
  event_type: typeof MetadataEventType.reminder;
  event_payload: { kind: "day_before"; reminder_id: string; onboarding_id: string; call_at: string };
}

/** Arguments for `chat.postMessage`, minus the channel. */
export interface CallReminderMessage {
  text: string;
  blocks: KnownBlock[];
  metadata: CallReminderMetadata;
}

function section(blockId: string, text: string, accessory?: SectionBlock["accessory"]): SectionBlock {
  const mrkdwn: MrkdwnElement = { type: "mrkdwn", text: clipText(text, BLOCK_KIT_LIMITS.sectionText) };
  return { type: "section", block_id: blockId, text: mrkdwn, ...(accessory ? { accessory } : {}) };
}

function calendarButton(url: string): SectionBlock["accessory"] {
  return {
    type: "button",
    action_id: ActionId.addToCalendar,
    text: { type: "plain_text", text: "Add to Google Calendar", emoji: true },
    url,
  };
}

/** "today" / "tomorrow" when the call falls on that day in its own zone, seen from `now`; else "". */
/** One `en-CA` (YYYY-MM-DD) day formatter per zone: luxon's startOf/diff cost several offset lookups each. */
const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** The calendar day of `at` in `zone`, as days since 1970-01-01 (NaN for a zone Intl does not know). */
function localDayNumber(at: Date, zone: string): number {
  let format = dayFormats.get(zone);
  if (!format) {
    try {
      format = new Intl.DateTimeFormat("en-CA", {
        timeZone: zone,
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
      });
    } catch {
      return Number.NaN;
    }
    if (dayFormats.size >= 1_000) dayFormats.clear();
    dayFormats.set(zone, format);
  }
  const parts = format.formatToParts(at);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return Date.UTC(part("year"), part("month") - 1, part("day")) / 86_400_000;
}

function relativeDay(callAt: Date, now: Date, zone: string): string {
  const days = localDayNumber(callAt, zone) - localDayNumber(now, zone);
  return days === 0 ? "today" : days === 1 ? "tomorrow" : "";
}

function bullets(items: readonly string[]): string {
  return items.map((item) => `• ${escapeMrkdwn(item)}`).join("\n");
}

/** "Still open": each open box and who acts, from the checklist's one state (step titles when not given). */
function stillOpen(input: CallReminderInput): string {
  if (input.openItems) {
    const items = { openItems: [...input.openItems] };
    const yours = customerOpenSentence(items, "customer");
    return [
      "*Still open*",
      yours || ":white_check_mark: Your part is all done — thank you!",
      fleetOpenSentence(items),
    ]
      .filter(Boolean)
      .join("\n");
  }
  const { customer, fleet } = input.openByOwner;
  const open: string[] = ["*Still open*"];
  if (customer.length > 0) open.push(`For you:\n${bullets(customer)}`);
  else open.push(":white_check_mark: Your steps are all done — thank you!");
  if (fleet.length > 0) open.push(`For Fleet, on the call:\n${bullets(fleet)}`);
  return open.join("\n");
}

/** Marks the reminder message (kind, ids, call time) for later lookups. */
function reminderMetadata(input: CallReminderInput): CallReminderMetadata {
  const metadata: CallReminderMetadata = {
    event_type: MetadataEventType.reminder,
    event_payload: {
      kind: "day_before",
      reminder_id: input.reminderId,
      onboarding_id: input.onboardingId,
      call_at: input.callAt.toISOString(),
    },
  };
  return metadata;
}

/** The line under every reminder: who moves the call. */
function reminderFooter(owner: string): KnownBlock {
  const footer: KnownBlock = {
    type: "context",
    block_id: "reminder:footer",
    elements: [
      {
        type: "mrkdwn",
        text: `Can't make it? Say so here and ${owner} will move it.`,
      },
    ],
  };
  return footer;
}

/** Builds the reminder: call time, what is open by owner, what to have ready, the Connect link; or, when
 * everything is done and verified, a short confirmation instead. */
export function buildCallReminderMessage(input: CallReminderInput): CallReminderMessage {
  // The call's own zone as people say it, and the same instant in each reader's zone (Slack renders it).
  const day = input.now ? relativeDay(input.callAt, input.now, input.timeZone) : "";
  const when = `${day ? `${day}, ` : ""}${formatCallTime(input.callAt, input.timeZone)} (${yourTime(input.callAt, input.timeZone, "{time}")})`;
  const company = escapeMrkdwn(input.companyName.trim());
  const provider = escapeMrkdwn(input.providerName);
  const people = mentions(input.hrAdminUserIds);
  const owner = mentions([input.ownerUserId]) || "your Fleet rep";
  const metadata = reminderMetadata(input);
  const footer = reminderFooter(owner);

  if (input.allStepsDone && input.connectionVerified) {
    const text =
      `:white_check_mark: *All set for ${company}'s onboarding call ${when}.* Every step is done and ` +
      `${provider} is connected and verified — nothing left to prepare. See you on the call!` +
      (people ? `\n${people}` : "");
    return {
      text: `All set for the onboarding call ${formatCallTime(input.callAt, input.timeZone)}: nothing left to prepare.`,
      blocks: [section("reminder:done", text, calendarButton(input.calendarUrl)), footer],
      metadata,
    };
  }

  const { customer, fleet } = input.openByOwner;
  const open = stillOpen(input);
  const ready = input.connectionVerified
    ? [
        `:white_check_mark: *${provider} is already connected and verified* — nothing to log in to on the call.`,
      ]
    : [
        "*Have these ready for the call*",
        ...input.haveReady.map((item) => `• *${escapeMrkdwn(item.label)}* — ${item.detail}`),
      ];

  const blocks: KnownBlock[] = [
    section(
      "reminder:call",
      `:calendar: *Reminder: ${company}'s ${provider} onboarding call is ${when}.*` +
        (people ? `\n${people}, here is what helps it go smoothly.` : ""),
      calendarButton(input.calendarUrl),
    ),
    section("reminder:open", open),
    section("reminder:ready", ready.join("\n")),
  ];
  if (!input.connectionVerified && input.connectUrl) {
    blocks.push(
      section(
        "reminder:connect",
        `:link: *Connect ${provider} through Finch* — start before the call if you like; we finish it together.`,
        {
          type: "button",
          action_id: ActionId.connectLink,
          text: {
            type: "plain_text",
            text: clipText(`Connect ${input.providerName}`, BLOCK_KIT_LIMITS.buttonText),
          },
          url: input.connectUrl,
          style: "primary",
        },
      ),
    );
  }
  blocks.push(footer);
  const openCount = input.openItems ? input.openItems.length : customer.length + fleet.length;
  return {
    text:
      `Reminder: ${company}'s onboarding call is ${formatCallTime(input.callAt, input.timeZone)}` +
      ` — ${plural(openCount, input.openItems ? "thing" : "step")} still open.`,
    blocks,
    metadata,
  };
}
