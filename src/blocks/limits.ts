/**
 * Block Kit limits Slack enforces (or silently mishandles), checked before a view is sent.
 * Slack answers an oversized message with a bare `invalid_blocks`; naming the offending block here
 * turns that into a failing unit test instead of a customer-facing outage.
 */
import type { AnyBlock } from "@slack/types";

/** The Block Kit limits the app relies on (Slack's docs, 2026). */
export const BLOCK_KIT_LIMITS = {
  messageBlocks: 50,
  surfaceBlocks: 100,
  blockId: 255,
  actionId: 255,
  headerText: 150,
  sectionText: 3000,
  sectionFields: 10,
  sectionFieldText: 2000,
  contextElements: 10,
  actionsElements: 25,
  checkboxOptions: 10,
  selectOptions: 100,
  optionText: 75,
  optionValue: 150,
  optionDescription: 75,
  buttonText: 75,
  buttonValue: 2000,
  buttonUrl: 3000,
} as const;

/** Options for {@link findBlockKitViolations}: 50 for messages, 100 for modals and Home. */
export interface BlockKitCheckOptions {
  maxBlocks: number;
}

const KNOWN_BLOCK_TYPES: ReadonlySet<string> = new Set([
  "actions",
  "alert",
  "card",
  "carousel",
  "container",
  "context",
  "context_actions",
  "data_table",
  "divider",
  "file",
  "header",
  "image",
  "input",
  "markdown",
  "plan",
  "rich_text",
  "section",
  "table",
  "task_card",
  "video",
]);

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function textOf(value: unknown): string | undefined {
  return isRecord(value) && typeof value.text === "string" ? value.text : undefined;
}

function arrayOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Lists every Block Kit limit the blocks break, as sentences naming the block; empty when all is well. */
export function findBlockKitViolations(blocks: readonly AnyBlock[], options: BlockKitCheckOptions): string[] {
  const violations: string[] = [];
  const L = BLOCK_KIT_LIMITS;
  if (blocks.length > options.maxBlocks) {
    violations.push(`${blocks.length} blocks (max ${options.maxBlocks})`);
  }
  const seenBlockIds = new Map<string, number>();

  blocks.forEach((raw, index) => {
    const block: Json = isRecord(raw) ? raw : {};
    const type = typeof block.type === "string" ? block.type : "(no type)";
    const blockId = typeof block.block_id === "string" ? block.block_id : undefined;
    const where = `block ${index + 1} (${type}${blockId === undefined ? "" : ` "${blockId}"`})`;
    const report = (problem: string) => violations.push(`${where}: ${problem}`);
    const tooLong = (what: string, value: string | undefined, max: number) => {
      if (value !== undefined && value.length > max) report(`${what} is ${value.length} chars (max ${max})`);
    };

    if (!KNOWN_BLOCK_TYPES.has(type)) report(`unknown block type "${type}"`);
    if (blockId !== undefined) {
      tooLong("block_id", blockId, L.blockId);
      const first = seenBlockIds.get(blockId);
      if (first === undefined) seenBlockIds.set(blockId, index + 1);
      else report(`duplicate block_id (also block ${first})`);
    }

    // Every interactive element of the block, wherever the block type keeps it.
    const elements = checkBlockShape(type, block, report, tooLong);
    const seenActionIds = new Set<string>();
    for (const element of elements) {
      const actionId = typeof element.action_id === "string" ? element.action_id : undefined;
      const label = `${String(element.type)}${actionId === undefined ? "" : ` "${actionId}"`}`;
      if (actionId !== undefined) {
        tooLong(`action_id of ${label}`, actionId, L.actionId);
        if (seenActionIds.has(actionId)) report(`duplicate action_id "${actionId}" in the block`);
        seenActionIds.add(actionId);
      }
      checkElement(element, label, report, tooLong);
    }
  });
  return violations;
}

/** Checks a block's own texts and counts by type; returns its interactive elements. */
function checkBlockShape(
  type: string,
  block: Json,
  report: (problem: string) => void,
  tooLong: (what: string, value: string | undefined, max: number) => void,
): Json[] {
  const L = BLOCK_KIT_LIMITS;
  const elements: Json[] = [];
  switch (type) {
    case "header": {
      const text = textOf(block.text);
      if (!text) report("header text is empty");
      tooLong("header text", text, L.headerText);
      break;
    }
    case "section": {
      const text = textOf(block.text);
      const fields = arrayOf(block.fields);
      if (!text && fields.length === 0) report("section has neither text nor fields");
      tooLong("section text", text, L.sectionText);
      if (fields.length > L.sectionFields) report(`${fields.length} fields (max ${L.sectionFields})`);
      fields.forEach((field, i) => {
        tooLong(`field ${i + 1} text`, textOf(field), L.sectionFieldText);
      });
      if (isRecord(block.accessory)) elements.push(block.accessory);
      break;
    }
    case "context": {
      const count = arrayOf(block.elements).length;
      if (count === 0) report("context has no elements");
      if (count > L.contextElements) report(`${count} context elements (max ${L.contextElements})`);
      break;
    }
    case "actions": {
      const items = arrayOf(block.elements).filter(isRecord);
      if (items.length === 0) report("actions block has no elements");
      if (items.length > L.actionsElements) {
        report(`${items.length} elements (max ${L.actionsElements})`);
      }
      elements.push(...items);
      break;
    }
    case "input":
      if (isRecord(block.element)) elements.push(block.element);
      break;
    default:
      break;
  }
  return elements;
}

function checkElement(
  element: Json,
  label: string,
  report: (problem: string) => void,
  tooLong: (what: string, value: string | undefined, max: number) => void,
): void {
  const L = BLOCK_KIT_LIMITS;
  switch (element.type) {
    case "button":
      tooLong(`text of ${label}`, textOf(element.text), L.buttonText);
      tooLong(`url of ${label}`, typeof element.url === "string" ? element.url : undefined, L.buttonUrl);
      tooLong(
        `value of ${label}`,
        typeof element.value === "string" ? element.value : undefined,
        L.buttonValue,
      );
      return;
    case "checkboxes":
    case "radio_buttons":
    case "static_select":
    case "multi_static_select":
    case "overflow": {
      // Options may come in groups (option_groups); each counts, and an initial option may be any of them.
      const options = [
        ...arrayOf(element.options),
        ...arrayOf(element.option_groups)
          .filter(isRecord)
          .flatMap((g) => arrayOf(g.options)),
      ].filter(isRecord);
      const max = element.type === "checkboxes" || element.type === "radio_buttons" ? L.checkboxOptions : 100;
      if (options.length === 0 && !Array.isArray(element.option_groups)) report(`${label} has no options`);
      if (options.length > max) report(`${label} has ${options.length} options (max ${max})`);
      options.forEach((option, i) => {
        const what = `option ${i + 1} of ${label}`;
        tooLong(`text of ${what}`, textOf(option.text), L.optionText);
        tooLong(`description of ${what}`, textOf(option.description), L.optionDescription);
        const value = typeof option.value === "string" ? option.value : undefined;
        tooLong(`value of ${what}`, value, L.optionValue);
      });
      const initial = [
        ...arrayOf(element.initial_options),
        ...(isRecord(element.initial_option) ? [element.initial_option] : []),
      ].filter(isRecord);
      for (const chosen of initial) {
        // Slack rejects initial options that are not exactly one of the options.
        const match = options.find(
          (option) =>
            option.value === chosen.value &&
            textOf(option.text) === textOf(chosen.text) &&
            textOf(option.description) === textOf(chosen.description),
        );
        if (!match) report(`initial option "${String(chosen.value)}" of ${label} is not one of its options`);
      }
      return;
    }
    default:
      return;
  }
}
