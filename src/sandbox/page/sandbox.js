// The sandbox page: a small Slack-like client for the stand-in workspace (served inline by
// src/sandbox/sandbox-routes.ts). Vanilla JS, no dependencies, no build step. Everything that comes from the
// workspace is rendered as DOM nodes and text (textContent), never parsed as HTML.

(() => {
  // ------------------------------------------------------------------------------------------ DOM helper

  /** el("div", { class, text, dataset, on, ...attributes }, ...children): children may be nodes or strings. */
  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props ?? {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = String(value);
      else if (key === "dataset") Object.assign(node.dataset, value);
      else if (key === "style") Object.assign(node.style, value);
      else if (key === "on") for (const [type, fn] of Object.entries(value)) node.addEventListener(type, fn);
      else if (typeof value === "boolean") node[key] = value;
      else node.setAttribute(key, String(value));
    }
    return add(node, children);
  }

  function add(node, children) {
    for (const child of children.flat(Infinity)) {
      if (child === undefined || child === null || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  const isObj = (value) => typeof value === "object" && value !== null && !Array.isArray(value);
  const str = (value) => (typeof value === "string" ? value : "");
  const pad = (n) => String(n).padStart(2, "0");
  const plural = (n, one) => `${n} ${one}${n === 1 ? "" : "s"}`;

  // ------------------------------------------------------------------------------------------ state

  const S = {
    state: null,
    as: null,
    view: null,
    collapsed: new Set(),
    dismissed: new Set(),
    clockSkew: 0,
    seen: {},
    onboardingId: null,
    homeOpenedFor: null,
    modalKey: null,
    live: false,
  };
  const byId = { users: new Map(), channels: new Map(), teams: new Map() };
  const optionData = new WeakMap();
  let uid = 0;

  const me = () => S.state?.me ?? null;
  const tz = () => me()?.tz ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  const sandboxNow = () => Date.now() + S.clockSkew;

  // ------------------------------------------------------------------------------------------ API

  async function request(method, path, body) {
    const response = await fetch(path, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    let data = null;
    try {
      data = await response.json();
    } catch {
      data = null;
    }
    if (!response.ok) {
      const message = isObj(data) && typeof data.error === "string" ? data.error : `HTTP ${response.status}`;
      throw new Error(message);
    }
    return data;
  }

  /** A POST that tells the person when it fails, then refreshes the page's state. */
  async function post(path, body) {
    try {
      return await request("POST", path, body);
    } catch (err) {
      toast(err.message, "error");
      return null;
    } finally {
      scheduleRefresh(0);
    }
  }

  let fetching = false;
  let again = false;
  let refreshTimer = null;

  function scheduleRefresh(delay = 60) {
    if (refreshTimer) return;
    refreshTimer = setTimeout(() => {
      refreshTimer = null;
      void refresh();
    }, delay);
  }

  async function refresh() {
    if (fetching) {
      again = true;
      return;
    }
    fetching = true;
    try {
      await loadState();
    } catch (err) {
      toast(`Could not load the sandbox: ${err.message}`, "error");
    } finally {
      fetching = false;
      if (again) {
        again = false;
        scheduleRefresh(0);
      }
    }
  }

  async function loadState() {
    if (!S.as) {
      const anonymous = await request("GET", "/sandbox/api/state");
      S.as = anonymous.people.rep.id;
    }
    let state;
    try {
      state = await request("GET", `/sandbox/api/state?as=${encodeURIComponent(S.as)}`);
    } catch (err) {
      // An unknown person in the address or the browser's memory: fall back to the rep.
      const anonymous = await request("GET", "/sandbox/api/state");
      if (S.as === anonymous.people.rep.id) throw err;
      S.as = anonymous.people.rep.id;
      state = await request("GET", `/sandbox/api/state?as=${encodeURIComponent(S.as)}`);
    }
    S.state = state;
    S.clockSkew = state.clock.now - Date.now();
    byId.users = new Map(state.users.map((u) => [u.id, u]));
    byId.channels = new Map(state.channels.map((c) => [c.id, c]));
    byId.teams = new Map(state.teams.map((t) => [t.id, t]));
    render();
  }

  function connectEvents() {
    const source = new EventSource("/sandbox/api/events");
    source.addEventListener("change", () => scheduleRefresh());
    source.addEventListener("open", () => {
      setLive(true);
      scheduleRefresh(0);
    });
    source.addEventListener("error", () => {
      setLive(false);
      // EventSource reconnects by itself (the server asks for 1 s); a closed one is started again.
      if (source.readyState === EventSource.CLOSED) setTimeout(connectEvents, 2000);
    });
  }

  // ------------------------------------------------------------------------------------------ time

  const formatters = new Map();
  function partsIn(ms, zone) {
    let format = formatters.get(zone);
    if (!format) {
      format = new Intl.DateTimeFormat("en-US", {
        timeZone: zone,
        hourCycle: "h23",
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
        second: "2-digit",
        weekday: "long",
      });
      formatters.set(zone, format);
    }
    const p = {};
    for (const part of format.formatToParts(new Date(ms))) p[part.type] = part.value;
    return {
      year: Number(p.year),
      month: Number(p.month),
      day: Number(p.day),
      hour: Number(p.hour) % 24,
      minute: Number(p.minute),
      second: Number(p.second),
      weekday: p.weekday,
    };
  }

  function zoneOffsetMs(ms, zone) {
    const p = partsIn(ms, zone);
    return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(ms / 1000) * 1000;
  }

  /** "YYYY-MM-DDTHH:mm" read as a wall time in `zone` → unix seconds (what Slack's datetimepicker sends). */
  function wallToEpoch(value, zone) {
    const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value);
    if (!m) return null;
    const guess = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
    const first = guess - zoneOffsetMs(guess, zone);
    return Math.floor((guess - zoneOffsetMs(first, zone)) / 1000);
  }

  function epochToWall(seconds, zone) {
    const p = partsIn(seconds * 1000, zone);
    return `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}`;
  }

  const MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
  ];

  function ordinal(n) {
    const suffix = ["th", "st", "nd", "rd"];
    const v = n % 100;
    return `${n}${suffix[(v - 20) % 10] ?? suffix[v] ?? suffix[0]}`;
  }

  function clock12(p, seconds) {
    const hour = p.hour % 12 || 12;
    return `${hour}:${pad(p.minute)}${seconds ? `:${pad(p.second)}` : ""} ${p.hour < 12 ? "AM" : "PM"}`;
  }

  function dayDiff(ms, zone) {
    const a = partsIn(ms, zone);
    const b = partsIn(sandboxNow(), zone);
    return Math.round(
      (Date.UTC(a.year, a.month - 1, a.day) - Date.UTC(b.year, b.month - 1, b.day)) / 86_400_000,
    );
  }

  function relativeDay(ms, zone) {
    const diff = dayDiff(ms, zone);
    if (diff === 0) return "today";
    if (diff === 1) return "tomorrow";
    if (diff === -1) return "yesterday";
    return null;
  }

  function ago(ms) {
    const diff = ms - sandboxNow();
    const abs = Math.abs(diff);
    const [value, unit] =
      abs < 60_000
        ? [0, "minute"]
        : abs < 3_600_000
          ? [Math.round(abs / 60_000), "minute"]
          : abs < 86_400_000
            ? [Math.round(abs / 3_600_000), "hour"]
            : [Math.round(abs / 86_400_000), "day"];
    if (value === 0) return "just now";
    const words = `${value} ${unit}${value === 1 ? "" : "s"}`;
    return diff > 0 ? `in ${words}` : `${words} ago`;
  }

  /** Slack's `<!date^…^format|fallback>` tokens, in the reader's own time zone. */
  function formatSlackDate(seconds, format, zone) {
    const ms = seconds * 1000;
    const p = partsIn(ms, zone);
    const month = MONTHS[p.month - 1] ?? "";
    const rel = relativeDay(ms, zone);
    const tokens = {
      date_num: `${p.year}-${pad(p.month)}-${pad(p.day)}`,
      date: `${month} ${ordinal(p.day)}, ${p.year}`,
      date_short: `${month.slice(0, 3)} ${p.day}, ${p.year}`,
      date_long: `${p.weekday}, ${month} ${ordinal(p.day)}, ${p.year}`,
      time: clock12(p, false),
      time_secs: clock12(p, true),
      ago: ago(ms),
    };
    tokens.date_pretty = rel ?? tokens.date;
    tokens.date_short_pretty = rel ?? tokens.date_short;
    tokens.date_long_pretty = rel ?? tokens.date_long;
    return format.replace(/\{(\w+)\}/g, (whole, name) => tokens[name] ?? whole);
  }

  function tsToMs(ts) {
    const [sec, micro = "0"] = String(ts).split(".");
    return Number(sec) * 1000 + Math.floor(Number(micro.padEnd(6, "0").slice(0, 6)) / 1000);
  }

  function compareTs(a, b) {
    const [as, am = "0"] = String(a).split(".");
    const [bs, bm = "0"] = String(b).split(".");
    return Number(as) - Number(bs) || Number(am.padEnd(6, "0")) - Number(bm.padEnd(6, "0"));
  }

  function timeOfDay(ms) {
    return clock12(partsIn(ms, tz()), false);
  }

  function dateTime(ms, zone = tz()) {
    const p = partsIn(ms, zone);
    const short = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "short" })
      .formatToParts(new Date(ms))
      .find((x) => x.type === "timeZoneName")?.value;
    return `${p.weekday.slice(0, 3)}, ${MONTHS[p.month - 1]?.slice(0, 3)} ${p.day}, ${clock12(p, false)}${short ? ` ${short}` : ""}`;
  }

  function dayLabel(ms) {
    const rel = relativeDay(ms, tz());
    if (rel) return rel.charAt(0).toUpperCase() + rel.slice(1);
    const p = partsIn(ms, tz());
    return `${p.weekday}, ${MONTHS[p.month - 1]} ${ordinal(p.day)}`;
  }

  // ------------------------------------------------------------------------------------------ emoji

  const EMOJI = {
    white_check_mark: "✅",
    heavy_check_mark: "✔️",
    warning: "⚠️",
    x: "❌",
    hourglass_flowing_sand: "⏳",
    hourglass: "⌛",
    link: "🔗",
    information_source: "ℹ️",
    calendar: "📆",
    date: "📅",
    electric_plug: "🔌",
    zzz: "💤",
    white_circle: "⚪",
    red_circle: "🔴",
    large_green_circle: "🟢",
    large_yellow_circle: "🟡",
    large_blue_circle: "🔵",
    wave: "👋",
    tada: "🎉",
    rotating_light: "🚨",
    memory: "📝",
    lock: "🔒",
    grey_question: "❔",
    question: "❓",
    construction: "🚧",
    checkered_flag: "🏁",
    stopwatch: "⏱️",
    pencil2: "✏️",
    ok_hand: "👌",
    office: "🏢",
    key: "🔑",
    inbox_tray: "📥",
    envelope: "✉️",
    door: "🚪",
    bust_in_silhouette: "👤",
    busts_in_silhouette: "👥",
    bulb: "💡",
    pushpin: "📌",
    eyes: "👀",
    rocket: "🚀",
    thumbsup: "👍",
    "+1": "👍",
    raised_hands: "🙌",
    clipboard: "📋",
    email: "📧",
    bell: "🔔",
    alarm_clock: "⏰",
    arrow_right: "➡️",
    heavy_plus_sign: "➕",
    sparkles: "✨",
    smile: "😄",
    slightly_smiling_face: "🙂",
    no_entry: "⛔",
    mag: "🔍",
    gear: "⚙️",
    books: "📚",
    page_facing_up: "📄",
    spiral_calendar_pad: "🗓️",
    telephone_receiver: "📞",
    handshake: "🤝",
  };

  const EMOJI_PATTERN = /:([a-z0-9_+'-]+):/g;

  /** Replaces known `:shortcodes:` in a plain string (option labels, titles). */
  function emojiText(text) {
    return String(text).replace(EMOJI_PATTERN, (whole, name) => EMOJI[name] ?? whole);
  }

  // ------------------------------------------------------------------------------------------ mrkdwn

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
  function inline(text) {
    const stack = [{ mark: null, nodes: [] }];
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
          const frame = stack.pop();
          top().nodes.push(frame.mark, ...frame.nodes);
        }
        const frame = stack.pop();
        top().nodes.push(el(MARK_TAGS[token.value], null, frame.nodes));
      } else if (token.canOpen) {
        stack.push({ mark: token.value, nodes: [] });
      } else {
        top().nodes.push(token.value);
      }
    }
    while (stack.length > 1) {
      const frame = stack.pop();
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

  // ------------------------------------------------------------------------------------------ Block Kit

  /** Renders blocks; `ctx` = { container, errors } (container: where actions are sent from). */
  function blocks(list, ctx) {
    const wrap = el("div", { class: "bk-blocks" });
    (Array.isArray(list) ? list : []).forEach((block, index) => {
      if (isObj(block)) wrap.append(renderBlock(block, index, ctx));
    });
    return wrap;
  }

  function renderBlock(block, index, ctx) {
    const blockId = typeof block.block_id === "string" ? block.block_id : undefined;
    const b = { blockId, stateId: blockId ?? `blk-${index}`, ctx };
    switch (block.type) {
      case "header":
        return el("div", { class: "bk-header" }, plainText(block.text));
      case "section": {
        const main = el("div", { class: "bk-section-main" });
        if (block.text) main.append(textObject(block.text));
        if (Array.isArray(block.fields)) {
          main.append(
            el(
              "div",
              { class: "bk-fields" },
              block.fields.map((field) => el("div", null, textObject(field))),
            ),
          );
        }
        const node = el("div", { class: "bk-section" }, main);
        if (isObj(block.accessory)) {
          node.append(el("div", { class: "bk-accessory" }, element(block.accessory, b, "interactive")));
        }
        return node;
      }
      case "divider":
        return el("hr", { class: "bk-divider" });
      case "context":
        return el(
          "div",
          { class: "bk-context" },
          (Array.isArray(block.elements) ? block.elements : []).map((item) =>
            isObj(item) && item.type === "image" ? image(item) : el("div", null, textObject(item)),
          ),
        );
      case "image":
        return el(
          "div",
          { class: "bk-image" },
          block.title ? el("div", { class: "title" }, plainText(block.title)) : null,
          image(block),
        );
      case "actions":
        return el(
          "div",
          { class: "bk-actions" },
          (Array.isArray(block.elements) ? block.elements : []).map((item) =>
            isObj(item) ? element(item, b, "interactive") : null,
          ),
        );
      case "input": {
        const error = ctx.errors?.[b.stateId];
        return el(
          "div",
          { class: "bk-input-block", dataset: { blockId: b.stateId } },
          el(
            "label",
            { class: "bk-label" },
            plainText(block.label),
            block.optional ? el("span", { class: "optional", text: " (optional)" }) : null,
          ),
          isObj(block.element)
            ? element(block.element, b, block.dispatch_action ? "interactive" : "input")
            : null,
          block.hint ? el("div", { class: "bk-hint" }, plainText(block.hint)) : null,
          el("div", { class: "bk-error", dataset: { errorFor: b.stateId }, text: error ?? "" }),
        );
      }
      case "rich_text":
        return richText(block);
      case "markdown":
        return el("div", { class: "bk-markdown" }, mrkdwn(str(block.text)));
      default:
        return el("div", {
          class: "bk-unsupported",
          text: `[${String(block.type)} block: not shown in the sandbox]`,
        });
    }
  }

  function image(item) {
    const url = safeImageUrl(item.image_url);
    const alt = str(item.alt_text);
    if (!url) return el("span", { class: "bk-img-missing", text: alt || "image" });
    const img = el("img", { src: url, alt, title: alt, loading: "lazy", referrerpolicy: "no-referrer" });
    img.addEventListener("error", () =>
      img.replaceWith(el("span", { class: "bk-img-missing", text: alt || "image" })),
    );
    return img;
  }

  function richText(block) {
    const wrap = el("div", { class: "bk-rich mrkdwn" });
    for (const part of Array.isArray(block.elements) ? block.elements : []) {
      if (!isObj(part)) continue;
      if (part.type === "rich_text_list") {
        const list = el(part.style === "ordered" ? "ol" : "ul");
        for (const item of Array.isArray(part.elements) ? part.elements : []) {
          list.append(el("li", null, richInline(item?.elements)));
        }
        wrap.append(list);
      } else if (part.type === "rich_text_preformatted") {
        wrap.append(el("pre", null, richInline(part.elements)));
      } else if (part.type === "rich_text_quote") {
        wrap.append(el("blockquote", null, richInline(part.elements)));
      } else {
        wrap.append(el("div", { class: "line" }, richInline(part.elements)));
      }
    }
    return wrap;
  }

  function richInline(elements) {
    return (Array.isArray(elements) ? elements : []).map((item) => {
      if (!isObj(item)) return null;
      let node;
      switch (item.type) {
        case "text":
          node = document.createTextNode(str(item.text));
          break;
        case "link": {
          const url = safeUrl(item.url);
          node = url
            ? el("a", {
                href: url,
                target: "_blank",
                rel: "noopener noreferrer",
                text: str(item.text) || url,
              })
            : document.createTextNode(str(item.text));
          break;
        }
        case "user":
          node = renderAngle(`@${str(item.user_id)}`);
          break;
        case "channel":
          node = renderAngle(`#${str(item.channel_id)}`);
          break;
        case "emoji":
          node = document.createTextNode(
            item.unicode
              ? String.fromCodePoint(
                  ...String(item.unicode)
                    .split("-")
                    .map((h) => Number.parseInt(h, 16)),
                )
              : (EMOJI[str(item.name)] ?? `:${str(item.name)}:`),
          );
          break;
        case "date":
          node = document.createTextNode(formatSlackDate(Number(item.timestamp), str(item.format), tz()));
          break;
        case "broadcast":
          node = el("span", { class: "mention", text: `@${str(item.range)}` });
          break;
        default:
          node = document.createTextNode("");
      }
      const style = isObj(item.style) ? item.style : {};
      if (style.code) node = el("code", null, node);
      if (style.bold) node = el("b", null, node);
      if (style.italic) node = el("i", null, node);
      if (style.strike) node = el("s", null, node);
      return node;
    });
  }

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
      node.disabled = true;
      try {
        await fire(b, item, {}, node);
      } finally {
        node.disabled = false;
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
    if (!multi)
      node.append(el("option", { value: "", text: plainText(item.placeholder) || "Select an item" }));
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

  // ------------------------------------------------------------------------------------------ dialogs, toasts

  function confirmDialog(confirm) {
    return new Promise((resolve) => {
      const close = (answer) => {
        overlay.remove();
        resolve(answer);
      };
      const overlay = el(
        "div",
        { class: "overlay", "data-testid": "confirm" },
        el(
          "div",
          { class: "modal" },
          el(
            "div",
            { class: "modal-head" },
            el("div", { class: "title" }, plainText(confirm.title) || "Are you sure?"),
          ),
          el("div", { class: "modal-body" }, textObject(confirm.text)),
          el(
            "div",
            { class: "modal-foot" },
            el(
              "button",
              { class: "bk-btn", type: "button", on: { click: () => close(false) } },
              plainText(confirm.deny) || "Cancel",
            ),
            el(
              "button",
              {
                class: `bk-btn ${confirm.style === "danger" ? "danger" : "primary"}`,
                type: "button",
                "data-testid": "confirm-yes",
                on: { click: () => close(true) },
              },
              plainText(confirm.confirm) || "Yes",
            ),
          ),
        ),
      );
      document.body.append(overlay);
    });
  }

  function toast(text, kind) {
    const node = el("div", {
      class: `toast${kind === "error" ? " error" : ""}`,
      role: "status",
      "data-testid": "toast",
      text,
    });
    ui.toasts.append(node);
    setTimeout(() => node.remove(), kind === "error" ? 9000 : 6000);
  }

  // ------------------------------------------------------------------------------------------ the shell

  const ui = {
    clock: el("span", { class: "clock", "data-testid": "clock" }),
    live: el("span", { class: "live off", text: "○ connecting…" }),
    picker: el("select", { "data-testid": "person-picker", "aria-label": "Act as" }),
    workspace: el("div", { class: "workspace" }),
    side: el("div"),
    head: el("div", { class: "pane-head" }),
    scroll: el("div", { class: "scroll", "data-testid": "messages" }),
    composer: el("div", { class: "composer" }),
    controls: el("aside", { class: "controls", "data-testid": "sandbox-controls" }),
    modal: el("div"),
    toasts: el("div", { class: "toasts" }),
    textarea: el("textarea", { rows: 1, "data-testid": "composer", "aria-label": "Message" }),
  };

  document
    .getElementById("app")
    .append(
      el(
        "header",
        { class: "topbar" },
        el("span", { class: "brand", text: "Fleet Concierge" }),
        el("span", { class: "pill sandbox", text: "Sandbox" }),
        el("span", { class: "spacer" }),
        ui.clock,
        ui.live,
        el("label", null, "Acting as", ui.picker),
      ),
      el(
        "div",
        { class: "main" },
        el("nav", { class: "sidebar" }, ui.workspace, ui.side),
        el("section", { class: "pane" }, ui.head, ui.scroll, ui.composer),
        ui.controls,
      ),
      ui.modal,
      ui.toasts,
    );

  ui.picker.addEventListener("change", () => switchPerson(ui.picker.value));
  ui.textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      void send();
    }
  });
  ui.textarea.addEventListener("input", () => {
    ui.textarea.style.height = "auto";
    ui.textarea.style.height = `${Math.min(ui.textarea.scrollHeight, 160)}px`;
  });
  const composerForm = el(
    "form",
    {
      on: {
        submit: (event) => {
          event.preventDefault();
          void send();
        },
      },
    },
    ui.textarea,
    el("button", { class: "send", type: "submit", "data-testid": "send", text: "Send" }),
  );
  const composerHint = el("div", { class: "hint" });

  function setLive(live) {
    S.live = live;
    ui.live.textContent = live ? "● live" : "○ reconnecting…";
    ui.live.className = live ? "live" : "live off";
  }

  function switchPerson(id) {
    if (!id || id === S.as) return;
    S.as = id;
    S.view = null;
    S.homeOpenedFor = null;
    S.modalKey = null;
    localStorage.setItem("fleet-sandbox-as", id);
    const url = new URL(location.href);
    url.searchParams.set("as", id);
    history.replaceState(null, "", url);
    messageCache.clear();
    void refresh();
  }

  function openChannel(id) {
    if (!byId.channels.has(id)) {
      toast("You are not in that channel.");
      return;
    }
    S.view = { kind: "channel", id };
    S.viewAuto = false;
    S.stickToBottom = true;
    render();
  }

  function openApp(tab) {
    S.view = { kind: "app", tab };
    S.viewAuto = false;
    S.stickToBottom = true;
    if (tab === "home") {
      S.homeOpenedFor = S.as;
      void post("/sandbox/api/home/open", { as: S.as });
    }
    render();
  }

  async function send() {
    const text = ui.textarea.value.trim();
    const channelId = currentChannelId();
    if (!text || !channelId) return;
    const command = /^(\/\S+)\s*([\s\S]*)$/.exec(text);
    if (command) {
      if (command[1] !== "/fleet") {
        toast(
          `${command[1]} is not a valid command. In Slack, all messages that start with "/" are interpreted as commands.`,
          "error",
        );
        return;
      }
      ui.textarea.value = "";
      S.stickToBottom = true;
      await post("/sandbox/api/command", {
        as: S.as,
        channelId,
        command: command[1],
        text: command[2] ?? "",
      });
      return;
    }
    ui.textarea.value = "";
    S.stickToBottom = true;
    // Like Slack's client: what a person types is text, so mrkdwn's control characters are escaped.
    const escaped = text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
    await post("/sandbox/api/message", { as: S.as, channelId, text: escaped });
  }

  // ------------------------------------------------------------------------------------------ rendering

  function render() {
    // Right after switching person the state still belongs to the previous one: wait for theirs.
    if (!S.state || S.state.me?.id !== S.as) return;
    renderPicker();
    const gone = S.view?.kind === "channel" && !byId.channels.has(S.view.id);
    if (!S.view || gone || (S.viewAuto && S.view.kind === "app" && defaultView().kind === "channel")) {
      S.view = defaultView();
      S.viewAuto = true;
      S.stickToBottom = true;
    }
    renderSidebar();
    renderPane();
    renderControls();
    renderModal();
    renderClock();
    document.body.dataset.as = S.as ?? "";
    document.body.dataset.ready = "true";
  }

  function defaultView() {
    const channels = S.state.channels.filter((c) => !c.isIm && c.members.includes(S.as));
    const general = channels.find((c) => c.isGeneral);
    const first = general ?? channels[0];
    return first ? { kind: "channel", id: first.id } : { kind: "app", tab: "home" };
  }

  function renderPicker() {
    const people = S.state.users.filter((u) => !u.isBot);
    const key = people.map((p) => p.id).join(",") + S.as;
    if (ui.picker.dataset.key === key) return;
    ui.picker.dataset.key = key;
    ui.picker.replaceChildren(
      ...people.map((p) =>
        el("option", {
          value: p.id,
          selected: p.id === S.as,
          text: `${p.realName} · ${byId.teams.get(p.teamId)?.name ?? p.teamId}`,
        }),
      ),
    );
  }

  function imChannel() {
    return S.state.channels.find(
      (c) => c.isIm && c.members.includes(S.as) && c.members.includes(S.state.bot.userId),
    );
  }

  function topLevel(channel) {
    return channel.messages.filter((m) => !m.thread_ts || m.thread_ts === m.ts);
  }

  function renderSidebar() {
    const user = me();
    const team = byId.teams.get(user.teamId);
    ui.workspace.replaceChildren(
      el("div", { class: "team", text: team?.name ?? user.teamId }),
      el("div", { class: "who", text: `● ${user.realName}${user.external ? "" : " · Fleet"}` }),
    );
    const channels = S.state.channels.filter((c) => !c.isIm).sort((a, b) => a.name.localeCompare(b.name));
    const item = (props, icon, label, active, unread, badge) =>
      el(
        "button",
        {
          class: `side-item${active ? " active" : ""}${unread && !active ? " unread" : ""}`,
          type: "button",
          ...props,
        },
        el("span", { class: "icon", text: icon }),
        el("span", { text: label }),
        badge ? el("span", { class: "badge", text: badge }) : null,
      );
    const channelItems = channels.map((c) => {
      const count = topLevel(c).length;
      const active = S.view?.kind === "channel" && S.view.id === c.id;
      if (active) S.seen[c.id] = count;
      const unread = count > (S.seen[c.id] ?? 0);
      return item(
        { "data-testid": `channel-${c.name}`, on: { click: () => openChannel(c.id) } },
        c.isPrivate ? "🔒" : "#",
        c.name,
        active,
        unread,
        c.isExtShared ? "⇄" : "",
      );
    });
    const im = imChannel();
    const imCount = im ? topLevel(im).length : 0;
    const appActive = S.view?.kind === "app";
    if (appActive && S.view.tab === "messages" && im) S.seen[im.id] = imCount;
    const appUnread = im ? imCount > (S.seen[im.id] ?? 0) : false;
    ui.side.replaceChildren(
      el(
        "div",
        { class: "side-section" },
        el("div", { class: "side-title", text: "▾ Channels" }),
        channelItems.length ? channelItems : el("div", { class: "side-empty", text: "No channels yet" }),
      ),
      el(
        "div",
        { class: "side-section" },
        el("div", { class: "side-title", text: "▾ Apps" }),
        item(
          {
            "data-testid": "app-fleet-concierge",
            on: { click: () => openApp("home") },
          },
          "🤝",
          S.state.bot.name,
          appActive,
          appUnread,
        ),
      ),
    );
  }

  function currentChannelId() {
    if (S.view?.kind === "channel") return S.view.id;
    if (S.view?.kind === "app" && S.view.tab === "messages") return imChannel()?.id ?? null;
    return null;
  }

  function renderPane() {
    const atBottom = ui.scroll.scrollHeight - ui.scroll.scrollTop - ui.scroll.clientHeight < 60;
    if (S.view.kind === "channel") {
      const channel = byId.channels.get(S.view.id);
      renderChannelHead(channel);
      renderTimeline(channel);
      renderComposer(channel, false);
    } else {
      renderAppHead();
      if (S.view.tab === "home") {
        renderHome();
        ui.composer.replaceChildren();
      } else {
        const im = imChannel();
        if (im) renderTimeline(im);
        else
          ui.scroll.replaceChildren(
            el("div", { class: "empty", text: `${S.state.bot.name} hasn't sent you any messages yet.` }),
          );
        renderComposer(im, true);
      }
    }
    if (S.stickToBottom || atBottom) {
      ui.scroll.scrollTop = ui.scroll.scrollHeight;
      S.stickToBottom = false;
    }
  }

  function renderChannelHead(channel) {
    const external = channel.connectedTeamIds.map((id) => byId.teams.get(id)?.name ?? id);
    const parts = [
      plural(channel.members.filter((id) => !byId.users.get(id)?.isBot).length, "member"),
      external.length ? `shared with ${external.join(", ")}` : "",
      channel.pins.length ? `📌 ${channel.pins.length} pinned` : "",
      channel.topic || "",
    ].filter(Boolean);
    ui.head.replaceChildren(
      el("span", {
        class: "title",
        "data-testid": "channel-title",
        text: `${channel.isPrivate ? "🔒" : "#"} ${channel.name}`,
      }),
      el("span", { class: "sub", text: parts.join(" · ") }),
    );
  }

  function renderAppHead() {
    const tab = (name, label) =>
      el("button", {
        class: `tab${S.view.tab === name ? " active" : ""}`,
        type: "button",
        "data-testid": `tab-${name}`,
        text: label,
        on: { click: () => openApp(name) },
      });
    ui.head.replaceChildren(
      el("span", { class: "avatar small", style: { background: "#243b55" }, text: "FC" }),
      el("span", { class: "title", text: S.state.bot.name }),
      el("div", { class: "tabs" }, tab("home", "Home"), tab("messages", "Messages")),
    );
  }

  function renderHome() {
    const home = S.state.home;
    if (S.homeOpenedFor !== S.as) {
      S.homeOpenedFor = S.as;
      void post("/sandbox/api/home/open", { as: S.as });
    }
    if (!home) {
      ui.scroll.replaceChildren(el("div", { class: "empty", text: "Opening the App Home…" }));
      return;
    }
    const key = `home:${home.id}:${home.hash}:${S.as}:${dayStamp()}`;
    if (ui.scroll.dataset.key === key) return;
    ui.scroll.dataset.key = key;
    const node = el(
      "div",
      { class: "home", "data-bk-root": "", "data-testid": "app-home" },
      blocks(home.blocks, { container: { kind: "view", viewId: home.id } }),
    );
    ui.scroll.replaceChildren(node);
  }

  function renderComposer(channel, readOnly) {
    if (!channel || readOnly) {
      ui.composer.className = "composer readonly";
      ui.composer.replaceChildren(
        el("div", {
          text: `Sending messages to ${S.state.bot.name} is turned off: it talks to you from its Home tab and your channels.`,
        }),
      );
      return;
    }
    ui.composer.className = "composer";
    ui.textarea.placeholder = `Message ${channel.isIm ? "" : "#"}${channel.name}`;
    const user = me();
    composerHint.replaceChildren();
    add(composerHint, [
      user.external
        ? "Type a message, or tick the steps in the pinned checklist above."
        : [
            "Try ",
            el("code", {
              text: `/fleet onboard Acme Corp hr=jane@acme.example call=${epochToWall(Math.floor(sandboxNow() / 1000) + 3 * 86_400, tz()).slice(0, 10)}T14:30`,
            }),
            " · ",
            el("code", { text: "/fleet help" }),
          ],
    ]);
    if (ui.composer.firstChild !== composerForm) ui.composer.replaceChildren(composerForm, composerHint);
  }

  const messageCache = new Map();
  let usersKey = "";

  function dayStamp() {
    const p = partsIn(sandboxNow(), tz());
    return `${p.year}-${p.month}-${p.day}`;
  }

  /** Channel messages with their threads, the person's ephemeral messages and the page's own notes, in order. */
  function renderTimeline(channel) {
    ui.scroll.dataset.key = "";
    usersKey = `${S.as}:${dayStamp()}:${S.state.users.length}:${S.state.channels.map((c) => c.name).join(",")}`;
    const replies = new Map();
    for (const m of channel.messages) {
      if (m.thread_ts && m.thread_ts !== m.ts) {
        if (!replies.has(m.thread_ts)) replies.set(m.thread_ts, []);
        replies.get(m.thread_ts).push({ kind: "message", m });
      }
    }
    const items = topLevel(channel).map((m) => ({ kind: "message", m, ts: m.ts }));
    const privateItems = [
      ...S.state.ephemerals
        .filter((e) => e.channel === channel.id)
        .map((e) => ({ kind: "ephemeral", m: e, ts: e.ts, key: `e:${e.ts}` })),
      ...S.state.notes
        .filter((n) => n.channelId === channel.id)
        .map((n) => ({ kind: "note", m: { ...n, thread_ts: n.threadTs }, ts: n.ts, key: `n:${n.id}` })),
    ].filter((item) => !S.dismissed.has(item.key));
    for (const item of privateItems) {
      const parent = item.m.thread_ts;
      if (parent && replies.has(parent)) replies.get(parent).push(item);
      else if (parent && channel.messages.some((m) => m.ts === parent)) replies.set(parent, [item]);
      else items.push(item);
    }
    for (const list of replies.values()) list.sort((a, b) => compareTs(a.m.ts, b.m.ts));
    items.sort((a, b) => compareTs(a.ts, b.ts));
    if (items.length === 0) {
      ui.scroll.replaceChildren(
        el("div", {
          class: "empty",
          text: `This is the very beginning of ${channel.isIm ? "your conversation" : `#${channel.name}`}.`,
        }),
      );
      return;
    }
    const nodes = [];
    const used = new Set();
    let lastDay = "";
    for (const item of items) {
      const day = dayLabel(tsToMs(item.ts));
      if (day !== lastDay) {
        nodes.push(el("div", { class: "day-divider", text: day }));
        lastDay = day;
      }
      const key = item.key ?? `m:${item.m.ts}`;
      const threadItems = item.kind === "message" ? (replies.get(item.m.ts) ?? []) : [];
      const sig = JSON.stringify([
        usersKey,
        item.m,
        threadItems.map((t) => t.m),
        S.collapsed.has(item.m.ts),
        channel.pins.includes(item.m.ts),
      ]);
      used.add(key);
      const cached = messageCache.get(key);
      if (cached && cached.sig === sig) {
        nodes.push(cached.node);
        continue;
      }
      const node = messageNode(item, channel, threadItems);
      messageCache.set(key, { sig, node });
      nodes.push(node);
    }
    for (const key of messageCache.keys()) if (!used.has(key)) messageCache.delete(key);
    ui.scroll.replaceChildren(...nodes);
  }

  function avatarFor(user, isBot, small) {
    const name = isBot ? S.state.bot.name : (user?.realName ?? "?");
    const initials = name
      .split(/\s+/)
      .map((w) => w[0] ?? "")
      .join("")
      .slice(0, 2)
      .toUpperCase();
    let hash = 0;
    for (const ch of user?.id ?? name) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
    const colors = ["#e8912d", "#2bac76", "#4a154b", "#1264a3", "#cd2553", "#36c5f0", "#9e6a03"];
    return el("div", {
      class: `avatar${small ? " small" : ""}`,
      style: { background: isBot ? "#243b55" : colors[hash % colors.length] },
      text: isBot ? "FC" : initials,
    });
  }

  function messageNode(item, channel, threadItems, inThread) {
    const m = item.m;
    const isPrivate = item.kind !== "message";
    const isBot = isPrivate || Boolean(m.bot_id) || m.user === S.state.bot.userId;
    const user = isBot ? null : byId.users.get(m.user);
    const pinned = !isPrivate && channel.pins.includes(m.ts);
    const container =
      item.kind === "note"
        ? { kind: "note", id: m.id }
        : item.kind === "ephemeral"
          ? { kind: "ephemeral", channelId: channel.id, ts: m.ts }
          : { kind: "message", channelId: channel.id, ts: m.ts };
    const head = el(
      "div",
      { class: "msg-head" },
      el("span", { class: "name", text: isBot ? S.state.bot.name : (user?.realName ?? m.user) }),
      isBot ? el("span", { class: "app-badge", text: "APP" }) : null,
      user?.external
        ? el("span", { class: "ext-badge", text: byId.teams.get(user.teamId)?.name ?? "external" })
        : null,
      el("span", { class: "time", title: m.ts, text: timeOfDay(tsToMs(m.ts)) }),
      m.edited ? el("span", { class: "time", text: "(edited)" }) : null,
    );
    const content =
      Array.isArray(m.blocks) && m.blocks.length > 0
        ? blocks(m.blocks, { container })
        : el("div", { class: "msg-text" }, mrkdwn(m.text));
    const files = Array.isArray(m.files)
      ? m.files.map((f) => el("div", { class: "bk-img-missing", text: `📎 ${f.title || f.name}` }))
      : [];
    const body = el("div", { class: "msg-body" }, head, content, files);
    if (isPrivate) {
      body.append(
        el("button", {
          class: "dismiss",
          type: "button",
          text: "Dismiss message",
          on: {
            click: () => {
              S.dismissed.add(item.key);
              render();
            },
          },
        }),
      );
    }
    if (threadItems.length > 0 && !inThread) body.append(threadNode(m, channel, threadItems));
    const metadata = isObj(m.metadata) ? str(m.metadata.event_type) : "";
    return el(
      "div",
      {
        class: `msg${pinned ? " pinned" : ""}${isPrivate ? " ephemeral" : ""}`,
        "data-bk-root": "",
        "data-testid": isPrivate ? "ephemeral" : "message",
        dataset: { ts: m.ts, eventType: metadata || undefined },
      },
      pinned ? el("div", { class: "pin-line", text: `📌 Pinned by ${S.state.bot.name}` }) : null,
      isPrivate ? el("div", { class: "only-you", text: "👁 Only visible to you" }) : null,
      el("div", { class: "msg-row" }, avatarFor(user, isBot, inThread), body),
    );
  }

  function threadNode(parent, channel, threadItems) {
    const collapsed = S.collapsed.has(parent.ts);
    const count = threadItems.filter((t) => t.kind === "message").length;
    const toggle = el("button", {
      class: "thread-toggle",
      type: "button",
      "data-testid": "thread-toggle",
      text: `${collapsed ? "▸" : "▾"} ${count} ${count === 1 ? "reply" : "replies"}${collapsed ? "" : " · hide"}`,
      on: {
        click: () => {
          if (S.collapsed.has(parent.ts)) S.collapsed.delete(parent.ts);
          else S.collapsed.add(parent.ts);
          render();
        },
      },
    });
    const wrap = el(
      "div",
      { class: "thread", "data-testid": "thread", dataset: { threadTs: parent.ts } },
      toggle,
    );
    if (!collapsed) {
      for (const reply of threadItems) wrap.append(messageNode(reply, channel, [], true));
    }
    return wrap;
  }

  // ------------------------------------------------------------------------------------------ modal

  function renderModal() {
    const modal = S.state.modal;
    if (!modal) {
      if (S.modalKey) ui.modal.replaceChildren();
      S.modalKey = null;
      return;
    }
    const key = `${modal.id}:${modal.hash}`;
    if (S.modalKey === key) {
      for (const node of ui.modal.querySelectorAll("[data-error-for]")) {
        node.textContent = modal.errors?.[node.dataset.errorFor] ?? "";
      }
      return;
    }
    S.modalKey = key;
    const body = el(
      "div",
      { class: "modal-body", "data-bk-root": "" },
      blocks(modal.blocks, { container: { kind: "view", viewId: modal.id }, errors: modal.errors }),
    );
    const hasInputs = modal.blocks.some((b) => isObj(b) && b.type === "input");
    const submit = async () => {
      const result = await post("/sandbox/api/view/submit", {
        as: S.as,
        viewId: modal.id,
        values: collectState(body),
      });
      if (result?.errors) {
        for (const node of ui.modal.querySelectorAll("[data-error-for]")) {
          node.textContent = result.errors[node.dataset.errorFor] ?? "";
        }
      }
    };
    const close = () => void post("/sandbox/api/view/close", { as: S.as, viewId: modal.id });
    ui.modal.replaceChildren(
      el(
        "div",
        { class: "overlay", "data-testid": "modal" },
        el(
          "div",
          { class: "modal", role: "dialog" },
          el(
            "div",
            { class: "modal-head" },
            el("span", { class: "avatar small", style: { background: "#243b55" }, text: "FC" }),
            el("div", { class: "title" }, plainText(modal.title) || S.state.bot.name),
            el("button", { class: "x", type: "button", title: "Close", text: "×", on: { click: close } }),
          ),
          body,
          el(
            "div",
            { class: "modal-foot" },
            el(
              "button",
              { class: "bk-btn", type: "button", on: { click: close } },
              plainText(modal.close) || "Cancel",
            ),
            modal.submit || hasInputs
              ? el(
                  "button",
                  {
                    class: "bk-btn primary",
                    type: "button",
                    "data-testid": "modal-submit",
                    on: { click: submit },
                  },
                  plainText(modal.submit) || "Submit",
                )
              : null,
          ),
        ),
      ),
    );
  }

  // ------------------------------------------------------------------------------------------ sandbox controls

  function renderClock() {
    if (!S.state) return;
    const offset = S.clockSkew;
    const ahead =
      offset > 60_000
        ? ` · ${Math.floor(offset / 86_400_000)}d ${Math.floor((offset % 86_400_000) / 3_600_000)}h ahead`
        : "";
    ui.clock.textContent = `🕒 Sandbox time: ${dateTime(sandboxNow())}${ahead}`;
  }

  function renderControls() {
    const onboardings = S.state.onboardings;
    if (!onboardings.some((o) => o.id === S.onboardingId)) S.onboardingId = onboardings[0]?.id ?? null;
    const selected = onboardings.find((o) => o.id === S.onboardingId);
    const key = JSON.stringify([onboardings, S.as, S.onboardingId]);
    if (ui.controls.dataset.key === key) return;
    ui.controls.dataset.key = key;
    const row = (k, v) =>
      el("div", { class: "row" }, el("span", { class: "k", text: k }), el("span", { class: "v" }, v));
    const chip = (text, good) => el("span", { class: `status-chip ${good ? "good" : "bad"}`, text });
    const picker = el(
      "select",
      {
        class: "bk-select",
        "data-testid": "onboarding-picker",
        on: {
          change: (event) => {
            S.onboardingId = event.target.value;
            renderControls();
          },
        },
      },
      onboardings.map((o) =>
        el("option", { value: o.id, selected: o.id === S.onboardingId, text: `${o.company} (${o.status})` }),
      ),
    );
    const parts = [el("h2", { text: "Sandbox controls" })];
    if (!selected) {
      parts.push(
        el(
          "div",
          { class: "card" },
          el("div", { text: "No onboarding yet." }),
          el("div", {
            class: "note",
            text: "As Rita (the rep), type /fleet onboard … in #general to start one.",
          }),
        ),
      );
    } else {
      const reminder = selected.reminder;
      const connection = selected.finch;
      const denied = connection?.deniedProducts ?? [];
      parts.push(
        picker,
        el("h3", { text: "Clock" }),
        el(
          "div",
          { class: "card" },
          row("Call", selected.callAt ? dateTime(Date.parse(selected.callAt)) : "not booked"),
          row(
            "Day-before reminder",
            reminder ? `${reminder.status} · due ${dateTime(Date.parse(reminder.dueAt))}` : "none scheduled",
          ),
          el(
            "button",
            {
              class: "bk-btn primary",
              type: "button",
              "data-testid": "fire-reminder",
              disabled: !selected.callAt,
              on: { click: () => fireReminder(selected) },
            },
            "⏰ Fire day-before reminder",
          ),
          el(
            "button",
            {
              class: "bk-btn",
              type: "button",
              on: {
                click: async () => {
                  const result = await post("/sandbox/api/clock/advance", { hours: 24 });
                  if (result) toast(`Clock moved one day ahead; ${result.sent} reminder(s) sent.`);
                },
              },
            },
            "+1 day",
          ),
          el("div", {
            class: "note",
            text: "Moves the sandbox clock (never back) to the reminder's moment and runs the reminder scheduler once.",
          }),
        ),
        el("h3", { text: "Finch (stand-in)" }),
        el(
          "div",
          { class: "card", "data-testid": "finch-card" },
          row(
            "Connection",
            connection
              ? chip(connection.status, connection.status === "connected")
              : chip("not connected", false),
          ),
          connection ? row("Products", connection.products.join(", ")) : null,
          denied.length ? row("Missing in the HR system", chip(denied.join(", "), false)) : null,
          denied.length
            ? el(
                "button",
                {
                  class: "bk-btn primary",
                  type: "button",
                  "data-testid": "grant-permissions",
                  on: {
                    click: async () => {
                      const result = await post("/sandbox/api/finch/grant", { onboardingId: selected.id });
                      if (result)
                        toast(
                          `Granted ${result.granted.join(", ")} in the HR system. Press Re-check in the thread.`,
                        );
                    },
                  },
                },
                "Grant the missing permissions",
              )
            : null,
          el("div", {
            class: "note",
            text: "Finch Connect login: good_user / good_pass. Untick a permission on the Connect page to see how a missing one is reported.",
          }),
        ),
      );
    }
    parts.push(
      el("h3", { text: "How to try it" }),
      el(
        "div",
        { class: "card" },
        el("div", {
          class: "note",
          text: "1. As Rita Rep, type /fleet onboard Acme Corp hr=jane@acme.example call=… in #general.",
        }),
        el("div", {
          class: "note",
          text: "2. Switch to Jane (top right), open the shared channel and tick the steps.",
        }),
        el("div", {
          class: "note",
          text: "3. Press Connect Justworks, sign in on Finch's page, and read the verification in the thread.",
        }),
        el("div", {
          class: "note",
          text: "4. Fire the day-before reminder; as Rita, open the Fleet Concierge App Home.",
        }),
      ),
    );
    ui.controls.replaceChildren(...parts);
  }

  async function fireReminder(onboarding) {
    const result = await post("/sandbox/api/clock/reminder", { onboardingId: onboarding.id });
    if (!result) return;
    S.clockSkew = Date.parse(result.now) - Date.now();
    renderClock();
    toast(`Clock moved to ${dateTime(Date.parse(result.now))}; ${result.sent} reminder(s) sent.`);
    if (onboarding.channelId && byId.channels.has(onboarding.channelId)) {
      S.view = { kind: "channel", id: onboarding.channelId };
      S.viewAuto = false;
      S.stickToBottom = true;
    }
  }

  // ------------------------------------------------------------------------------------------ start

  const params = new URLSearchParams(location.search);
  S.as = params.get("as") || localStorage.getItem("fleet-sandbox-as") || null;
  setInterval(renderClock, 1000);
  connectEvents();
  void refresh();
})();
