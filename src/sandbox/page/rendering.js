// Rendering: who is acting, the sidebar, the pane, App Home and the composer.
// One section of the sandbox page's script (see SCRIPT_SECTIONS in load-page.ts).

function render() {
  // Right after switching person the state still belongs to the previous one: wait for theirs.
  if (!S.state || S.state.me?.id !== S.as) return;
  const focused = focusPlace(document.activeElement);
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
  renderModal(focused);
  renderClock();
  restoreFocus(focused);
  if (S.modalKey) focusInside(ui.modal);
  document.body.dataset.as = S.as ?? "";
  document.body.dataset.ready = "true";
}

/** @returns {PaneView} */
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
  if (appActive && S.view?.tab === "messages" && im) S.seen[im.id] = imCount;
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
  const view = S.view;
  if (!view) return;
  const atBottom = ui.scroll.scrollHeight - ui.scroll.scrollTop - ui.scroll.clientHeight < 60;
  if (view.kind === "channel") {
    const channel = byId.channels.get(view.id);
    renderChannelHead(channel);
    renderTimeline(channel);
    renderComposer(channel, false);
  } else {
    renderAppHead();
    if (view.tab === "home") {
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
      class: `tab${S.view?.tab === name ? " active" : ""}`,
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
