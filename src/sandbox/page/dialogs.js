// Dialogs and toasts.
// One section of the sandbox page's script (see SCRIPT_SECTIONS in load-page.ts).

/**
 * A confirmation dialog over the page: it takes the focus, keeps it (Escape answers no) and gives it back.
 * @param {Record<string, unknown>} confirm Block Kit's confirmation dialog object
 * @returns {Promise<boolean>}
 */
function confirmDialog(confirm) {
  const opener = focusPlace(document.activeElement);
  return new Promise((resolve) => {
    /** @param {boolean} answer */
    const close = (answer) => {
      overlay.remove();
      restoreFocus(opener);
      resolve(answer);
    };
    const overlay = el(
      "div",
      { class: "overlay", "data-testid": "confirm" },
      el(
        "div",
        {
          class: "modal",
          role: "alertdialog",
          "aria-modal": "true",
          "aria-label": plainText(confirm.title) || "Are you sure?",
        },
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
    trapFocus(overlay, () => close(false));
    document.body.append(overlay);
    focusInside(overlay);
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
