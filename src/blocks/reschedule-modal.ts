/** The "Move the call" modal opened by the Reschedule button. Pure builder plus the reader of its state. */
import type { KnownBlock, ModalView } from "@slack/types";
import { CallbackId } from "../slack-gateway/ids.ts";
import { toUnixSeconds } from "../time.ts";
import { formatCallTime, zoneName } from "../time-zones.ts";
import { clipText, escapeMrkdwn } from "./mrkdwn.ts";
import { buildZoneSelect, readZoneField } from "./zone-select.ts";

/** Block and action ids of the modal's inputs (one place, read back by the submission handler). */
export const RescheduleField = {
  call: "call_at",
  timeZone: "call_time_zone",
} as const;

/** What the modal shows. */
export interface RescheduleModalInput {
  onboardingId: string;
  companyName: string;
  callAt: Date | null;
  timeZone: string;
  /** Only a call still ahead is pre-filled (a past one would be refused on submit). */
  now: Date;
  reminderLocalTime: string;
}

/** Builds the modal; `private_metadata` carries the onboarding id. */
export function buildRescheduleModal(input: RescheduleModalInput): ModalView {
  const current = input.callAt
    ? `Currently ${formatCallTime(input.callAt, input.timeZone)}.`
    : "No call booked yet.";
  const prefill = input.callAt && input.callAt > input.now ? toUnixSeconds(input.callAt) : undefined;
  const blocks: KnownBlock[] = [
    {
      type: "section",
      block_id: "reschedule:intro",
      text: {
        type: "mrkdwn",
        text: `*${escapeMrkdwn(clipText(input.companyName.trim(), 200))}* — onboarding call\n${current}`,
      },
    },
    {
      type: "input",
      block_id: RescheduleField.call,
      label: { type: "plain_text", text: "New date and time" },
      hint: { type: "plain_text", text: "In your own Slack time zone." },
      element: {
        type: "datetimepicker",
        action_id: RescheduleField.call,
        ...(prefill !== undefined ? { initial_date_time: prefill } : {}),
      },
    },
    {
      type: "input",
      block_id: RescheduleField.timeZone,
      label: { type: "plain_text", text: "Customer's time zone" },
      hint: {
        type: "plain_text",
        text: `The customer is reminded at ${input.reminderLocalTime} ${zoneName(input.timeZone, input.now)} on the day before.`,
      },
      element: buildZoneSelect(RescheduleField.timeZone, input.timeZone),
    },
  ];
  return {
    type: "modal",
    callback_id: CallbackId.rescheduleModal,
    title: { type: "plain_text", text: "Move the call" },
    submit: { type: "plain_text", text: input.callAt ? "Move call" : "Book call" },
    close: { type: "plain_text", text: "Cancel" },
    private_metadata: input.onboardingId,
    blocks,
  };
}

type StateValues = Record<
  string,
  | Record<
      string,
      | {
          value?: string | null;
          selected_date_time?: number | null;
          selected_option?: { value: string } | null;
        }
      | undefined
    >
  | undefined
>;

/** Reads the submitted modal: the picked instant (null when empty) and the zone (IANA when known). */
export function readRescheduleModal(values: StateValues): { callAt: Date | null; timeZone: string } {
  const when = values[RescheduleField.call]?.[RescheduleField.call]?.selected_date_time;
  return {
    callAt: typeof when === "number" && Number.isFinite(when) ? new Date(when * 1000) : null,
    timeZone: readZoneField(values[RescheduleField.timeZone]?.[RescheduleField.timeZone]),
  };
}
