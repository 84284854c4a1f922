// Block Kit: blocks and rich text.
// One section of the sandbox page's script (see SCRIPT_SECTIONS in load-page.ts).

/** Renders blocks; `ctx` = { container, errors } (container: where actions are sent from). */
function blocks(list, ctx) {
  const wrap = el("div", { class: "bk-blocks" });
  (Array.isArray(list) ? list : []).forEach((block, index) => {
    if (!isObj(block)) return;
    // Each block's node names the block it shows, so a test can hold the page to what the app sent.
    const node = renderBlock(block, index, ctx);
    node.dataset.bkType = String(block.type);
    wrap.append(node);
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
