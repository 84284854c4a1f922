/** The sandbox page as one self-contained response: HTML with its script and style inlined, and their CSP. */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The page's folder: beside this module, or (from dist/) the repository's src/sandbox/page. */
function pageDir(): string {
  const beside = fileURLToPath(new URL("./", import.meta.url));
  if (existsSync(join(beside, "styles"))) return beside;
  return fileURLToPath(new URL("../../../../src/sandbox/page/", import.meta.url));
}

/**
 * The sections of the page's script, in the order they are joined. They share one scope: the joined text
 * runs inside one function, so nothing leaks into the page's globals.
 */
const SCRIPT_SECTIONS = [
  "dom.js",
  "focus.js",
  "state.js",
  "api.js",
  "time.js",
  "emoji.js",
  "mrkdwn.js",
  "block-kit.js",
  "block-kit-elements.js",
  "dialogs.js",
  "shell.js",
  "rendering.js",
  "timeline.js",
  "modal.js",
  "controls.js",
  "start.js",
] as const;

/**
 * The style sheet's parts (styles/), by part of the page, in the order they are joined into the one inlined
 * `<style>`: the base (colours, reset) first, so later parts may override it.
 */
const STYLE_PARTS = [
  "base.css",
  "top-bar.css",
  "layout.css",
  "pane.css",
  "messages.css",
  "mrkdwn.css",
  "block-kit.css",
  "app-home.css",
  "composer.css",
  "controls.css",
  "modals.css",
  "narrow.css",
] as const;

/** The page's style sheet: its parts joined in order (the text the CSP hash pins). */
function joinStyle(dir: string): string {
  return STYLE_PARTS.map((file) => readFileSync(join(dir, "styles", file), "utf8")).join("");
}

/** The page's script: its sections joined in order inside one function (the text the CSP hash pins). */
function joinScript(dir: string): string {
  const sections = SCRIPT_SECTIONS.map((file) => readFileSync(join(dir, file), "utf8"));
  return `(() => {\n${sections.join("\n")}})();\n`;
}

/**
 * Reads the page once, at start-up, into one self-contained response: the renderer script (its sections
 * joined) and the style sheet are inlined and pinned by hash in the Content-Security-Policy, so nothing else can run or load.
 */
export function loadPage(): { html: string; csp: string } {
  const dir = pageDir();
  const script = joinScript(dir);
  const style = joinStyle(dir);
  if (/<\/script/i.test(script) || /<\/style/i.test(style)) {
    throw new Error("src/sandbox/page: the script or style sheet contains a closing tag");
  }
  const hash = (text: string) => `'sha256-${createHash("sha256").update(text).digest("base64")}'`;
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Fleet Concierge · sandbox</title>
<link rel="icon" href="data:,">
<style>${style}</style>
</head>
<body>
<noscript>The sandbox page needs JavaScript.</noscript>
<div id="app"></div>
<script>${script}</script>
</body>
</html>
`;
  const csp = [
    "default-src 'none'",
    `script-src ${hash(script)}`,
    `style-src ${hash(style)}`,
    "img-src 'self' https: http: data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
  return { html, csp };
}
