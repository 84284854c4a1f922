/**
 * The interactive setup checklist posted in the customer's channel, built from an HR-provider template
 * and the stored state of its items. Pure: the same input always renders the same message, so the
 * whole message is simply re-rendered (with a fresh nonce) after every tick or verification.
 */
import type {
  ActionsBlockElement,
  Button,
  Checkboxes,
  ContextBlock,
  KnownBlock,
  MrkdwnElement,
  Option,
  PlainTextElement,
} from "@slack/types";
import { checklistItems, placeholderValuesFor } from "../checklist/items.ts";
import { withLoginHolder } from "../checklist/login-holder.ts";
import { customerOpenSentence, fleetOpenSentence, whoChecks } from "../checklist/open-items.ts";
import { computeProgress, type ItemState, progressBar } from "../checklist/progress.ts";
import type {
  ChecklistItem,
  LoginHolder,
  PlaceholderValues,
  ProviderTemplate,
  TemplateStep,
} from "../checklist/template-format.ts";
import { ActionId, MetadataEventType, tickActionId } from "../slack-gateway/ids.ts";
import {
  actions,
  fillMrkdwn,
  mrkdwn,
  plain,
  section,
  slackDate,
  truncateMrkdwn,
  utcDay,
  utcMinute,
  validDate,
} from "./checklist-blocks.ts";
import { BLOCK_KIT_LIMITS } from "./limits.ts";
import { clipText, escapeMrkdwn } from "./mrkdwn.ts";

/** What the checklist is rendered from. */
export interface ChecklistMessageInput {
  template: ProviderTemplate;
  /** Who holds the integration user's login (checklist/login-holder.ts); the template is worded for them. */
  loginHolder?: LoginHolder;
  companyName: string;
  integrationUserName: string;
  integrationUserEmail: string;
  /** Item key → stored state; missing items are open. */
  state: ReadonlyMap<string, ItemState>;
  /** New on every render (letters, digits, `-`, `_`; ≤ 64): part of every `block_id`. */
  renderNonce: string;
  onboardingId: string;
  callAt?: Date | null;
  connectUrl?: string | null;
  /**
   * The customer's admins joined with limited Slack Connect invitations (our workspace forbids full ones): they
   * can post, but not add colleagues to the channel, so the guide says who can.
   */
  guestsPostOnly?: boolean;
}

/** Says who adds the customer's colleagues when their invitations let them post only. */
export const POST_ONLY_NOTE =
  ":busts_in_silhouette: *Adding colleagues:* your invitation lets you post here but not invite others — ask your Fleet rep to invite them.";

/** Metadata that marks the checklist message and carries its progress. */
export interface ChecklistMetadata {
  event_type: typeof MetadataEventType.checklist;
  event_payload: {
    onboarding_id: string;
    steps_done: number;
    steps_total: number;
    items_done: number;
    items_total: number;
  };
}

/** Arguments for `chat.postMessage` / `chat.update`, minus channel and ts. */
export interface ChecklistMessage {
  text: string;
  blocks: KnownBlock[];
  metadata: ChecklistMetadata;
}

const OWNER_BADGE = { customer: ":bust_in_silhouette: Your part", fleet: ":office: Fleet's part" } as const;
const NONCE_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const SLACK_USER_ID = /^[UW][A-Z0-9]{2,20}$/;

/** "Ticked on the private page by <address>", without the address when it would not fit. */
function pageTickedBy(byUserId: string | null | undefined, max: number): string {
  const base = "Ticked on the private page";
  const email = byUserId?.startsWith("email:") ? escapeMrkdwn(byUserId.slice(6)) : "";
  return email && base.length + email.length + 4 <= max ? `${base} by ${email}` : base;
}

/** The line under a checkbox: who ticked it and when, what proves it, or where to fix it. */
function describeItem(
  item: ChecklistItem,
  state: ItemState | undefined,
): PlainTextElement | MrkdwnElement | null {
  const max = BLOCK_KIT_LIMITS.optionDescription;
  if (state?.done) {
    const who =
      state.source === "finch"
        ? "Verified by Finch"
        : state.source === "page"
          ? pageTickedBy(state.byUserId, max)
          : state.byUserId && SLACK_USER_ID.test(state.byUserId)
            ? `Ticked by <@${state.byUserId}>`
            : "Ticked in Slack";
    const when = validDate(state.at) ? ` · ${slackDate(state.at, "{date_short}", utcDay(state.at))}` : "";
    return mrkdwn(`${who}${when}`.length <= max ? `${who}${when}` : who);
  }
  if (state?.note) return plain(clipText(`⚠️ ${state.note}`, max));
  // Who checks it, then the template's `fix` (who needs it, and where); the place alone when that does not fit.
  const who = whoChecks(item);
  if (!item.fix) return plain(who);
  const full = `${who} · ${item.fix}`;
  return plain(full.length <= max ? full : clipText(`${who} · ${item.where ?? item.fix}`, max));
}

function checkbox(item: ChecklistItem, state: ItemState | undefined): Checkboxes {
  const description = describeItem(item, state);
  // Slack accepts mrkdwn descriptions on checkbox options (mentions, dates); @slack/types only
  // declares plain_text, hence the cast.
  const option = {
    text: plain(clipText(item.label, BLOCK_KIT_LIMITS.optionText)),
    value: item.key,
    ...(description ? { description } : {}),
  } as Option;
  return {
    type: "checkboxes",
    action_id: tickActionId(item.key),
    options: [option],
    ...(state?.done ? { initial_options: [option] } : {}),
  };
}

/** For a step with permissions: which of them Finch proves, and which a person must confirm. */
function permissionsProofLine(step: TemplateStep): string {
  const manual = step.permissions.filter((p) => p.check === "none").map((p) => `*${escapeMrkdwn(p.label)}*`);
  if (manual.length === 0) return "_Finch confirms every one of these automatically once connected._";
  if (manual.length === step.permissions.length) {
    return "_Finch can't see these: tick each one yourself once it's on._";
  }
  const those = manual.length === 1 ? "that one" : "those";
  return (
    `_Finch confirms these automatically once connected, except ${manual.join(", ")}: ` +
    `tick ${those} yourself once granted._`
  );
}

function stepBlocks(
  step: TemplateStep,
  number: number,
  input: ChecklistMessageInput,
  ctx: {
    nonce: string;
    values: PlaceholderValues;
    items: readonly ChecklistItem[];
    done: boolean;
    itemsDone: number;
    withConnectButton: boolean;
  },
): KnownBlock[] {
  const { nonce } = ctx;
  const status = ctx.done ? "  :white_check_mark:" : "";
  const counter =
    step.permissions.length > 0 ? `  ·  ${ctx.itemsDone} of ${step.permissions.length} granted` : "";
  const body = [
    `*Step ${number} · ${escapeMrkdwn(step.title)}*${status}`,
    `${OWNER_BADGE[step.owner]}${counter}`,
    "",
    fillMrkdwn(step.instructions, ctx.values),
    ...(step.permissions.length > 0 ? ["", permissionsProofLine(step)] : []),
  ].join("\n");
  const blocks: KnownBlock[] = [
    { type: "divider", block_id: `div:s${number}:${nonce}` },
    section(`s${number}:${nonce}`, body),
  ];
  const stateOf = (itemKey: string) => input.state.get(itemKey);

  if (step.permissions.length === 0) {
    const item = ctx.items.find((i) => i.key === step.key);
    if (!item) return blocks;
    const elements: ActionsBlockElement[] = [checkbox(item, stateOf(item.key))];
    if (ctx.withConnectButton && input.connectUrl && !ctx.done) {
      const button: Button = {
        type: "button",
        action_id: ActionId.connectLink,
        text: plain(clipText(`Connect ${input.template.displayName}`, BLOCK_KIT_LIMITS.buttonText)),
        url: input.connectUrl,
        style: "primary",
      };
      elements.push(button);
    }
    blocks.push(actions(`s${number}:item:${item.key}:${nonce}`, elements));
    return blocks;
  }

  let group: string | undefined;
  let groupIndex = 0;
  for (const perm of step.permissions) {
    if (perm.group !== group) {
      group = perm.group;
      groupIndex += 1;
      blocks.push(section(`s${number}:group:${groupIndex}:${nonce}`, `*${escapeMrkdwn(perm.group)}*`));
    }
    const item = ctx.items.find((i) => i.key === perm.key);
    if (item)
      blocks.push(actions(`s${number}:perm:${perm.key}:${nonce}`, [checkbox(item, stateOf(item.key))]));
  }
  return blocks;
}

/** The placeholder values, escaped for mrkdwn. */
function escapedValues(input: ChecklistMessageInput): PlaceholderValues {
  const raw = placeholderValuesFor(input);
  return {
    companyName: escapeMrkdwn(raw.companyName),
    integrationUserName: escapeMrkdwn(raw.integrationUserName),
    integrationUserFirstName: escapeMrkdwn(raw.integrationUserFirstName),
    integrationUserLastName: escapeMrkdwn(raw.integrationUserLastName),
    integrationUserEmail: escapeMrkdwn(raw.integrationUserEmail),
  };
}

/** Header, overview, set-up notes and the progress line with its Status button. */
function headBlocks(h: {
  input: ChecklistMessageInput;
  template: ProviderTemplate;
  progress: ReturnType<typeof computeProgress>;
  fill: (text: string) => string;
  stepsLine: string;
}): KnownBlock[] {
  const { input, template, progress, fill, stepsLine } = h;
  const nonce = input.renderNonce;
  const provider = template.displayName;
  const company = input.companyName.trim();
  const blocks: KnownBlock[] = [
    {
      type: "header",
      block_id: `header:${nonce}`,
      text: plain(clipText(`${provider} setup for ${company}`, BLOCK_KIT_LIMITS.headerText)),
    },
    section(`overview:${nonce}`, fill(template.overview)),
    {
      type: "context",
      block_id: `setup:${nonce}`,
      elements: [
        mrkdwn(`:stopwatch: *Takes* ${fill(template.setupTime)}`),
        mrkdwn(`:key: *Before you begin:* ${fill(template.beforeYouBegin)}`),
        ...(input.guestsPostOnly ? [mrkdwn(POST_ONLY_NOTE)] : []),
        ...(template.finch.authNote === null
          ? []
          : [mrkdwn(`:link: *How you connect:* ${fill(template.finch.authNote)}`)]),
        mrkdwn(fill(template.security)),
      ],
    },
    {
      ...section(
        `progress:${nonce}`,
        `*${stepsLine}*   ${progressBar(progress.stepsDone, progress.stepsTotal)}\n${nextLine()}`,
      ),
      // Customers cannot run our slash command from their workspace: the status is a button, answered privately.
      accessory: {
        type: "button",
        action_id: ActionId.checklistStatus,
        text: plain("Status"),
        value: input.onboardingId,
      },
    },
  ];

  function nextLine(): string {
    if (progress.allDone)
      return `:white_check_mark: All done: ${escapeMrkdwn(provider)} is connected and verified.`;
    const yours = customerOpenSentence(progress, "customer");
    if (yours) return yours;
    return `:tada: Your part is done. ${fleetOpenSentence(progress)}`;
  }

  return blocks;
}

/** The onboarding call's date, when one is booked. */
function callBlock(input: ChecklistMessageInput): ContextBlock | null {
  const nonce = input.renderNonce;
  if (validDate(input.callAt)) {
    const call: ContextBlock = {
      type: "context",
      block_id: `call:${nonce}`,
      elements: [
        mrkdwn(
          `:calendar: *Onboarding call:* ` +
            slackDate(input.callAt, "{date_short_pretty} at {time}", utcMinute(input.callAt)),
        ),
      ],
    };
    return call;
  }

  return null;
}

/** The template's troubleshooting tips and help line, if it has any. */
function helpBlock(
  template: ProviderTemplate,
  fill: (text: string) => string,
  nonce: string,
): ContextBlock | null {
  const tips = template.troubleshooting.map((tip) => `• ${fill(tip)}`);
  const help = template.help === null ? [] : [fill(template.help)];
  if (tips.length > 0 || help.length > 0) {
    return {
      type: "context",
      block_id: `help:${nonce}`,
      elements: [
        mrkdwn(
          truncateMrkdwn(
            [...(tips.length > 0 ? [":bulb: *Troubleshooting*", ...tips] : []), ...help].join("\n"),
            BLOCK_KIT_LIMITS.sectionText,
          ),
        ),
      ],
    };
  }

  return null;
}

/** Builds the checklist message: header, progress, one section per step, one checkbox per item. */
export function buildChecklistMessage(input: ChecklistMessageInput): ChecklistMessage {
  const template = withLoginHolder(input.template, input.loginHolder ?? "fleet");
  const nonce = input.renderNonce;
  if (!NONCE_PATTERN.test(nonce)) {
    throw new RangeError(`renderNonce must be 1–64 letters, digits, "-" or "_" (got "${nonce}")`);
  }
  const progress = computeProgress(template, input.state);
  const items = checklistItems(template);
  const values = escapedValues(input);
  const fill = (text: string) => fillMrkdwn(text, values);
  const provider = template.displayName;
  const company = input.companyName.trim();
  const stepsLine = `${progress.stepsDone} of ${progress.stepsTotal} steps done`;
  const blocks = headBlocks({ input, template, progress, fill, stepsLine });
  const call = callBlock(input);
  if (call) blocks.push(call);

  // The Connect button sits with the step marked finchConnect, else with the last step that has a checkbox.
  const connectStep =
    template.steps.find((s) => s.finchConnect) ?? template.steps.findLast((s) => s.permissions.length === 0);
  template.steps.forEach((step, index) => {
    const stepProgress = progress.perStep[index];
    blocks.push(
      ...stepBlocks(step, index + 1, input, {
        nonce,
        values,
        items,
        done: stepProgress?.done ?? false,
        itemsDone: stepProgress?.itemsDone ?? 0,
        withConnectButton: step === connectStep,
      }),
    );
  });
  const help = helpBlock(template, fill, nonce);
  if (help) blocks.push(help);

  return {
    text: `${provider} setup checklist for ${escapeMrkdwn(clipText(company, 100))} — ${stepsLine}`,
    blocks,
    metadata: {
      event_type: MetadataEventType.checklist,
      event_payload: {
        onboarding_id: input.onboardingId,
        steps_done: progress.stepsDone,
        steps_total: progress.stepsTotal,
        items_done: progress.itemsDone,
        items_total: progress.itemsTotal,
      },
    },
  };
}
