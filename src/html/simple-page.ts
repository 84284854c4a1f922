/** The short page every browser answer outside the portal uses (Finch Connect pages, unsubscribe, 404s). */
import { escapeHtml } from "./escape.ts";

/** A minimal, friendly page: a heading and one paragraph, both escaped. */
export function simplePage(title: string, message: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${escapeHtml(title)} · Fleet</title>
<style>body{font-family:system-ui,sans-serif;max-width:34rem;margin:15vh auto;padding:0 1rem;color:#1d1c1d}
h1{font-size:1.5rem}p{line-height:1.5;color:#454245}</style></head>
<body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p></body></html>`;
}
