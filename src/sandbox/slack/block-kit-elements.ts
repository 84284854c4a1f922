/**
 * Block Kit interactive and image elements, transcribed from Slack's reference
 * (https://docs.slack.dev/reference/block-kit/block-elements, one page per element): each element's
 * required fields and limits, and which blocks may hold it ("Works with block types").
 */
import {
  arrayField,
  checkConfirm,
  checkOption,
  checkStyle,
  optionalText,
  optionKey,
  type Problems,
  problem,
  required,
  requiredText,
  stringField,
} from "./block-kit-objects.ts";
import { isRecord } from "./web-api-args.ts";

type ElementCheck = (errors: Problems, element: Record<string, unknown>, at: string) => void;

const placeholder = (errors: Problems, el: Record<string, unknown>, at: string) =>
  optionalText(errors, el, "placeholder", { max: 150, plainOnly: true }, at);

/** Initial options must be copies of offered ones ("exactly matches one or more of the options"). */
function initialAmong(errors: Problems, el: Record<string, unknown>, offered: unknown[], at: string): void {
  const keys = new Set(offered.map(optionKey));
  const initial = [
    ...(Array.isArray(el.initial_options)
      ? el.initial_options.map((o, i) => [o, `initial_options/${i}`])
      : []),
    ...(el.initial_option !== undefined ? [[el.initial_option, "initial_option"]] : []),
  ] as Array<[unknown, string]>;
  for (const [option, field] of initial) {
    if (!keys.has(optionKey(option))) problem(errors, "must match one of the options", `${at}/${field}`);
  }
}

/** checkboxes and radio_buttons: 1 to 10 options, text plain_text or mrkdwn. */
const choiceGroup: ElementCheck = (errors, el, at) => {
  required(errors, el, "options", at);
  const options = arrayField(errors, el, "options", { min: 1, max: 10 }, at);
  options.forEach((o, i) => {
    checkOption(errors, o, `${at}/options/${i}`, { plainOnly: false, url: false });
  });
  initialAmong(errors, el, options, at);
  checkConfirm(errors, el, at);
};

/** static_select and multi_static_select: options or option_groups (one of them, up to 100), plain_text. */
const staticSelect: ElementCheck = (errors, el, at) => {
  placeholder(errors, el, at);
  const hasOptions = el.options !== undefined;
  const hasGroups = el.option_groups !== undefined;
  if (hasOptions === hasGroups) problem(errors, "must provide exactly one of options or option_groups", at);
  const offered = arrayField(errors, el, "options", { min: 1, max: 100 }, at);
  offered.forEach((o, i) => {
    checkOption(errors, o, `${at}/options/${i}`, { plainOnly: true, url: false });
  });
  arrayField(errors, el, "option_groups", { min: 1, max: 100 }, at).forEach((group, g) => {
    const groupAt = `${at}/option_groups/${g}`;
    if (!isRecord(group)) {
      problem(errors, "must be an object", groupAt);
      return;
    }
    requiredText(errors, group, "label", { max: 75, plainOnly: true }, groupAt);
    required(errors, group, "options", groupAt);
    arrayField(errors, group, "options", { min: 1, max: 100 }, groupAt).forEach((o, i) => {
      offered.push(o);
      checkOption(errors, o, `${groupAt}/options/${i}`, { plainOnly: true, url: false });
    });
  });
  initialAmong(errors, el, offered, at);
  checkConfirm(errors, el, at);
};

/** Menus whose options come from elsewhere (users, conversations, channels, an external source). */
const dynamicSelect: ElementCheck = (errors, el, at) => {
  placeholder(errors, el, at);
  checkConfirm(errors, el, at);
};

const button: ElementCheck = (errors, el, at) => {
  requiredText(errors, el, "text", { max: 75, plainOnly: true }, at);
  stringField(errors, el, "url", 3000, at);
  stringField(errors, el, "value", 2000, at);
  stringField(errors, el, "accessibility_label", 75, at);
  checkStyle(errors, el, at);
  checkConfirm(errors, el, at);
};

const overflow: ElementCheck = (errors, el, at) => {
  required(errors, el, "options", at);
  arrayField(errors, el, "options", { min: 1, max: 5 }, at).forEach((o, i) => {
    checkOption(errors, o, `${at}/options/${i}`, { plainOnly: true, url: true });
  });
  checkConfirm(errors, el, at);
};

const plainTextInput: ElementCheck = (errors, el, at) => {
  placeholder(errors, el, at);
  for (const field of ["min_length", "max_length"]) {
    const n = el[field];
    if (n !== undefined && (typeof n !== "number" || !Number.isInteger(n) || n < 0 || n > 3000)) {
      problem(errors, "must be an integer from 0 to 3000", `${at}/${field}`);
    }
  }
};

const datepicker: ElementCheck = (errors, el, at) => {
  placeholder(errors, el, at);
  if (el.initial_date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(String(el.initial_date))) {
    problem(errors, "must be YYYY-MM-DD", `${at}/initial_date`);
  }
  checkConfirm(errors, el, at);
};

const timepicker: ElementCheck = (errors, el, at) => {
  placeholder(errors, el, at);
  if (el.initial_time !== undefined && !/^([01]\d|2[0-3]):[0-5]\d$/.test(String(el.initial_time))) {
    problem(errors, "must be HH:mm", `${at}/initial_time`);
  }
  checkConfirm(errors, el, at);
};

const datetimepicker: ElementCheck = (errors, el, at) => {
  const t = el.initial_date_time;
  if (t !== undefined && (typeof t !== "number" || !Number.isInteger(t) || t < 0)) {
    problem(errors, "must be a UNIX timestamp in seconds", `${at}/initial_date_time`);
  }
  checkConfirm(errors, el, at);
};

/** The image element: alt_text (2000) and either image_url (3000) or slack_file. */
export const imageElement: ElementCheck = (errors, el, at) => {
  if (required(errors, el, "alt_text", at)) stringField(errors, el, "alt_text", 2000, at);
  if (el.image_url === undefined && el.slack_file === undefined) {
    problem(errors, "missing required field: image_url or slack_file", at);
  }
  stringField(errors, el, "image_url", 3000, at);
};

const numberInput: ElementCheck = (errors, el, at) => {
  if (required(errors, el, "is_decimal_allowed", at) && typeof el.is_decimal_allowed !== "boolean") {
    problem(errors, "must be a boolean", `${at}/is_decimal_allowed`);
  }
  placeholder(errors, el, at);
};

const nothingMore: ElementCheck = () => {};

/** Every element the stand-in knows, with its own checks (action_id and type are checked for all). */
const ELEMENTS: Record<string, ElementCheck> = {
  button,
  checkboxes: choiceGroup,
  radio_buttons: choiceGroup,
  overflow,
  static_select: staticSelect,
  multi_static_select: staticSelect,
  external_select: dynamicSelect,
  multi_external_select: dynamicSelect,
  users_select: dynamicSelect,
  multi_users_select: dynamicSelect,
  conversations_select: dynamicSelect,
  multi_conversations_select: dynamicSelect,
  channels_select: dynamicSelect,
  multi_channels_select: dynamicSelect,
  datepicker,
  timepicker,
  datetimepicker,
  plain_text_input: plainTextInput,
  email_text_input: placeholder,
  url_text_input: placeholder,
  number_input: numberInput,
  rich_text_input: placeholder,
  file_input: nothingMore,
  workflow_button: nothingMore,
  image: imageElement,
};

const SELECTS = Object.keys(ELEMENTS).filter((t) => t.endsWith("_select"));

/** Which elements each block may hold ("Works with block types" on each element's page). */
export const ELEMENTS_IN: Record<"actions" | "section" | "input", ReadonlySet<string>> = {
  actions: new Set([
    "button",
    "checkboxes",
    "datepicker",
    "datetimepicker",
    "overflow",
    "radio_buttons",
    "timepicker",
    "workflow_button",
    "rich_text_input",
    ...SELECTS,
  ]),
  section: new Set([
    "button",
    "checkboxes",
    "datepicker",
    "image",
    "overflow",
    "radio_buttons",
    "timepicker",
    "workflow_button",
    ...SELECTS,
  ]),
  input: new Set([
    "checkboxes",
    "datepicker",
    "datetimepicker",
    "email_text_input",
    "file_input",
    "number_input",
    "plain_text_input",
    "radio_buttons",
    "rich_text_input",
    "timepicker",
    "url_text_input",
    ...SELECTS,
  ]),
};

/** Checks one element held by a block of kind `holder`. */
export function checkElement(
  errors: Problems,
  element: unknown,
  at: string,
  holder: keyof typeof ELEMENTS_IN,
): void {
  if (!isRecord(element)) {
    problem(errors, "must be an object", at);
    return;
  }
  const type = element.type;
  const check = typeof type === "string" ? ELEMENTS[type] : undefined;
  if (!check || typeof type !== "string") {
    problem(errors, `unsupported type: ${String(type)}`, `${at}/type`);
    return;
  }
  if (!ELEMENTS_IN[holder].has(type)) {
    problem(errors, `${type} is not allowed in ${holder} blocks`, `${at}/type`);
    return;
  }
  if (type !== "image") stringField(errors, element, "action_id", 255, at);
  check(errors, element, at);
}
