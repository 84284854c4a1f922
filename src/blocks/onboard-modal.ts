/** The "New onboarding" modal (`/fleet onboard` with no text, or the App Home button). Pure builder. */
import type { KnownBlock, PlainTextOption as Option, View } from "@slack/types";
import { type ProviderChoice, providerKey } from "../checklist/provider-names.ts";
import { CallbackId } from "../slack-gateway/ids.ts";
import { buildZoneSelect, readZoneField } from "./zone-select.ts";

/** Raw fields as typed by a person. */
export interface OnboardDraft {
  company?: string;
  hrEmails?: string[];
  /** `YYYY-MM-DDTHH:mm` wall time, or an instant already chosen with Slack's date-time picker. */
  call?: string | Date;
  timeZone?: string;
  /** The zone was typed (`tz=`), not a form's pre-filled default: a re-run then applies it (src/onboarding/rerun.ts). */
  timeZoneTyped?: boolean;
  provider?: string;
  ownerUserId?: string;
  /** `via=email`: the HR admins get their private page by email, and no Slack Connect invitation. */
  via?: "email";
}

/** Block and action ids of the modal's inputs (one place, read back by the submission handler). */
export const OnboardField = {
  company: "company",
  hrEmails: "hr_emails",
  provider: "provider",
  call: "call",
  timeZone: "time_zone",
  owner: "owner",
} as const;

/** The provider a new onboarding starts with, as for `/fleet onboard …` without provider=. */
const INITIAL_PROVIDER: Option = { text: { type: "plain_text", text: "Justworks" }, value: "justworks" };

/** Slack's limits for an options response: 100 options, option text 75 characters. */
export const MAX_PROVIDER_OPTIONS = 100;
const OPTION_TEXT_MAX = 75;

/**
 * The answer to the provider menu's `block_suggestion` (options load URL): providers whose id or name
 * contains what was typed, those with a step-by-step checklist first, in two labelled groups; at most 100.
 */
export function buildProviderOptions(
  providers: readonly ProviderChoice[],
  query: string,
): { option_groups: Array<{ label: { type: "plain_text"; text: string }; options: Option[] }> } {
  const key = providerKey(query);
  const matching = providers.filter(
    (p) => !key || providerKey(p.id).includes(key) || providerKey(p.name).includes(key),
  );
  const option = (p: ProviderChoice): Option => ({
    text: { type: "plain_text", text: p.name.slice(0, OPTION_TEXT_MAX) },
    value: p.id,
  });
  const shipped = matching.filter((p) => p.shipped !== false).slice(0, MAX_PROVIDER_OPTIONS);
  const generic = matching.filter((p) => p.shipped === false).slice(0, MAX_PROVIDER_OPTIONS - shipped.length);
  const groups = [
    { label: "Step-by-step checklist", options: shipped.map(option) },
    { label: "Other Finch providers (short guide)", options: generic.map(option) },
  ];
  return {
    option_groups: groups
      .filter((g) => g.options.length > 0)
      .map((g) => ({ label: { type: "plain_text", text: g.label }, options: g.options })),
  };
}

/** Who the customer is: company, HR admins to invite, HR provider. */
function customerInputs(): KnownBlock[] {
  return [
    {
      type: "input",
      block_id: OnboardField.company,
      label: { type: "plain_text", text: "Company" },
      element: {
        type: "plain_text_input",
        action_id: OnboardField.company,
        max_length: 80,
        placeholder: { type: "plain_text", text: "Acme Inc." },
      },
    },
    {
      type: "input",
      block_id: OnboardField.hrEmails,
      label: { type: "plain_text", text: "HR admin emails" },
      hint: {
        type: "plain_text",
        text: "One or more, separated by commas or new lines. Each gets a Slack Connect invitation.",
      },
      element: {
        type: "plain_text_input",
        action_id: OnboardField.hrEmails,
        multiline: true,
        max_length: 2000,
      },
    },
    {
      type: "input",
      block_id: OnboardField.provider,
      label: { type: "plain_text", text: "HR provider" },
      element: {
        type: "external_select",
        action_id: OnboardField.provider,
        min_query_length: 0,
        initial_option: INITIAL_PROVIDER,
        placeholder: { type: "plain_text", text: "Search HR providers" },
      },
    },
  ];
}

/** When the call is, in which zone, and which rep owns the onboarding. */
function callAndOwnerInputs(input: { defaultTimeZone: string; ownerUserId: string }): KnownBlock[] {
  return [
    {
      type: "input",
      block_id: OnboardField.call,
      optional: true,
      label: { type: "plain_text", text: "Onboarding call" },
      hint: {
        type: "plain_text",
        text: "Shown in your own time zone. The customer is reminded the day before.",
      },
      element: { type: "datetimepicker", action_id: OnboardField.call },
    },
    {
      type: "input",
      block_id: OnboardField.timeZone,
      label: { type: "plain_text", text: "Customer's time zone" },
      hint: {
        type: "plain_text",
        text: "Reminders go out at the customer's local morning.",
      },
      element: buildZoneSelect(OnboardField.timeZone, input.defaultTimeZone),
    },
    {
      type: "input",
      block_id: OnboardField.owner,
      label: { type: "plain_text", text: "Owning rep" },
      element: { type: "users_select", action_id: OnboardField.owner, initial_user: input.ownerUserId },
    },
  ];
}

/** Builds the modal. The provider menu loads its options from Finch's listing as the rep types. */
export function buildOnboardModal(input: {
  defaultTimeZone: string;
  ownerUserId: string;
  privateMetadata?: string;
}): View {
  const blocks: KnownBlock[] = [...customerInputs(), ...callAndOwnerInputs(input)];
  return {
    type: "modal",
    callback_id: CallbackId.onboardModal,
    title: { type: "plain_text", text: "New onboarding" },
    submit: { type: "plain_text", text: "Start" },
    close: { type: "plain_text", text: "Cancel" },
    private_metadata: input.privateMetadata ?? "",
    blocks,
  };
}

type StateValues = Record<
  string,
  Record<
    string,
    {
      value?: string | null;
      selected_option?: { value: string } | null;
      selected_date_time?: number | null;
      selected_user?: string | null;
    }
  >
>;

/** Reads a submitted modal back into the same draft the text command produces. */
export function readOnboardModal(values: StateValues): OnboardDraft {
  const field = (id: string) => values[id]?.[id];
  const emails = (field(OnboardField.hrEmails)?.value ?? "").split(/[\s,;]+/).filter(Boolean);
  const when = field(OnboardField.call)?.selected_date_time;
  return {
    company: field(OnboardField.company)?.value ?? "",
    hrEmails: emails,
    provider: field(OnboardField.provider)?.selected_option?.value,
    call: typeof when === "number" ? new Date(when * 1000) : undefined,
    timeZone: readZoneField(field(OnboardField.timeZone)) || undefined,
    ownerUserId: field(OnboardField.owner)?.selected_user ?? undefined,
  };
}

/** Maps validation problems to the modal field they concern (Slack shows them under the input). */
export function modalErrors(problems: string[]): Record<string, string> {
  const errors: Record<string, string> = {};
  const put = (field: string, text: string) => {
    errors[field] = errors[field] ? `${errors[field]}; ${text}` : text;
  };
  for (const p of problems) {
    if (/company/.test(p)) put(OnboardField.company, p);
    else if (/email/.test(p)) put(OnboardField.hrEmails, p);
    else if (/time zone/.test(p)) put(OnboardField.timeZone, p);
    else if (/provider/.test(p)) put(OnboardField.provider, p);
    else if (/call/.test(p)) put(OnboardField.call, p);
    else put(OnboardField.company, p);
  }
  // Slack caps each error message at 150 characters.
  for (const k of Object.keys(errors)) errors[k] = (errors[k] ?? "").slice(0, 150);
  return errors;
}
