/**
 * The sandbox page in headless Chromium: the whole journey a newcomer takes on /sandbox, through the page
 * only — onboard as the rep, tick steps as the customer's HR admin, connect Finch with a permission left
 * out, read the verification, fix it, re-check, fire the day-before reminder, open the App Home and submit
 * its modal. Writes the README's screenshots to docs/screenshots/ on every run.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { DateTime } from "luxon";
import type { Logger } from "pino";
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checklistItems } from "../../src/checklist/items.ts";
import { getTemplate } from "../../src/checklist/template-registry.ts";
import { parseConfig } from "../../src/config.ts";
import { createLogger } from "../../src/logger.ts";
import { type RunningSandbox, SANDBOX, startSandbox } from "../../src/sandbox/sandbox-mode.ts";
import { freePort } from "../../src/sandbox/support/free-port.ts";

/** Debian's Chromium by default; CHROMIUM_PATH points the test at another Chromium or Chrome binary. */
const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const SHOTS = join(import.meta.dirname, "..", "..", "docs", "screenshots");
const MISSING = `${CHROMIUM} is missing (apt-get install -y chromium, or set CHROMIUM_PATH to a Chromium binary)`;
if (!HAVE_CHROMIUM) {
  // On CI a missing browser is a failure, never a quiet skip (.ci/run installs it).
  if (process.env.CI) throw new Error(`test/sandbox/browser.test.ts needs Chromium: ${MISSING}.`);
  console.warn(`SKIPPED test/sandbox/browser.test.ts: ${MISSING}.`);
}

/** The permissions Finch reads with the `payment` product: what unticking "payment" leaves missing. */
const PAYMENT_LABELS = checklistItems(getTemplate("justworks"))
  .filter((item) => item.kind === "permission" && item.check === "payment")
  .map((item) => item.label);

describe.skipIf(!HAVE_CHROMIUM)("the sandbox page in headless Chromium", () => {
  let sandbox: RunningSandbox;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let dataDir: string;
  const logs: string[] = [];
  let logger: Logger;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const port = await freePort();
    dataDir = mkdtempSync(join(tmpdir(), "fc-browser-"));
    const parsed = parseConfig({
      PORT: String(port),
      HOST: "127.0.0.1",
      PUBLIC_URL: `http://127.0.0.1:${port}/`,
      DATA_DIR: dataDir,
      LOG_LEVEL: "warn",
    });
    if (!parsed.ok) throw new Error(parsed.problems.join("; "));
    const sink = new Writable({
      write(chunk, _encoding, done) {
        logs.push(String(chunk));
        done();
      },
    });
    logger = createLogger({ level: "warn" }, sink);
    sandbox = await startSandbox(parsed.config, logger);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    });
    context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
    context.setDefaultTimeout(15_000);
    page = await context.newPage();
    page.on("pageerror", (err) => pageErrors.push(err.message));
    mkdirSync(SHOTS, { recursive: true });
    // Starting the sandbox (migrations, two stand-ins, the app) and Chromium takes long on a busy machine.
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await sandbox?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const checklist = () => page.locator('[data-event-type="onboarding_checklist"]');
  const verifications = () => page.locator('[data-event-type="finch_verification"]');

  async function actAs(userId: string) {
    await page.getByTestId("person-picker").selectOption(userId);
    // A locator, not waitForFunction: the page's Content-Security-Policy forbids evaluating strings.
    await page.locator(`body[data-as="${userId}"]`).waitFor({ state: "attached" });
  }

  /** Live re-renders replace elements: retry a page action that raced one of them. */
  async function settled(action: () => Promise<unknown>, attempts = 5) {
    for (let i = 1; ; i++) {
      try {
        return await action();
      } catch (err) {
        if (i >= attempts || !/not attached|detached/i.test(String(err))) throw err;
        await page.waitForTimeout(200);
      }
    }
  }

  async function tick(itemKey: string) {
    const box = checklist().locator(`label[data-value="${itemKey}"] input`);
    await box.check();
    // Ticked for good once the app has re-rendered the checklist from its database.
    await expect
      .poll(() => checklist().locator(`label.checked[data-value="${itemKey}"]`).count(), { timeout: 10_000 })
      .toBe(1);
  }

  /**
   * The page shows exactly the Block Kit the app sent (`sent`, as the Slack stand-in stored it) inside
   * `root`: every block, in order, as its own kind (no "not shown in the sandbox" fallback), and no
   * control the app did not send nor one it sent left out (compared by action_id).
   */
  async function expectShowsExactly(root: Locator, sent: () => unknown[] | undefined) {
    const actionIds = (list: Array<Record<string, unknown>>) =>
      list.flatMap((b) =>
        [b.accessory, b.element, ...(Array.isArray(b.elements) ? b.elements : [])]
          .map((e) => (e && typeof e === "object" ? (e as Record<string, unknown>).action_id : undefined))
          .filter((id): id is string => typeof id === "string"),
      );
    const summary = (types: string[], unsupported: number, actions: string[]) => ({
      types,
      unsupported,
      actions: [...new Set(actions)].sort(),
    });
    const fromApp = () => {
      const blocks = (sent() ?? []) as Array<Record<string, unknown>>;
      return summary(
        blocks.map((b) => String(b.type)),
        0,
        actionIds(blocks),
      );
    };
    const onPage = () =>
      settled(async () => {
        const shown = root.locator(".bk-blocks").first();
        const read = (selector: string, key: "bkType" | "actionId") =>
          shown
            .locator(selector)
            .evaluateAll((nodes, k) => nodes.map((n) => (n as unknown as PageNode).dataset[k] ?? ""), key);
        return summary(
          await read(":scope > [data-bk-type]", "bkType"),
          await shown.locator(".bk-unsupported").count(),
          await read("[data-action-id]", "actionId"),
        );
      });
    expect(fromApp().types.length).toBeGreaterThan(0);
    await expect
      .poll(async () => [await onPage(), fromApp()], { timeout: 10_000 })
      .toSatisfy(([page, app]) => JSON.stringify(page) === JSON.stringify(app));
  }

  /** The members of a page element the test reads from inside the page. */
  interface PageNode {
    tagName: string;
    dataset: Record<string, string | undefined>;
    getAttribute(name: string): string | null;
    closest(selector: string): unknown;
  }

  /** What has the keyboard focus: its tag, value, action id, and whether it sits in the checklist or a modal. */
  const focused = () =>
    page.evaluate(() => {
      // Runs in the page (this file is type-checked without the DOM's types): the few members it reads.
      const node = (globalThis as unknown as { document: { activeElement: PageNode | null } }).document
        .activeElement;
      return {
        tag: node?.tagName.toLowerCase() ?? "",
        type: node?.getAttribute("type") ?? "",
        value: node?.getAttribute("value") ?? "",
        actionId: node?.dataset.actionId ?? "",
        probe: node?.dataset.probe ?? "",
        inChecklist: Boolean(node?.closest('[data-event-type="onboarding_checklist"]')),
        inModal: Boolean(node?.closest('[data-testid="modal"]')),
      };
    });

  /**
   * A horizontal scroll bar: the page wider than the window (document.scrollWidth > clientWidth), with the
   * elements that stick out past the window's right edge named, so a failure says which.
   */
  const overflows = () =>
    page.evaluate(() => {
      interface Box {
        tagName: string;
        className: unknown;
        getBoundingClientRect(): { right: number; width: number };
      }
      const doc = (
        globalThis as unknown as {
          document: {
            documentElement: { scrollWidth: number; clientWidth: number };
            querySelectorAll(s: string): Iterable<Box>;
          };
        }
      ).document;
      const { scrollWidth, clientWidth } = doc.documentElement;
      if (scrollWidth <= clientWidth) return [];
      const out = [...doc.querySelectorAll("body *")].filter(
        (n) => n.getBoundingClientRect().right > clientWidth + 1,
      );
      return [
        `scrollWidth ${scrollWidth} > clientWidth ${clientWidth}`,
        ...out
          .slice(0, 8)
          .map(
            (n) =>
              `${n.tagName.toLowerCase()}.${String(n.className)} right=${Math.round(n.getBoundingClientRect().right)}`,
          ),
      ];
    });

  /**
   * Ticks `itemKey` by keyboard only: Tab from the checklist's header to its box, Space. The app re-renders
   * the checklist from its database (a new element) and the focus stays on that box.
   */
  async function tickByKeyboard(itemKey: string) {
    await settled(() => checklist().locator(".bk-header").click());
    for (let i = 0; i < 40; i++) {
      const at = await focused();
      if (at.inChecklist && at.type === "checkbox" && at.value === itemKey) break;
      await page.keyboard.press("Tab");
    }
    expect(await focused()).toMatchObject({ inChecklist: true, type: "checkbox", value: itemKey });
    // Marks the element that has the focus now, to tell it from the one the re-render puts in its place.
    await page.evaluate(() => {
      const node = (globalThis as unknown as { document: { activeElement: PageNode } }).document
        .activeElement;
      node.dataset.probe = "before-tick";
    });
    await page.keyboard.press("Space");
    await expect
      .poll(() => checklist().locator(`label.checked[data-value="${itemKey}"]`).count(), { timeout: 10_000 })
      .toBe(1);
    await expect
      .poll(async () => {
        const at = await focused();
        return at.probe === "" ? at : "not re-rendered yet";
      })
      .toMatchObject({ inChecklist: true, type: "checkbox", value: itemKey });
  }

  it("onboard → tick → connect Finch without a permission → told which → fix → re-check → reminder → App Home", async () => {
    await page.goto(sandbox.pageUrl);
    await page.waitForSelector("body[data-ready=true]");
    expect(await page.getByTestId("channel-title").textContent()).toContain("general");

    // 1. The rep onboards a customer from #general with a call a few days ahead.
    const call = DateTime.now().setZone("America/New_York").plus({ days: 3 }).toFormat("yyyy-MM-dd");
    await page
      .getByTestId("composer")
      .fill(`/fleet onboard Acme Corp hr=${SANDBOX.hrAdmin.email} call=${call}T14:30`);
    await page.getByTestId("composer").press("Enter");
    await expect
      .poll(() => page.getByTestId("ephemeral").allTextContents(), { timeout: 15_000 })
      .toContainEqual(expect.stringContaining("Acme Corp is set up"));
    expect(await page.getByTestId("ephemeral").first().textContent()).toContain("Only visible to you");
    await page.getByTestId("channel-fleet-acme-corp").click();
    await expect.poll(() => checklist().count()).toBe(1);
    expect(await checklist().textContent()).toContain("Pinned by Fleet Concierge");

    // 2. The customer's HR admin (another workspace) ticks the steps from the shared channel.
    await actAs(SANDBOX.hrAdmin.id);
    await expect.poll(() => page.getByTestId("channel-title").textContent()).toContain("fleet-acme-corp");
    // The first box by keyboard (Tab, Space): the focus is still on it after the checklist re-renders.
    await tickByKeyboard("add-user");
    for (const key of ["grant-admin", "verify-permissions", "note-details"]) await tick(key);
    // Under load the last re-render can trail the box's own state: wait for the app's version of it.
    await expect
      .poll(() => checklist().textContent(), { timeout: 15_000 })
      .toContain(`Ticked by @${SANDBOX.hrAdmin.realName}`);
    const acmeChannel = sandbox.slackStandIn.channelByName("fleet-acme-corp")?.id ?? "";
    const sentChecklist = () =>
      sandbox.slackStandIn
        .messages(acmeChannel)
        .find((m) => m.metadata?.event_type === "onboarding_checklist");
    await expectShowsExactly(checklist(), () => sentChecklist()?.blocks);
    await settled(() => checklist().locator(".bk-header").scrollIntoViewIfNeeded());
    await page.screenshot({ path: join(SHOTS, "checklist.png") });

    // 3. The Finch link opens in a new tab; on Finch's Connect page the admin leaves "payment" out.
    const [finch] = await Promise.all([
      context.waitForEvent("page"),
      checklist().locator('a[data-action-id="connect_link"]').first().click(),
    ]);
    await finch.waitForLoadState();
    // Our link's page: its button (a POST) opens Finch, so a mail scanner's GET creates no session.
    await finch.getByRole("button", { name: /Continue to/ }).click();
    await finch.waitForURL((u) => u.toString().startsWith(sandbox.finchStandIn.url));
    expect(finch.url()).toContain(sandbox.finchStandIn.url);
    await finch.locator('input[name="username"]').fill("good_user");
    await finch.locator('input[name="password"]').fill("good_pass");
    await finch.locator('input[name="products"][value="payment"]').uncheck();
    await finch.setViewportSize({ width: 900, height: 760 });
    await finch.screenshot({ path: join(SHOTS, "finch-connect.png") });
    await finch.getByRole("button", { name: "Connect" }).click();
    await finch.waitForURL(/\/finch\/callback/);
    expect(await finch.textContent("body")).toMatch(/connected/i);
    await finch.close();

    // 4. The verification lands in the checklist's thread and names what is missing.
    await expect.poll(() => verifications().count(), { timeout: 15_000 }).toBe(1);
    const firstVerificationAt = Date.now();
    const missing = (await verifications().first().textContent()) ?? "";
    expect(missing).toContain("missing");
    expect(PAYMENT_LABELS.length).toBeGreaterThan(0);
    for (const label of PAYMENT_LABELS) expect(missing).toMatch(new RegExp(`${label}\\s*—\\s*missing`));
    expect(await page.getByTestId("thread").count()).toBeGreaterThan(0);
    await expectShowsExactly(
      verifications().first(),
      () =>
        sandbox.slackStandIn
          .messages(acmeChannel)
          .find((m) => m.metadata?.event_type === "finch_verification")?.blocks,
    );
    await settled(() => verifications().first().scrollIntoViewIfNeeded());
    await page.screenshot({ path: join(SHOTS, "verification.png") });

    // 5. Fix it in the HR system (the stand-in's sandbox control), then press Re-check in the thread.
    await page.getByTestId("grant-permissions").click();
    await expect.poll(() => page.getByTestId("grant-permissions").count()).toBe(0);
    // The app refuses a re-check within 10 s of the previous one (Finch's rate limit): wait that out.
    await page.waitForTimeout(Math.max(0, 10_500 - (Date.now() - firstVerificationAt)));
    await verifications().first().locator('button[data-action-id="recheck"]').click();
    await expect.poll(() => verifications().count(), { timeout: 15_000 }).toBe(2);
    const fixed = (await verifications().nth(1).textContent()) ?? "";
    expect(fixed).toContain("connected and verified");
    for (const label of PAYMENT_LABELS)
      expect(fixed).toMatch(new RegExp(`${label}\\s*—\\s*checked by Fleet through Finch`));
    await settled(() => verifications().nth(1).scrollIntoViewIfNeeded());
    await page.screenshot({ path: join(SHOTS, "verification-fixed.png") });

    // 6. The clock control fires the day-before reminder; it is posted in the channel.
    await page.getByTestId("fire-reminder").click();
    const reminder = page.locator('[data-event-type="onboarding_reminder"]');
    await expect.poll(() => reminder.count(), { timeout: 15_000 }).toBe(1);
    const reminderText = (await reminder.textContent()) ?? "";
    expect(reminderText).toContain("Reminder: Acme Corp's Justworks onboarding call is tomorrow");
    expect(reminderText).toContain(`@${SANDBOX.hrAdmin.realName}`);
    expect(await page.getByTestId("clock").textContent()).toContain("ahead");
    await settled(() => reminder.scrollIntoViewIfNeeded());
    await page.screenshot({ path: join(SHOTS, "reminder.png") });

    // 7. Back as the rep: the App Home lists the onboarding; its "New onboarding" modal is rendered and
    //    submitted (errors shown under the field, then accepted).
    await actAs(SANDBOX.rep.id);
    await page.getByTestId("app-fleet-concierge").click();
    const home = page.getByTestId("app-home");
    // Opening the tab makes the app publish a fresh view (a cached one may show first, as in Slack).
    await expect.poll(() => home.textContent(), { timeout: 10_000 }).toContain("Finch verified");
    expect(await home.textContent()).toContain("Acme Corp");
    await expectShowsExactly(home, () => sandbox.slackStandIn.homeView(SANDBOX.rep.id)?.blocks);
    await page.screenshot({ path: join(SHOTS, "app-home.png") });
    // Opened by keyboard, the modal takes the focus and keeps it on Tab and Shift+Tab; Escape closes it and
    // gives the focus back to the button that opened it.
    const newOnboarding = home.locator('button[data-action-id="home_new_onboarding"]');
    await settled(() => newOnboarding.focus());
    await page.keyboard.press("Enter");
    const modal = page.getByTestId("modal");
    await modal.waitFor();
    await expect.poll(() => focused()).toMatchObject({ inModal: true, tag: "input" });
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press("Tab");
      expect((await focused()).inModal).toBe(true);
    }
    for (let i = 0; i < 3; i++) {
      await page.keyboard.press("Shift+Tab");
      expect((await focused()).inModal).toBe(true);
    }
    await page.keyboard.press("Escape");
    await modal.waitFor({ state: "detached" });
    await expect.poll(() => focused()).toMatchObject({ actionId: "home_new_onboarding", inModal: false });
    await settled(() => newOnboarding.click());
    await modal.waitFor();
    await expectShowsExactly(modal, () => sandbox.slackStandIn.openedViews.at(-1)?.blocks);
    expect(await modal.textContent()).toContain("New onboarding");
    await modal.locator('[data-action-id="company"]').fill("Globex");
    await modal.locator('[data-action-id="hr_emails"]').fill("not-an-email");
    await modal.getByTestId("modal-submit").click();
    await expect.poll(() => modal.locator('[data-error-for="hr_emails"]').textContent()).toMatch(/email/i);
    await modal.locator('[data-action-id="hr_emails"]').fill("hr@globex.example");
    await modal.getByTestId("modal-submit").click();
    await modal.waitFor({ state: "detached" });
    await page.getByTestId("tab-messages").click();
    await expect
      .poll(() => page.getByTestId("messages").textContent(), { timeout: 15_000 })
      .toContain("Globex");

    // 8. Another HR system: the same flow with BambooHR's guide (written from Finch's BambooHR page).
    await page.getByTestId("channel-general").click();
    await page.getByTestId("composer").fill(`/fleet onboard Initech hr=hr@initech.example provider=BambooHR`);
    await page.getByTestId("composer").press("Enter");
    await expect
      .poll(() => page.getByTestId("ephemeral").allTextContents(), { timeout: 15_000 })
      .toContainEqual(expect.stringContaining("Initech is set up"));
    await page.getByTestId("channel-fleet-initech").click();
    await expect
      .poll(() => checklist().textContent(), { timeout: 15_000 })
      .toContain("BambooHR setup for Initech");
    await settled(() => checklist().locator(".bk-header").scrollIntoViewIfNeeded());
    await page.screenshot({ path: join(SHOTS, "checklist-bamboohr.png") });

    // 9. Whatever a message says is shown as text: no markup from the workspace ever runs.
    await page.getByTestId("channel-general").click();
    const probe = `<img src=x onerror="window.__xss=1"><script>window.__xss=2</script> *bold* <https://example.com|a link>`;
    const res = await page.request.post(`${sandbox.url}/sandbox/api/message`, {
      data: { as: SANDBOX.rep.id, channelId: sandbox.slackStandIn.channelByName("general")?.id, text: probe },
    });
    expect(res.status()).toBe(200);
    await page.getByTestId("composer").fill(`<b onclick="window.__xss=3">typed</b>`);
    await page.getByTestId("composer").press("Enter");
    await expect
      .poll(() => page.getByTestId("messages").textContent())
      .toContain('<b onclick="window.__xss=3">typed</b>');
    const general = (await page.getByTestId("messages").textContent()) ?? "";
    expect(general).toContain('img src=x onerror="window.__xss=1"');
    expect(await page.locator('[data-testid="messages"] b', { hasText: "bold" }).count()).toBe(1);
    expect(await page.locator('[data-testid="messages"] a[href="https://example.com"]').count()).toBe(1);
    expect(await page.locator('[data-testid="messages"] img').count()).toBe(0);
    expect(await page.evaluate(() => typeof (globalThis as Record<string, unknown>).__xss)).toBe("undefined");

    // 10. On a phone (400 px wide): no horizontal scroll; the sidebar and controls fold behind a toggle.
    await page.setViewportSize({ width: 400, height: 800 });
    await expect.poll(overflows).toEqual([]);
    expect(await page.locator("#sandbox-side").isVisible()).toBe(false);
    expect(await page.getByTestId("sandbox-controls").isVisible()).toBe(false);
    await page.getByTestId("fold-toggle").click();
    await expect.poll(() => page.locator("#sandbox-side").isVisible()).toBe(true);
    expect(await page.getByTestId("sandbox-controls").isVisible()).toBe(true);
    expect(await page.getByTestId("fold-toggle").getAttribute("aria-expanded")).toBe("true");
    await expect.poll(overflows).toEqual([]);
    await page.getByTestId("channel-fleet-acme-corp").click();
    await expect.poll(() => page.locator("#sandbox-side").isVisible()).toBe(false);
    await expect.poll(() => checklist().count()).toBe(1);
    await settled(() => checklist().locator(".bk-header").scrollIntoViewIfNeeded());
    await expect.poll(overflows).toEqual([]);
    await page.screenshot({ path: join(SHOTS, "checklist-phone.png") });

    expect(pageErrors).toEqual([]);
    // The app's log lines are pino JSON with the level as a label (src/logger.ts), one object a line. A probe
    // written through the same logger proves the lines are read the way they are written.
    logger.warn({ probe: "browser-test" }, "log format probe");
    const entries = logs
      .join("")
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => JSON.parse(line) as { level: string; msg?: string; probe?: string });
    expect(entries.filter((e) => e.probe === "browser-test")).toEqual([
      expect.objectContaining({ level: "warn", msg: "log format probe" }),
    ]);
    expect(entries.every((e) => ["trace", "debug", "info", "warn", "error", "fatal"].includes(e.level))).toBe(
      true,
    );
    expect(entries.filter((e) => e.level === "error" || e.level === "fatal")).toEqual([]);
  }, 120_000);

  it("shows the weekly report's chart in #fleet-reports: the control posts it, the image decodes in the page", async () => {
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(sandbox.pageUrl);
    await page.waitForSelector("body[data-ready=true]");
    await actAs(SANDBOX.rep.id);
    // The controls (the report's button among them) show once an onboarding exists.
    await page.getByTestId("composer").fill(`/fleet onboard Globex hr=hr@globex.example`);
    await page.getByTestId("composer").press("Enter");
    await page.getByTestId("post-weekly-report").click();
    const reports = sandbox.slackStandIn.channelByName("fleet-reports")?.id ?? "";
    await expect
      .poll(
        () =>
          sandbox.slackStandIn.messages(reports).some((m) => m.files?.some((f) => f.name.endsWith(".png"))),
        // The first chart loads vega-lite and resvg: seconds on a busy machine.
        { timeout: 30_000 },
      )
      .toBe(true);
    await page.getByTestId("channel-fleet-reports").click();
    const chart = page.locator('[data-testid="messages"] img[src^="/sandbox/api/files/"]');
    await expect.poll(() => chart.count()).toBeGreaterThan(0);
    // Drawn, not a broken image: the browser decoded the PNG the app uploaded.
    await expect
      .poll(() => chart.first().evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth))
      .toBeGreaterThan(200);
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
