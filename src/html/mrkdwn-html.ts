/**
 * The provider templates' text (Slack mrkdwn, placeholders already filled) as HTML for the private page: the
 * same words as the pinned checklist. Everything is escaped first; only *bold*, _italic_, `code`, <url|links>,
 * bullet and numbered lines become markup, and emoji short codes become the few characters templates use.
 */
import { escapeHtml } from "./escape.ts";

const EMOJI: Record<string, string> = {
  lock: "🔒",
  warning: "⚠️",
  pencil2: "✏️",
  white_check_mark: "✅",
  key: "🔑",
  bust_in_silhouette: "👤",
  busts_in_silhouette: "👥",
  office: "🏢",
  spiral_calendar_pad: "🗓️",
  link: "🔗",
  tada: "🎉",
  x: "❌",
  information_source: "ℹ️",
};

/** One line's inline formatting, on already escaped text. */
function inline(escaped: string): string {
  return (
    escaped
      // <https://…|text> and <https://…> (escaped as &#60; … &#62;); only web links.
      .replace(/&#60;(https?:\/\/[^|\s]+?)(?:\|(.+?))?&#62;/g, (_m, url: string, text?: string) => {
        return `<a href="${url}" rel="noopener noreferrer">${text ?? url}</a>`;
      })
      .replace(/`([^`\n]+)`/g, "<code>$1</code>")
      .replace(/(^|[\s(>])\*([^*\n]+)\*(?=$|[\s).,:;!?<])/g, "$1<strong>$2</strong>")
      .replace(/(^|[\s(>])_([^_\n]+)_(?=$|[\s).,:;!?<])/g, "$1<em>$2</em>")
      .replace(/:([a-z0-9_+-]+):/g, (m, name: string) => EMOJI[name] ?? (m.length > 30 ? m : ""))
  );
}

type Block = { kind: "p" | "ul" | "ol"; lines: string[]; start?: number };

/** Converts mrkdwn (placeholders filled) to HTML paragraphs and lists. */
export function mrkdwnToHtml(text: string): string {
  const blocks: Block[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "") {
      blocks.push({ kind: "p", lines: [] });
      continue;
    }
    const bullet = /^[•\-*]\s+(.*)$/.exec(line);
    const numbered = /^(\d+)[.)]\s+(.*)$/.exec(line);
    const kind = bullet ? "ul" : numbered ? "ol" : "p";
    const content = bullet?.[1] ?? numbered?.[2] ?? line;
    const last = blocks.at(-1);
    if (last && last.kind === kind && (kind !== "p" || last.lines.length > 0)) last.lines.push(content);
    else blocks.push({ kind, lines: [content], ...(numbered ? { start: Number(numbered[1]) } : {}) });
  }
  return blocks
    .filter((b) => b.lines.length > 0)
    .map((b) => {
      const parts = b.lines.map((l) => inline(escapeHtml(l)));
      if (b.kind === "p") return `<p>${parts.join("<br>")}</p>`;
      const start = b.start !== undefined && b.start !== 1 ? ` start="${b.start}"` : "";
      return `<${b.kind}${start}>${parts.map((p) => `<li>${p}</li>`).join("")}</${b.kind}>`;
    })
    .join("\n");
}
