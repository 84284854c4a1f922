// Slack mrkdwn: tokens, links, mentions and code, rendered as DOM nodes.
// One section of the sandbox page's script (see SCRIPT_SECTIONS in load-page.ts).

function decodeEntities(text) {
  return text.replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&amp;", "&");
}

/** http(s) and mailto links only: anything else (javascript:, data:) is shown as text. */
function safeUrl(url) {
  if (typeof url !== "string") return null;
  const value = decodeEntities(url.trim());
  return /^(https?:\/\/|mailto:)/i.test(value) ? value : null;
}

function safeImageUrl(url) {
  if (typeof url !== "string") return null;
  return /^https?:\/\//i.test(url) || /^data:image\/(png|gif|jpe?g|webp);/i.test(url) ? url : null;
}

/** A channel id when `url` is Slack's app_redirect to a channel (the App Home's "Open channel"). */
function appRedirectChannel(url) {
  try {
    const parsed = new URL(url);
    if (parsed.hostname !== "slack.com" || parsed.pathname !== "/app_redirect") return null;
    return parsed.searchParams.get("channel");
  } catch {
    return null;
  }
}

const TOKEN = /(`[^`\n]+`)|(<[^<>\n]+>)|(:[a-z0-9_+'-]+:)|([*_~])/g;

function tokenize(text) {
  const tokens = [];
  let last = 0;
  for (const match of text.matchAll(TOKEN)) {
    const index = match.index ?? 0;
    if (index > last) tokens.push({ kind: "text", value: text.slice(last, index) });
    const [whole, code, angle, emoji, mark] = match;
    if (code) tokens.push({ kind: "code", value: code.slice(1, -1) });
    else if (angle) tokens.push({ kind: "angle", value: angle.slice(1, -1) });
    else if (emoji) tokens.push({ kind: "emoji", value: emoji });
    else if (mark) {
      const before = text[index - 1];
      const after = text[index + 1];
      const word = /[A-Za-z0-9]/;
      tokens.push({
        kind: "mark",
        value: mark,
        canOpen: after !== undefined && !/\s/.test(after) && (before === undefined || !word.test(before)),
        canClose: before !== undefined && !/\s/.test(before) && (after === undefined || !word.test(after)),
      });
    }
    last = index + whole.length;
  }
  if (last < text.length) tokens.push({ kind: "text", value: text.slice(last) });
  return tokens;
}

const MARK_TAGS = { "*": "b", _: "i", "~": "s" };

/** Inline mrkdwn → nodes: *bold*, _italic_, ~strike~, `code`, <links>, mentions, dates, emoji. */
/**
 * @typedef {{ mark: string | null, nodes: Array<Node | string | null> }} MarkFrame
 * @param {string} text
 * @returns {Array<Node | string | null>}
 */
function inline(text) {
  /** @type {MarkFrame[]} */
  const stack = [{ mark: null, nodes: [] }];
  /** @returns {MarkFrame} */
  const top = () => stack[stack.length - 1];
  for (const token of tokenize(text)) {
    if (token.kind !== "mark") {
      top().nodes.push(renderToken(token));
      continue;
    }
    let open = -1;
    if (token.canClose) {
      for (let i = stack.length - 1; i > 0; i--) {
        if (stack[i].mark === token.value) {
          open = i;
          break;
        }
      }
    }
    if (open > 0 && stack[open].nodes.length > 0) {
      while (stack.length - 1 > open) {
        const frame = /** @type {MarkFrame} */ (stack.pop());
        top().nodes.push(frame.mark, ...frame.nodes);
      }
      const frame = /** @type {MarkFrame} */ (stack.pop());
      top().nodes.push(el(MARK_TAGS[token.value], null, frame.nodes));
    } else if (token.canOpen) {
      stack.push({ mark: token.value, nodes: [] });
    } else {
      top().nodes.push(token.value);
    }
  }
  while (stack.length > 1) {
    const frame = /** @type {MarkFrame} */ (stack.pop());
    top().nodes.push(frame.mark, ...frame.nodes);
  }
  return stack[0].nodes;
}

function renderToken(token) {
  switch (token.kind) {
    case "text":
      return decodeEntities(token.value);
    case "code":
      return el("code", { text: decodeEntities(token.value) });
    case "emoji":
      return EMOJI[token.value.slice(1, -1)] ?? token.value;
    default:
      return renderAngle(token.value);
  }
}

function userName(id, fallback) {
  const user = byId.users.get(id);
  return user ? user.realName || user.name : fallback || id;
}

function renderAngle(inner) {
  const bar = inner.indexOf("|");
  const target = bar >= 0 ? inner.slice(0, bar) : inner;
  const label = bar >= 0 ? decodeEntities(inner.slice(bar + 1)) : null;
  if (target.startsWith("@")) {
    const id = target.slice(1);
    return el("span", {
      class: `mention${id === S.as ? " me" : ""}`,
      text: `@${userName(id, label)}`,
      dataset: { user: id },
    });
  }
  if (target.startsWith("#")) {
    const id = target.slice(1);
    const channel = byId.channels.get(id);
    const name = channel ? channel.name : (label ?? "private-channel");
    return el("a", {
      class: "channel-link mention",
      href: "#",
      text: `#${name}`,
      on: {
        click: (event) => {
          event.preventDefault();
          if (channel) openChannel(id);
          else toast(`You can't see #${name} as ${userName(S.as)}.`);
        },
      },
    });
  }
  if (target.startsWith("!date^")) {
    const [, seconds, format = "{date_short}", link] = target.split("^");
    const text = Number.isFinite(Number(seconds))
      ? formatSlackDate(Number(seconds), format, tz())
      : (label ?? target);
    const url = safeUrl(link);
    return url
      ? el("a", { href: url, target: "_blank", rel: "noopener noreferrer", text })
      : el("span", { class: "slack-date", title: label ?? "", text });
  }
  if (target.startsWith("!subteam^")) {
    return el("span", { class: "mention", text: label ?? "@team" });
  }
  if (target.startsWith("!")) {
    return el("span", { class: "mention", text: `@${target.slice(1)}` });
  }
  const url = safeUrl(target);
  if (!url) return label ?? decodeEntities(target);
  const channel = appRedirectChannel(url);
  return el("a", {
    href: url,
    target: "_blank",
    rel: "noopener noreferrer",
    text: label ?? url.replace(/^mailto:/, ""),
    on: channel
      ? {
          click: (event) => {
            event.preventDefault();
            openChannel(channel);
          },
        }
      : undefined,
  });
}

/** mrkdwn text → a block (lines, quotes, code blocks), or inline nodes for option labels. */
function mrkdwn(text, inlineOnly) {
  const source = String(text ?? "");
  if (inlineOnly) {
    const span = el("span", { class: "mrkdwn" });
    source.split("\n").forEach((line, i) => {
      if (i > 0) span.append(el("br"));
      add(span, inline(line));
    });
    return span;
  }
  const root = el("div", { class: "mrkdwn" });
  const parts = source.split("```");
  parts.forEach((part, i) => {
    const isCode = i % 2 === 1 && i < parts.length - 1;
    if (isCode) {
      root.append(el("pre", { text: decodeEntities(part.replace(/^\n/, "").replace(/\n$/, "")) }));
      return;
    }
    let segment = i % 2 === 1 ? `\`\`\`${part}` : part;
    if (i > 0) segment = segment.replace(/^\n/, "");
    if (i < parts.length - 1) segment = segment.replace(/\n$/, "");
    if (segment === "" && parts.length > 1) return;
    let quote = null;
    for (const line of segment.split("\n")) {
      const quoted = /^(?:&gt;|>)\s?(.*)$/.exec(line);
      if (quoted) {
        if (!quote) {
          quote = el("blockquote");
          root.append(quote);
        }
        quote.append(lineNode(quoted[1] ?? ""));
        continue;
      }
      quote = null;
      root.append(lineNode(line));
    }
  });
  return root;
}

function lineNode(line) {
  const item = /^\s*(•|◦|▪|-|\d+\.)\s/.test(line);
  return el("div", { class: item ? "line item" : "line" }, inline(line));
}

/** A text object (plain_text or mrkdwn) → nodes. */
function textObject(object, inlineOnly) {
  if (!isObj(object)) return null;
  if (object.type === "mrkdwn") return mrkdwn(str(object.text), inlineOnly);
  return el("span", { text: object.emoji === false ? str(object.text) : emojiText(str(object.text)) });
}

function plainText(object) {
  if (!isObj(object)) return "";
  return object.emoji === false ? str(object.text) : emojiText(str(object.text));
}
