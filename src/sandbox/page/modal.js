// The modal on top of the acting person's stack.
// One section of the sandbox page's script (see SCRIPT_SECTIONS in load-page.ts).

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
