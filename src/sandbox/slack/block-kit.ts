/**
 * The stand-in's own Block Kit check, written from Slack's reference pages
 * (https://docs.slack.dev/reference/block-kit/blocks and one page per block), never from the app's own
 * Block Kit limits module: a witness that shared the app's rules could only prove the app agrees with itself.
 * A refusal is Slack's `invalid_blocks` with one `[ERROR] <problem> [json-pointer:<path>]` per problem.
 */
import { checkElement, imageElement } from "./block-kit-elements.ts";
import {
  arrayField,
  checkText,
  optionalText,
  type Problems,
  problem,
  required,
  requiredText,
  stringField,
} from "./block-kit-objects.ts";
import { isRecord, SlackApiError } from "./web-api-args.ts";

/** Slack's block limits: messages take 50 blocks, modals and App Home 100. */
export const MESSAGE_MAX_BLOCKS = 50;
export const VIEW_MAX_BLOCKS = 100;

type BlockCheck = (errors: Problems, block: Record<string, unknown>, at: string) => void;

/** actions: 1 to 25 interactive elements, their action_ids unique within the block. */
const actions: BlockCheck = (errors, block, at) => {
  required(errors, block, "elements", at);
  const elements = arrayField(errors, block, "elements", { min: 1, max: 25 }, at);
  const seen = new Set<string>();
  elements.forEach((element, i) => {
    checkElement(errors, element, `${at}/elements/${i}`, "actions");
    const id = isRecord(element) ? element.action_id : undefined;
    if (typeof id !== "string") return;
    if (seen.has(id)) problem(errors, `duplicate action_id "${id}"`, `${at}/elements/${i}/action_id`);
    seen.add(id);
  });
};

/** context: 1 to 10 image elements or text objects. */
const context: BlockCheck = (errors, block, at) => {
  required(errors, block, "elements", at);
  arrayField(errors, block, "elements", { min: 1, max: 10 }, at).forEach((element, i) => {
    const here = `${at}/elements/${i}`;
    if (isRecord(element) && element.type === "image") imageElement(errors, element, here);
    else checkText(errors, element, here, { max: 3000 });
  });
};

/** section: text (3000) or fields (up to 10, 2000 each); an optional accessory. */
const section: BlockCheck = (errors, block, at) => {
  if (block.text === undefined && block.fields === undefined && block.expand === undefined) {
    problem(errors, "missing required field: text or fields", at);
  }
  if (block.text !== undefined) checkText(errors, block.text, `${at}/text`, { max: 3000 });
  arrayField(errors, block, "fields", { min: 1, max: 10 }, at).forEach((field, i) => {
    checkText(errors, field, `${at}/fields/${i}`, { max: 2000 });
  });
  if (block.accessory !== undefined) checkElement(errors, block.accessory, `${at}/accessory`, "section");
};

/** input: a plain_text label (2000), one input element, an optional hint (2000). */
const input: BlockCheck = (errors, block, at) => {
  requiredText(errors, block, "label", { max: 2000, plainOnly: true }, at);
  if (required(errors, block, "element", at)) checkElement(errors, block.element, `${at}/element`, "input");
  optionalText(errors, block, "hint", { max: 2000, plainOnly: true }, at);
  for (const flag of ["optional", "dispatch_action"]) {
    if (block[flag] !== undefined && typeof block[flag] !== "boolean") {
      problem(errors, "must be a boolean", `${at}/${flag}`);
    }
  }
};

const BLOCKS: Record<string, BlockCheck> = {
  actions,
  context,
  section,
  input,
  divider: () => {},
  header: (errors, block, at) => requiredText(errors, block, "text", { max: 150, plainOnly: true }, at),
  image: (errors, block, at) => {
    imageElement(errors, block, at);
    optionalText(errors, block, "title", { max: 2000, plainOnly: true }, at);
  },
  markdown: (errors, block, at) => {
    if (required(errors, block, "text", at)) stringField(errors, block, "text", 12_000, at);
  },
  rich_text: (errors, block, at) => {
    required(errors, block, "elements", at);
    arrayField(errors, block, "elements", { max: Number.POSITIVE_INFINITY }, at);
  },
  file: (errors, block, at) => {
    required(errors, block, "external_id", at);
    required(errors, block, "source", at);
  },
  video: (errors, block, at) => {
    for (const field of ["alt_text", "thumbnail_url", "video_url"]) required(errors, block, field, at);
    requiredText(errors, block, "title", { max: 200, plainOnly: true }, at);
  },
  table: (errors, block, at) => {
    required(errors, block, "rows", at);
    arrayField(errors, block, "rows", { min: 1, max: 100 }, at);
  },
};

/** The problems of a list of blocks, each as `<problem> [json-pointer:…]`. */
export function findBlockProblems(blocks: unknown[], maxBlocks: number, pointer = "/blocks"): Problems {
  const errors: Problems = [];
  if (blocks.length > maxBlocks) problem(errors, `no more than ${maxBlocks} items allowed`, pointer);
  const blockIds = new Set<string>();
  blocks.forEach((block, index) => {
    const at = `${pointer}/${index}`;
    if (!isRecord(block)) {
      problem(errors, "must be an object", at);
      return;
    }
    const check = typeof block.type === "string" ? BLOCKS[block.type] : undefined;
    if (!check) {
      problem(errors, `unsupported type: ${String(block.type)}`, `${at}/type`);
      return;
    }
    if (block.block_id !== undefined) {
      stringField(errors, block, "block_id", 255, at);
      const id = String(block.block_id);
      if (blockIds.has(id)) problem(errors, `duplicate block_id "${id}"`, `${at}/block_id`);
      blockIds.add(id);
    }
    check(errors, block, at);
  });
  return errors;
}

/** Throws Slack's `invalid_blocks` when the blocks break a Block Kit rule; `pointer` is their JSON path. */
export function checkBlocks(blocks: unknown[], maxBlocks: number, pointer = "/blocks"): void {
  const messages = findBlockProblems(blocks, maxBlocks, pointer);
  if (messages.length === 0) return;
  throw new SlackApiError("invalid_blocks", {
    errors: messages,
    response_metadata: { messages: messages.map((m) => `[ERROR] ${m}`) },
  });
}
