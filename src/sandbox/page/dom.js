// DOM helpers: el() builds nodes from data; nothing is ever parsed as HTML.
// One section of the sandbox page's script (see SCRIPT_SECTIONS in load-page.ts).

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
