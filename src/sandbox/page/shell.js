// The shell: picker, sidebar, panes and the clock.
// One section of the sandbox page's script (see SCRIPT_SECTIONS in load-page.ts).

const ui = {
  fold: el("button", {
    class: "fold",
    type: "button",
    "data-testid": "fold-toggle",
    "aria-expanded": "false",
    "aria-controls": "sandbox-side sandbox-controls",
    text: "☰ Channels",
  }),
  clock: el("span", { class: "clock", "data-testid": "clock" }),
  live: el("span", { class: "live off", text: "○ connecting…" }),
  picker: el("select", { "data-testid": "person-picker", "aria-label": "Act as" }),
  workspace: el("div", { class: "workspace" }),
  side: el("div"),
  head: el("div", { class: "pane-head" }),
  scroll: el("div", { class: "scroll", "data-testid": "messages" }),
  composer: el("div", { class: "composer" }),
  controls: el("aside", { class: "controls", id: "sandbox-controls", "data-testid": "sandbox-controls" }),
  modal: el("div"),
  toasts: el("div", { class: "toasts" }),
  textarea: el("textarea", { rows: 1, "data-testid": "composer", "aria-label": "Message" }),
};

/** @type {HTMLElement} */ (document.getElementById("app")).append(
  el(
    "header",
    { class: "topbar" },
    ui.fold,
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
    el("nav", { class: "sidebar", id: "sandbox-side", "aria-label": "Channels" }, ui.workspace, ui.side),
    el("section", { class: "pane" }, ui.head, ui.scroll, ui.composer),
    ui.controls,
  ),
  ui.modal,
  ui.toasts,
);

ui.picker.addEventListener("change", () => switchPerson(ui.picker.value));

/**
 * On a narrow screen (below 700 px, see styles/layout.css) the sidebar and the sandbox controls fold away
 * behind the top bar's toggle, so a phone shows one thing at a time: the channel, or the lists.
 * @param {boolean} open
 */
function setUnfolded(open) {
  document.body.classList.toggle("unfolded", open);
  ui.fold.setAttribute("aria-expanded", String(open));
  ui.fold.textContent = open ? "✕ Close" : "☰ Channels";
}
ui.fold.addEventListener("click", () => setUnfolded(!document.body.classList.contains("unfolded")));
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
  setUnfolded(false);
  render();
}

function openApp(tab) {
  setUnfolded(false);
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
