/**
 * Small pure helpers of the checklist message: mrkdwn filling and clipping, dates, and the block shapes it
 * repeats.
 */
import type {
  ActionsBlock,
  ActionsBlockElement,
  MrkdwnElement,
  PlainTextElement,
  SectionBlock,
} from "@slack/types";
import { fillPlaceholders } from "../checklist/items.ts";
import type { PlaceholderValues } from "../checklist/template-format.ts";
import { BLOCK_KIT_LIMITS } from "./limits.ts";
import { clipText } from "./mrkdwn.ts";

/** Like {@link clipText}, and never leaves half an `&amp;` entity or an unclosed `<…>` link behind. */
export function truncateMrkdwn(value: string, max: number): string {
  if (value.length <= max) return value;
  const cut = clipText(value, max).slice(0, -1);
  return `${cut.replace(/&[a-z]*$/, "").replace(/<[^>]*$/, "")}…`;
}

/** A template's mrkdwn with its placeholders filled (values must already be escaped). */
export function fillMrkdwn(text: string, values: PlaceholderValues): string {
  // Breadcrumbs such as "Company > Permissions" are the one raw `>` templates use; Slack wants it escaped.
  return fillPlaceholders(text.replaceAll(" > ", " &gt; "), values);
}

export function plain(text: string): PlainTextElement {
  return { type: "plain_text", text, emoji: true };
}

export function mrkdwn(text: string): MrkdwnElement {
  return { type: "mrkdwn", text };
}

/** `<!date^…>`: every reader sees the time in their own time zone; the fallback is UTC. */
export function slackDate(date: Date, format: string, fallback: string): string {
  return `<!date^${Math.floor(date.getTime() / 1000)}^${format}|${fallback}>`;
}

export function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function utcMinute(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

export function validDate(date: Date | null | undefined): date is Date {
  return date instanceof Date && !Number.isNaN(date.getTime());
}

export function section(blockId: string, text: string): SectionBlock {
  return {
    type: "section",
    block_id: blockId,
    text: mrkdwn(truncateMrkdwn(text, BLOCK_KIT_LIMITS.sectionText)),
  };
}

export function actions(blockId: string, elements: ActionsBlockElement[]): ActionsBlock {
  return { type: "actions", block_id: blockId, elements };
}
