/**
 * A Slack message's words as an email (issue 23): the day-before reminder and nudges reach customers who work
 * by email with the same content as in their channel. Pure: sections, context lines and link buttons become
 * paragraphs (HTML) and lines (plain text); Slack-only markup is put in words a mail reader understands —
 * mentions name the people, `<!date…>` keeps its fallback, and the channel's Connect link becomes the reader's
 * private page (which has the Connect button, behind a POST).
 */
import type { KnownBlock } from "@slack/types";
import { mrkdwnToHtml } from "../html/mrkdwn-html.ts";

/** How Slack-only parts of the message read in the email. */
export interface SlackToEmailOptions {
  /** The reader's private page: replaces every Connect link (`<publicUrl>connect/…`). */
  pageUrl: string;
  /** The app's public URL (to recognise its Connect links). */
  publicUrl: string;
  /** What a mention of a Slack user becomes ("your Fleet contact"). */
  mention: string;
}

interface Part {
  mrkdwn: string;
  link?: { label: string; url: string };
}

function partsOf(blocks: readonly KnownBlock[]): Part[] {
  const parts: Part[] = [];
  for (const block of blocks) {
    if (block.type === "section") {
      const accessory = block.accessory as
        | { type?: string; url?: string; text?: { text?: string } }
        | undefined;
      const link =
        accessory?.type === "button" && accessory.url
          ? { label: accessory.text?.text ?? accessory.url, url: accessory.url }
          : undefined;
      const text = block.text?.text ?? "";
      const fields = (block.fields ?? []).map((f) => f.text).join("\n");
      parts.push({ mrkdwn: [text, fields].filter(Boolean).join("\n"), ...(link ? { link } : {}) });
    } else if (block.type === "context") {
      const text = block.elements
        .map((e) => ("text" in e && typeof e.text === "string" ? e.text : ""))
        .join(" ");
      if (text.trim()) parts.push({ mrkdwn: text });
    } else if (block.type === "header") {
      parts.push({ mrkdwn: `*${block.text.text}*` });
    }
  }
  return parts;
}

/** Slack-only markup in words: mentions, dates, the channel's Connect links. */
function plainSlack(mrkdwn: string, options: SlackToEmailOptions): string {
  const connect = new RegExp(`${escapeRegExp(options.publicUrl)}(?:re)?connect/[^|>\\s]+`, "g");
  return (
    mrkdwn
      // "(<!date…>)" beside a time in the call's zone says the same time again: drop it.
      .replace(/\s*\(<!date\^[^>|]*\|[^>]*>\)/g, "")
      .replace(/<!date\^[^>|]*\|([^>]*)>/g, "$1")
      .replace(/(?:<@[UW][A-Z0-9]+>(?:,\s*|\s+and\s+)?)+/g, options.mention)
      .replace(/<#[CG][A-Z0-9]+(?:\|([^>]*))?>/g, (_m, name?: string) => (name ? `#${name}` : "your channel"))
      .replace(/<!(?:here|channel|everyone)>/g, "")
      .replace(connect, options.pageUrl)
  );
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** mrkdwn as plain text: links as "label (url)", no emphasis marks, no emoji codes. */
function mrkdwnToText(mrkdwn: string): string {
  return mrkdwn
    .replace(/<(https?:\/\/[^|>\s]+)\|([^>]+)>/g, "$2 ($1)")
    .replace(/<(https?:\/\/[^|>\s]+)>/g, "$1")
    .replace(/(^|[\s(])\*([^*\n]+)\*(?=$|[\s).,:;!?])/gm, "$1$2")
    .replace(/(^|[\s(])_([^_\n]+)_(?=$|[\s).,:;!?])/gm, "$1$2")
    .replace(/:[a-z0-9_+-]+:\s?/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

/** mrkdwn as email HTML (Slack escapes &, < and > in mrkdwn; mrkdwnToHtml escapes again, so unescape first). */
export function mrkdwnAsEmailHtml(mrkdwn: string): string {
  return mrkdwnToHtml(
    mrkdwn
      .replace(/&lt;(?!https?:)/g, "<")
      .replace(/&gt;/g, ">")
      .replace(/&amp;/g, "&"),
  );
}

/** mrkdwn paragraphs (our own words, with `<url|label>` links) as an email body: text and HTML. */
export function mrkdwnEmailBody(paragraphs: readonly string[]): { text: string; html: string } {
  return {
    text: paragraphs.map(mrkdwnToText).join("\n\n"),
    html: [
      "<!doctype html>",
      '<html lang="en"><body style="font-family:sans-serif;line-height:1.5">',
      ...paragraphs.map(mrkdwnAsEmailHtml),
      "</body></html>",
    ].join("\n"),
  };
}

/** The message's blocks as an email body (text and HTML), `before` and `after` mrkdwn paragraphs around it. */
export function slackMessageAsEmail(
  blocks: readonly KnownBlock[],
  options: SlackToEmailOptions & { before: string[]; after: string[] },
): { text: string; html: string } {
  const parts = partsOf(blocks).map((p) => {
    const text = plainSlack(p.mrkdwn, options);
    return p.link ? `${text}\n<${plainSlack(p.link.url, options)}|${p.link.label}>` : text;
  });
  return mrkdwnEmailBody([...options.before, ...parts, ...options.after]);
}
