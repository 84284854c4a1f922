// Block Kit elements: buttons, selects, pickers, inputs and the state they send.
// One section of the sandbox page's script (see SCRIPT_SECTIONS in load-page.ts).

/** An element: `mode` "interactive" sends block_actions on change; "input" only holds a value. */
function element(item, b, mode) {
  switch (item.type) {
    case "button":
      return button(item, b);
    case "checkboxes":
    case "radio_buttons":
      return optionGroup(item, b, mode);
    case "static_select":
    case "external_select":
    case "multi_static_select":
    case "users_select":
    case "multi_users_select":
    case "conversations_select":
    case "multi_conversations_select":
    case "channels_select":
    case "multi_channels_select":
      return select(item, b, mode);
    case "overflow":
      return overflow(item, b);
    case "datepicker":
    case "timepicker":
    case "datetimepicker":
      return picker(item, b, mode);
    case "plain_text_input":
    case "email_text_input":
    case "url_text_input":
    case "number_input":
      return textInput(item, b);
    case "image":
      return image(item);
    default:
      return el("span", { class: "bk-unsupported", text: `[${String(item.type)}]` });
  }
}

function inputData(item, b) {
  return { blockId: b.stateId, actionId: str(item.action_id), type: str(item.type) };
}

/** Sends block_actions for `item`, with the current state of the message or view it sits in. */
async function fire(b, item, extra, node) {
  const action = { action_id: str(item.action_id), type: str(item.type), ...extra };
  if (b.blockId) action.block_id = b.blockId;
  const root = node.closest("[data-bk-root]");
  await post("/sandbox/api/action", {
    as: S.as,
    container: b.ctx.container,
    action,
    stateValues: root ? collectState(root) : undefined,
  });
}

function button(item, b) {
  const style = item.style === "primary" ? " primary" : item.style === "danger" ? " danger" : "";
  const label = plainText(item.text);
  const url = safeUrl(item.url);
  if (url) {
    const link = el(
      "a",
      {
        class: `bk-btn${style}`,
        href: url,
        target: "_blank",
        rel: "noopener noreferrer",
        dataset: { actionId: str(item.action_id) },
      },
      label,
      el("span", { class: "ext", text: "↗" }),
    );
    link.addEventListener("click", (event) => {
      const channel = appRedirectChannel(url);
      if (channel) {
        event.preventDefault();
        openChannel(channel);
      }
      // A link button opens its URL, and Slack still sends the app the click.
      void fire(b, item, {}, link);
    });
    return link;
  }
  const node = el(
    "button",
    { class: `bk-btn${style}`, type: "button", dataset: { actionId: str(item.action_id) } },
    label,
  );
  node.addEventListener("click", async () => {
    if (isObj(item.confirm) && !(await confirmDialog(item.confirm))) return;
    // Disabling the button while Slack is told drops its focus: the last place focused (see focus.js)
    // remembers it, for a modal the press opens to give the focus back to, and it is given back here.
    const hadFocus = document.activeElement === node;
    node.disabled = true;
    try {
      await fire(b, item, {}, node);
    } finally {
      node.disabled = false;
      if (hadFocus && node.isConnected && document.activeElement === document.body) node.focus();
    }
  });
  return node;
}

function optionGroup(item, b, mode) {
  const radio = item.type === "radio_buttons";
  const options = (Array.isArray(item.options) ? item.options : []).filter(isObj);
  const initial = radio
    ? [item.initial_option]
    : Array.isArray(item.initial_options)
      ? item.initial_options
      : [];
  const chosen = new Set(initial.filter(isObj).map((o) => o.value));
  const group = el("div", {
    class: radio ? "bk-radios" : "bk-checkboxes",
    "data-bk-input": "",
    dataset: inputData(item, b),
  });
  optionData.set(group, options);
  const name = `opt${++uid}`;
  for (const option of options) {
    const input = el("input", {
      type: radio ? "radio" : "checkbox",
      name,
      value: str(option.value),
      checked: chosen.has(option.value),
    });
    const label = el(
      "label",
      { class: `bk-option${input.checked ? " checked" : ""}`, dataset: { value: str(option.value) } },
      input,
      el(
        "span",
        { class: "label" },
        textObject(option.text, true),
        option.description ? el("div", { class: "desc" }, textObject(option.description, true)) : null,
      ),
    );
    input.addEventListener("change", () => {
      for (const other of group.querySelectorAll("label")) {
        other.classList.toggle("checked", other.querySelector("input")?.checked === true);
      }
      if (mode !== "interactive") return;
      const selected = [...group.querySelectorAll("input:checked")].map((i) => ({ value: i.value }));
      void fire(b, item, radio ? { selected_option: selected[0] } : { selected_options: selected }, group);
    });
    group.append(label);
  }
  return group;
}

/** The options a select offers: its own, or the workspace's people or channels. */
function selectOptions(item) {
  if (item.type.includes("users")) {
    return [...byId.users.values()].map((u) => ({
      text: { type: "plain_text", text: u.realName },
      value: u.id,
    }));
  }
  if (item.type.includes("conversations") || item.type.includes("channels")) {
    return [...byId.channels.values()]
      .filter((c) => !c.isIm)
      .map((c) => ({ text: { type: "plain_text", text: `#${c.name}` }, value: c.id }));
  }
  const groups = Array.isArray(item.option_groups) ? item.option_groups : [];
  if (groups.length > 0) return groups.flatMap((g) => (Array.isArray(g?.options) ? g.options : []));
  return (Array.isArray(item.options) ? item.options : []).filter(isObj);
}

const SELECTED_KEY = {
  static_select: "selected_option",
  external_select: "selected_option",
  multi_static_select: "selected_options",
  users_select: "selected_user",
  multi_users_select: "selected_users",
  conversations_select: "selected_conversation",
  multi_conversations_select: "selected_conversations",
  channels_select: "selected_channel",
  multi_channels_select: "selected_channels",
};

function initialValues(item) {
  const values = [
    item.initial_option?.value,
    ...(Array.isArray(item.initial_options) ? item.initial_options.map((o) => o?.value) : []),
    item.initial_user,
    ...(Array.isArray(item.initial_users) ? item.initial_users : []),
    item.initial_conversation,
    ...(Array.isArray(item.initial_conversations) ? item.initial_conversations : []),
    item.initial_channel,
    ...(Array.isArray(item.initial_channels) ? item.initial_channels : []),
  ];
  return new Set(values.filter((v) => typeof v === "string"));
}

function select(item, b, mode) {
  const multi = item.type.startsWith("multi_");
  const options = selectOptions(item);
  const initial = initialValues(item);
  const node = el("select", {
    class: "bk-select",
    multiple: multi,
    "data-bk-input": "",
    dataset: inputData(item, b),
  });
  optionData.set(node, options);
  if (!multi) node.append(el("option", { value: "", text: plainText(item.placeholder) || "Select an item" }));
  for (const option of options) {
    node.append(
      el("option", {
        value: str(option.value),
        text: plainText(option.text),
        selected: initial.has(option.value),
      }),
    );
  }
  node.addEventListener("change", () => {
    if (mode !== "interactive") return;
    const value = readInput(node);
    const key = SELECTED_KEY[item.type] ?? "selected_option";
    void fire(b, item, { [key]: value[key] }, node);
  });
  return node;
}

function overflow(item, b) {
  const options = (Array.isArray(item.options) ? item.options : []).filter(isObj);
  const node = el(
    "select",
    { class: "bk-select", title: "More actions" },
    el("option", { value: "", text: "⋯" }),
  );
  for (const option of options)
    node.append(el("option", { value: str(option.value), text: plainText(option.text) }));
  node.addEventListener("change", () => {
    const option = options.find((o) => o.value === node.value);
    node.value = "";
    if (!option) return;
    const url = safeUrl(option.url);
    if (url) window.open(url, "_blank", "noopener,noreferrer");
    void fire(b, item, { selected_option: { value: str(option.value) } }, node);
  });
  return node;
}

function picker(item, b, mode) {
  const type = item.type === "datepicker" ? "date" : item.type === "timepicker" ? "time" : "datetime-local";
  const value =
    item.type === "datepicker"
      ? str(item.initial_date)
      : item.type === "timepicker"
        ? str(item.initial_time)
        : typeof item.initial_date_time === "number"
          ? epochToWall(item.initial_date_time, tz())
          : "";
  const node = el("input", {
    class: "bk-input",
    type,
    value,
    "data-bk-input": "",
    dataset: inputData(item, b),
  });
  node.addEventListener("change", () => {
    if (mode !== "interactive") return;
    const state = readInput(node);
    const { type: _type, ...selected } = state;
    void fire(b, item, selected, node);
  });
  return node;
}

function textInput(item, b) {
  const multiline = item.type === "plain_text_input" && item.multiline === true;
  const type =
    item.type === "email_text_input"
      ? "email"
      : item.type === "url_text_input"
        ? "url"
        : item.type === "number_input"
          ? "number"
          : "text";
  const props = {
    class: "bk-input",
    placeholder: plainText(item.placeholder) || undefined,
    maxlength: typeof item.max_length === "number" ? item.max_length : undefined,
    "data-bk-input": "",
    dataset: inputData(item, b),
  };
  const node = multiline
    ? el("textarea", props)
    : el("input", { ...props, type, step: item.is_decimal_allowed ? "any" : undefined });
  node.value = str(item.initial_value);
  return node;
}

/** The value of one input as Slack reports it in `state.values`. */
function readInput(node) {
  const type = node.dataset.type;
  const options = optionData.get(node) ?? [];
  const option = (value) => options.find((o) => o.value === value) ?? null;
  const selectedValues = () => [...(node.selectedOptions ?? [])].map((o) => o.value).filter(Boolean);
  switch (type) {
    case "checkboxes":
      return {
        type,
        selected_options: [...node.querySelectorAll("input:checked")]
          .map((i) => option(i.value))
          .filter(Boolean),
      };
    case "radio_buttons":
      return { type, selected_option: option(node.querySelector("input:checked")?.value) };
    case "static_select":
    case "external_select":
      return { type, selected_option: node.value ? option(node.value) : null };
    case "multi_static_select":
      return { type, selected_options: selectedValues().map(option).filter(Boolean) };
    case "users_select":
      return { type, selected_user: node.value || null };
    case "multi_users_select":
      return { type, selected_users: selectedValues() };
    case "conversations_select":
      return { type, selected_conversation: node.value || null };
    case "multi_conversations_select":
      return { type, selected_conversations: selectedValues() };
    case "channels_select":
      return { type, selected_channel: node.value || null };
    case "multi_channels_select":
      return { type, selected_channels: selectedValues() };
    case "datepicker":
      return { type, selected_date: node.value || null };
    case "timepicker":
      return { type, selected_time: node.value || null };
    case "datetimepicker":
      return { type, selected_date_time: node.value ? wallToEpoch(node.value, tz()) : null };
    default:
      return { type, value: node.value === "" ? null : node.value };
  }
}

/** `state.values` of a message or view: { block_id: { action_id: value } }. */
function collectState(root) {
  const values = {};
  for (const node of root.querySelectorAll("[data-bk-input]")) {
    const { blockId, actionId } = node.dataset;
    if (!blockId || !actionId) continue;
    values[blockId] ??= {};
    values[blockId][actionId] = readInput(node);
  }
  return values;
}
