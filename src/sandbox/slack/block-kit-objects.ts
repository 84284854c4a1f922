/**
 * Block Kit composition objects (text, option, option group, confirmation dialog) and the small checks every
 * rule uses, transcribed from Slack's reference, not from the app's own validator:
 * https://docs.slack.dev/reference/block-kit/composition-objects (text-object, option-object,
 * option-group-object, confirmation-dialog-object). Messages follow the shape Slack's `invalid_blocks`
 * answers use: `<problem> [json-pointer:<path>]`.
 */
import { isRecord } from "./web-api-args.ts";

/** Collects the problems of one payload. */
export type Problems = string[];

export function problem(errors: Problems, message: string, at: string): void {
  errors.push(`${message} [json-pointer:${at}]`);
}

/** A required field is there (any value but undefined/null). */
export function required(
  errors: Problems,
  owner: Record<string, unknown>,
  field: string,
  at: string,
): boolean {
  if (owner[field] === undefined || owner[field] === null) {
    problem(errors, `missing required field: ${field}`, at);
    return false;
  }
  return true;
}

/** An optional string field no longer than `max`; a non-string is refused. */
export function stringField(
  errors: Problems,
  owner: Record<string, unknown>,
  field: string,
  max: number,
  at: string,
): void {
  const value = owner[field];
  if (value === undefined) return;
  if (typeof value !== "string") problem(errors, "must be a string", `${at}/${field}`);
  else if (value.length > max) problem(errors, `must be less than ${max + 1} characters`, `${at}/${field}`);
}

/** An array field with between `min` and `max` items; returns its items (none when it is not an array). */
export function arrayField(
  errors: Problems,
  owner: Record<string, unknown>,
  field: string,
  limits: { min?: number; max: number },
  at: string,
): unknown[] {
  const value = owner[field];
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    problem(errors, "must be an array", `${at}/${field}`);
    return [];
  }
  if (value.length > limits.max)
    problem(errors, `no more than ${limits.max} items allowed`, `${at}/${field}`);
  if (value.length < (limits.min ?? 0)) {
    problem(errors, `must provide at least ${limits.min} items`, `${at}/${field}`);
  }
  return value;
}

/** A text object: `plain_text` or `mrkdwn` (where allowed), 1 to `max` characters; `emoji` only on plain_text. */
export function checkText(
  errors: Problems,
  value: unknown,
  at: string,
  rule: { max: number; plainOnly?: boolean },
): void {
  if (!isRecord(value)) {
    problem(errors, "must be a text object", at);
    return;
  }
  const allowed = rule.plainOnly ? ["plain_text"] : ["plain_text", "mrkdwn"];
  if (typeof value.type !== "string" || !allowed.includes(value.type)) {
    problem(errors, `must be ${allowed.join(" or ")}`, `${at}/type`);
  }
  if (typeof value.text !== "string") {
    problem(errors, "missing required field: text", at);
    return;
  }
  if (value.text.length === 0) problem(errors, "must be more than 0 characters", `${at}/text`);
  if (value.text.length > rule.max)
    problem(errors, `must be less than ${rule.max + 1} characters`, `${at}/text`);
  if (value.type === "mrkdwn" && value.emoji !== undefined) {
    problem(errors, "emoji is only allowed on plain_text", `${at}/emoji`);
  }
}

/** An optional text field (`label`, `placeholder`, `hint`, `title`…). */
export function optionalText(
  errors: Problems,
  owner: Record<string, unknown>,
  field: string,
  rule: { max: number; plainOnly?: boolean },
  at: string,
): void {
  if (owner[field] !== undefined) checkText(errors, owner[field], `${at}/${field}`, rule);
}

/** A required text field. */
export function requiredText(
  errors: Problems,
  owner: Record<string, unknown>,
  field: string,
  rule: { max: number; plainOnly?: boolean },
  at: string,
): void {
  if (required(errors, owner, field, at)) checkText(errors, owner[field], `${at}/${field}`, rule);
}

/**
 * An option object: text (75; plain_text in menus and overflow, mrkdwn also in checkboxes and radio buttons),
 * value (150), description (75), url (3000, overflow menus only).
 */
export function checkOption(
  errors: Problems,
  value: unknown,
  at: string,
  rule: { plainOnly: boolean; url: boolean },
): void {
  if (!isRecord(value)) {
    problem(errors, "must be an object", at);
    return;
  }
  requiredText(errors, value, "text", { max: 75, plainOnly: rule.plainOnly }, at);
  if (required(errors, value, "value", at)) stringField(errors, value, "value", 150, at);
  optionalText(errors, value, "description", { max: 75, plainOnly: rule.plainOnly }, at);
  if (rule.url) stringField(errors, value, "url", 3000, at);
  else if (value.url !== undefined) problem(errors, "url is only allowed in overflow menus", `${at}/url`);
}

/** The confirmation dialog: title (100), text (300), confirm (30), deny (30), all plain_text; style. */
export function checkConfirm(errors: Problems, owner: Record<string, unknown>, at: string): void {
  if (owner.confirm === undefined) return;
  const confirm = owner.confirm;
  const here = `${at}/confirm`;
  if (!isRecord(confirm)) {
    problem(errors, "must be an object", here);
    return;
  }
  requiredText(errors, confirm, "title", { max: 100, plainOnly: true }, here);
  requiredText(errors, confirm, "text", { max: 300, plainOnly: true }, here);
  requiredText(errors, confirm, "confirm", { max: 30, plainOnly: true }, here);
  requiredText(errors, confirm, "deny", { max: 30, plainOnly: true }, here);
  checkStyle(errors, confirm, here);
}

/** `style` is `primary` or `danger` when given. */
export function checkStyle(errors: Problems, owner: Record<string, unknown>, at: string): void {
  if (owner.style !== undefined && owner.style !== "primary" && owner.style !== "danger") {
    problem(errors, "must be primary or danger", `${at}/style`);
  }
}

/** The options' value+text, to check that initial options are among them. */
export function optionKey(option: unknown): string {
  if (!isRecord(option)) return "";
  const text = isRecord(option.text) ? option.text.text : undefined;
  return JSON.stringify([option.value, text]);
}
