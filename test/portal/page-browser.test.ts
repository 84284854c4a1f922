/**
 * Issue 23: the private page in headless Chromium (Debian's `chromium` through playwright-core), checked with
 * axe-core (WCAG 2.0–2.2 A/AA rules): no serious or critical violation at desktop width or on a 400 px phone.
 * It also takes the README's picture of the page (docs/screenshots/private-page.png).
 */
import { existsSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { issuePortalLink } from "../../src/onboarding/portal-links.ts";
import { type Harness, HOME_TEAM, HR, REP, startHarness } from "../helpers/harness.ts";

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const SHOTS = join(import.meta.dirname, "..", "..", "docs", "screenshots");
const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
if (!HAVE_CHROMIUM) {
  if (process.env.CI) throw new Error(`test/portal/page-browser.test.ts needs Chromium at ${CHROMIUM}.`);
  console.warn(`SKIPPED test/portal/page-browser.test.ts: ${CHROMIUM} is missing.`);
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

describe.skipIf(!HAVE_CHROMIUM)("the private page in a browser", () => {
  let h: Harness;
  let browser: Browser;
  let url: string;

  beforeAll(async () => {
    h = await startHarness();
    const res = await h.driver.command({
      text: `onboard Acme Corp hr=${HR.email} call=2031-03-04T10:00 tz=America/Chicago`,
      userId: REP.id,
      teamId: HOME_TEAM.id,
      channelId: "C0SALES",
    });
    await h.driver.waitForResponse(res.responseUrl, 15_000);
    const o = await h.db.prisma.onboarding.findFirstOrThrow();
    const link = await issuePortalLink(h.app.ctx, { onboardingId: o.id, email: HR.email });
    if (!link.ok) throw new Error(link.message);
    url = link.url;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--no-first-run",
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await h?.stop();
  });

  for (const viewport of [
    { name: "desktop", width: 1280, height: 900 },
    { name: "phone", width: 400, height: 860 },
  ]) {
    it(`has no serious or critical axe-core violation (${viewport.name}, ${viewport.width} px)`, async () => {
      const context = await browser.newContext({ viewport, deviceScaleFactor: 1, bypassCSP: true });
      const page = await context.newPage();
      try {
        const res = await page.goto(url);
        expect(res?.status()).toBe(200);
        await expect(page.getByRole("heading", { level: 1 })).toBeTruthy();
        // Ticking a step works without JavaScript-driven widgets (a form POST, then the page again).
        const tickable = page.locator('form[action$="/tick"] button').first();
        if ((await tickable.count()) > 0 && viewport.name === "desktop") {
          await Promise.all([page.waitForURL(url), tickable.click()]);
        }
        await page.addScriptTag({ path: AXE });
        const violations = (await page.evaluate(async () => {
          const axe = (
            globalThis as unknown as { axe: { run(o: unknown): Promise<{ violations: unknown[] }> } }
          ).axe;
          const result = await axe.run({
            runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] },
          });
          return result.violations;
        })) as AxeViolation[];
        const bad = violations
          .filter((v) => v.impact === "serious" || v.impact === "critical")
          .map(
            (v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
          );
        expect(bad).toEqual([]);
        // Nothing wider than the phone: no sideways scrolling.
        const overflow = await page.evaluate(() => {
          const g = globalThis as unknown as {
            document: { documentElement: { scrollWidth: number } };
            innerWidth: number;
          };
          return g.document.documentElement.scrollWidth - g.innerWidth;
        });
        expect(overflow).toBeLessThanOrEqual(0);
        if (viewport.name === "desktop") {
          mkdirSync(SHOTS, { recursive: true });
          await page.screenshot({ path: join(SHOTS, "private-page.png"), fullPage: true });
        } else {
          await page.screenshot({ path: join(SHOTS, "private-page-phone.png"), fullPage: false });
        }
      } finally {
        await context.close();
      }
    });
  }
});
