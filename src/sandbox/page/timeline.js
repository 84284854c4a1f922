// The timeline: messages, threads and avatars.
// One section of the sandbox page's script (see SCRIPT_SECTIONS in load-page.ts).

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
    ? m.files.map((f) =>
        /\.png$/.test(f.name ?? "")
          ? el(
              "div",
              { class: "bk-image", "data-testid": "shared-image" },
              el("img", { src: `/sandbox/api/files/${encodeURIComponent(f.id)}`, alt: f.title || f.name }),
            )
          : el("div", { class: "bk-img-missing", text: `📎 ${f.title || f.name}` }),
      )
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
