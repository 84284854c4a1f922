// The modal on top of the acting person's stack.
// One section of the sandbox page's script (see SCRIPT_SECTIONS in load-page.ts).

/**
 * Renders the acting person's top modal. A modal that opens takes the focus (its first field) and remembers
 * `focusBefore`, the control that opened it, to give the focus back there when it closes.
 * @param {FocusPlace | null} focusBefore
 */
function renderModal(focusBefore) {
  const modal = S.state.modal;
  if (!modal) {
    if (S.modalKey) {
      ui.modal.replaceChildren();
      restoreFocus(S.modalOpener);
    }
    S.modalKey = null;
    S.modalOpener = null;
    return;
  }
  const key = `${modal.id}:${modal.hash}`;
  if (S.modalKey === key) {
    for (const node of ui.modal.querySelectorAll("[data-error-for]")) {
      node.textContent = modal.errors?.[node.dataset.errorFor] ?? "";
    }
    return;
  }
  const opening = !S.modalKey;
  if (opening) S.modalOpener = focusBefore ?? lastFocus;
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
  const title = plainText(modal.title) || S.state.bot.name;
  const overlay = el(
    "div",
    { class: "overlay", "data-testid": "modal" },
    el(
      "div",
      { class: "modal", role: "dialog", "aria-modal": "true", "aria-label": title },
      el(
        "div",
        { class: "modal-head" },
        el("span", { class: "avatar small", style: { background: "#243b55" }, text: "FC" }),
        el("div", { class: "title" }, title),
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
  );
  trapFocus(overlay, close);
  ui.modal.replaceChildren(overlay);
  if (opening) focusInside(overlay);
}
