/**
 * The stand-in's Block Kit check: the app's own validator (src/slack/views/limits.ts) decides, so the app and
 * its stand-in cannot disagree on a limit. A few refusals real Slack makes that limits.ts does not check yet
 * are added here (see {@link refusalsBeyondLimits}), so the stand-in stays as strict as it always was.
 */
import type { AnyBlock } from "@slack/types";
import { findBlockKitViolations } from "../../slack/views/limits.ts";
import { isRecord, maxChars, SlackApiError, textOf } from "./web-api-args.ts";

/** Slack's block limits: messages take 50 blocks, modals and App Home 100. */
export const MESSAGE_MAX_BLOCKS = 50;
export const VIEW_MAX_BLOCKS = 100;

/** The block types the stand-in accepts: fewer than limits.ts knows, as before the check was shared. */
const STAND_IN_BLOCK_TYPES: ReadonlySet<string> = new Set([
  "actions",
  "context",
  "divider",
  "file",
  "header",
  "image",
  "input",
  "markdown",
  "rich_text",
  "section",
  "table",
  "video",
]);

/** Throws Slack's `invalid_blocks` when the blocks break a Block Kit limit; `pointer` is their JSON path. */
export function checkBlocks(blocks: unknown[], maxBlocks: number, pointer = "/blocks"): void {
  const violations = findBlockKitViolations(blocks as AnyBlock[], { maxBlocks }).map((violation) => {
    // limits.ts names blocks from 1 ("block 3 (section …): …"); Slack's pointers count from 0.
    const index = /^block (\d+) /.exec(violation)?.[1];
    const at = index === undefined ? pointer : `${pointer}/${Number(index) - 1}`;
    return `${violation} [json-pointer:${at}]`;
  });
  const messages = [...violations, ...refusalsBeyondLimits(blocks, pointer)];
  if (messages.length === 0) return;
  throw new SlackApiError("invalid_blocks", {
    errors: messages,
    response_metadata: { messages: messages.map((m) => `[ERROR] ${m}`) },
  });
}

/**
 * What Slack refuses and limits.ts lets through: block types the stand-in does not model, input labels over
 * 2000 characters, elements that are not objects, and overflow menus over 5 options.
 */
function refusalsBeyondLimits(blocks: unknown[], pointer: string): string[] {
  const errors: string[] = [];
  blocks.forEach((block, index) => {
    const at = `${pointer}/${index}`;
    if (!isRecord(block) || typeof block.type !== "string") return; // limits.ts reports it
    if (!STAND_IN_BLOCK_TYPES.has(block.type)) {
      errors.push(`unsupported type: ${block.type} [json-pointer:${at}/type]`);
      return;
    }
    const elements: Array<[unknown, string]> = [];
    if (block.type === "section" && block.accessory !== undefined) {
      elements.push([block.accessory, `${at}/accessory`]);
    }
    if (block.type === "actions" && Array.isArray(block.elements)) {
      block.elements.forEach((element, i) => {
        elements.push([element, `${at}/elements/${i}`]);
      });
    }
    if (block.type === "input") {
      maxChars(errors, textOf(block.label), 2000, `${at}/label/text`);
      if (block.element !== undefined) elements.push([block.element, `${at}/element`]);
    }
    for (const [element, elementAt] of elements) {
      if (!isRecord(element)) errors.push(`must be an object [json-pointer:${elementAt}]`);
      else if (element.type === "overflow" && Array.isArray(element.options) && element.options.length > 5) {
        errors.push(`no more than 5 items allowed [json-pointer:${elementAt}/options]`);
      }
    }
  });
  return errors;
}
