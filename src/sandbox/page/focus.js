// Keyboard focus: kept on the same control when a re-render replaces it, held inside an open modal (Tab
// wraps, Escape closes) and given back to the control that opened it.
// One section of the sandbox page's script (see SCRIPT_SECTIONS in load-page.ts).

/**
 * Where the focus is, as a way to find the same control again once a re-render has replaced its element:
 * the message (its ts) or area (its data-testid) it sits in, a selector for the control within it, and
 * which of the matches it is.
 * @typedef {{ area: string | null, control: string, index: number }} FocusPlace
 */

/** @param {string} name @param {string} value */
const attr = (name, value) => `[${name}="${CSS.escape(value)}"]`;

/**
 * @param {Element | null} node
 * @returns {FocusPlace | null}
 */
function focusPlace(node) {
  if (!(node instanceof HTMLElement) || node === document.body || !node.isConnected) return null;
  const holder = node.closest("[data-ts]");
  const region = holder ?? node.parentElement?.closest("[data-testid]") ?? null;
  const area =
    holder instanceof HTMLElement && holder.dataset.ts
      ? attr("data-ts", holder.dataset.ts)
      : region instanceof HTMLElement && region.dataset.testid
        ? attr("data-testid", region.dataset.testid)
        : null;
  let control = node.tagName.toLowerCase();
  if (node.dataset.testid) control += attr("data-testid", node.dataset.testid);
  if (node.dataset.actionId) control += attr("data-action-id", node.dataset.actionId);
  const value = node.getAttribute("value");
  if (value !== null) control += attr("value", value);
  const group = node.parentElement?.closest("[data-bk-input]");
  if (group instanceof HTMLElement && group.dataset.actionId !== undefined) {
    // By action_id, not block_id: an app may give its blocks new ids on every render (the checklist does).
    control = `[data-bk-input]${attr("data-action-id", group.dataset.actionId)} ${control}`;
  }
  const scope = area ? document.querySelector(area) : document;
  const index = scope ? [...scope.querySelectorAll(control)].indexOf(node) : -1;
  return index < 0 ? null : { area, control, index };
}

/** The last control that had the focus, kept when a control loses it by being disabled or removed. */
let lastFocus = /** @type {FocusPlace | null} */ (null);
document.addEventListener("focusin", (event) => {
  lastFocus = focusPlace(event.target instanceof Element ? event.target : null) ?? lastFocus;
});

/**
 * Focuses the control at `place` again, if the focus was lost (a re-render removed the focused element).
 * @param {FocusPlace | null} place
 */
function restoreFocus(place) {
  if (!place) return;
  const active = document.activeElement;
  if (active && active !== document.body && active.isConnected) return;
  const scope = place.area ? document.querySelector(place.area) : document;
  const target = scope?.querySelectorAll(place.control)[place.index];
  if (target instanceof HTMLElement) target.focus({ preventScroll: true });
}

const FOCUSABLE =
  "a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";

/** @param {Element} root @returns {HTMLElement[]} */
function focusables(root) {
  return [...root.querySelectorAll(FOCUSABLE)].filter(
    /** @returns {node is HTMLElement} */ (node) =>
      node instanceof HTMLElement && node.getClientRects().length > 0,
  );
}

/**
 * Holds keyboard focus inside `overlay` (a modal): Tab and Shift+Tab wrap around its controls, Escape calls
 * `onEscape`. Takes the focus when nothing inside has it.
 * @param {HTMLElement} overlay
 * @param {() => void} onEscape
 */
function trapFocus(overlay, onEscape) {
  overlay.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      onEscape();
      return;
    }
    if (event.key !== "Tab") return;
    const nodes = focusables(overlay);
    const first = nodes[0];
    const last = nodes[nodes.length - 1];
    if (!first || !last) {
      event.preventDefault();
      return;
    }
    const active = document.activeElement;
    const inside = active instanceof Node && overlay.contains(active);
    if (event.shiftKey && (active === first || !inside)) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (active === last || !inside)) {
      event.preventDefault();
      first.focus();
    }
  });
}

/**
 * Gives `overlay` the focus unless something inside already has it: its first field, else its first control.
 * @param {HTMLElement} overlay
 */
function focusInside(overlay) {
  const active = document.activeElement;
  if (active instanceof Node && overlay.contains(active)) return;
  const nodes = focusables(overlay);
  const field = nodes.find((n) => n.matches("input, textarea, select")) ?? nodes[0];
  field?.focus();
}
