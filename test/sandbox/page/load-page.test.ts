import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadPage } from "../../../src/sandbox/page/load-page.ts";

const PAGE_DIR = fileURLToPath(new URL("../../../src/sandbox/page/", import.meta.url));

describe("loadPage", () => {
  const { html, csp } = loadPage();
  const script = /<script>([\s\S]*)<\/script>/.exec(html)?.[1] ?? "";

  it("joins every script section, in one function, and pins the joined text by hash", () => {
    expect(script.startsWith("(() => {\n")).toBe(true);
    expect(script.endsWith("})();\n")).toBe(true);
    for (const file of readdirSync(PAGE_DIR).filter((f) => f.endsWith(".js"))) {
      expect(script).toContain(readFileSync(`${PAGE_DIR}${file}`, "utf8"));
    }
    const hash = `'sha256-${createHash("sha256").update(script).digest("base64")}'`;
    expect(csp).toContain(`script-src ${hash}`);
  });

  it("joins the sections in their order: helpers first, start-up last", () => {
    const at = (file: string) => script.indexOf(readFileSync(`${PAGE_DIR}${file}`, "utf8"));
    expect(at("dom.js")).toBeLessThan(at("state.js"));
    expect(at("block-kit.js")).toBeLessThan(at("block-kit-elements.js"));
    expect(at("controls.js")).toBeLessThan(at("start.js"));
  });

  it("joins every part of the style sheet, base first, and pins the joined text by hash", () => {
    const style = /<style>([\s\S]*)<\/style>/.exec(html)?.[1] ?? "";
    const parts = readdirSync(`${PAGE_DIR}styles`).filter((f) => f.endsWith(".css"));
    expect(parts.length).toBeGreaterThan(5);
    for (const file of parts) expect(style).toContain(readFileSync(`${PAGE_DIR}styles/${file}`, "utf8"));
    expect(style.startsWith(readFileSync(`${PAGE_DIR}styles/base.css`, "utf8"))).toBe(true);
    const hash = `'sha256-${createHash("sha256").update(style).digest("base64")}'`;
    expect(csp).toContain(`style-src ${hash}`);
  });
});
