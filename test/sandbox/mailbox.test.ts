/**
 * The sandbox page's mailbox (issue 23): an email the sandbox kept (sendEmail without SMTP_URL) is listed and
 * renders — the HTML part in a sandboxed iframe whose links open in a new tab, the text part with its private
 * page link clickable, and the calendar part summarised (method, UID, SEQUENCE). Sandbox mode starts the SMTP
 * stand-in and points the app's mailer at it: an email goes nodemailer → SMTP → mailparser → the mailbox.
 */
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Config, parseConfig } from "../../src/config.ts";
import { sandboxMailbox, sendEmail } from "../../src/email/mailer.ts";
import { Router } from "../../src/http/router.ts";
import { createHttpServer } from "../../src/http/server.ts";
import { createLogger } from "../../src/logger.ts";
import { buildCallCalendar } from "../../src/onboarding/calendar.ts";
import { mountMailboxRoutes } from "../../src/sandbox/routes/mailbox-routes.ts";
import { type RunningSandbox, startSandbox } from "../../src/sandbox/sandbox-mode.ts";
import { freePort } from "../../src/sandbox/support/free-port.ts";

const PAGE = "http://127.0.0.1:3000/p/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

describe("the sandbox mailbox", () => {
  const server = (() => {
    const router = new Router();
    mountMailboxRoutes(router, sandboxMailbox);
    return createHttpServer({ router, logger: createLogger({ level: "silent" }) });
  })();
  let base = "";
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("lists a kept email and renders its HTML, text and calendar parts with the page link clickable", async () => {
    const config = {
      mode: "sandbox",
      email: { from: "Fleet <onboarding@fleet.example>" },
    } as unknown as Config;
    const ics = buildCallCalendar({
      onboardingId: "9e1c2a4e-0000-4000-8000-000000000001",
      companyName: "Acme",
      callAt: new Date("2031-03-04T16:00:00Z"),
      timeZone: "America/Chicago",
      sequence: 2,
      cancelled: false,
      requestTo: "jane@acme.example",
    });
    const sent = await sendEmail(config, {
      to: "jane@acme.example",
      subject: "Acme: your Fleet onboarding page",
      text: `Open your page: ${PAGE}`,
      html: `<p><a href="${PAGE}">Open your private onboarding page</a></p><script>alert(1)</script>`,
      icalEvent: { method: "REQUEST", content: ics },
    });
    expect(sent.ok).toBe(true);
    const list = await (await fetch(`${base}/sandbox/mailbox`)).text();
    expect(list).toContain("Acme: your Fleet onboarding page");
    const index = sandboxMailbox.length - 1;
    expect(list).toContain(`href="mailbox/${index}"`);

    const res = await fetch(`${base}/sandbox/mailbox/${index}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
    const html = await res.text();
    // The HTML part in a frame without scripts; its links open (in a new tab).
    expect(html).toMatch(
      /<iframe title="The email's HTML part" sandbox="allow-popups allow-popups-to-escape-sandbox" srcdoc="/,
    );
    expect(html).toContain("&#60;base target=&#34;_blank&#34;&#62;");
    expect(html).not.toContain("<script>");
    // The text part's link is a link to the private page.
    expect(html).toContain(`<a href="${PAGE}" target="_blank" rel="noopener noreferrer">${PAGE}</a>`);
    // The calendar part, summarised.
    expect(html).toContain("<strong>METHOD</strong>: REQUEST");
    expect(html).toContain(
      "<strong>UID</strong>: onboarding-call-9e1c2a4e-0000-4000-8000-000000000001@fleet-concierge",
    );
    expect(html).toContain("<strong>SEQUENCE</strong>: 2");
    expect((await fetch(`${base}/sandbox/mailbox/999`)).status).toBe(404);
  });
});

describe("sandbox mode's mail", () => {
  let sandbox: RunningSandbox;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "fc-sbx-mail-"));
    const parsed = parseConfig({
      PORT: String(await freePort()),
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      LOG_LEVEL: "silent",
    });
    if (!parsed.ok) throw new Error(parsed.problems.join("; "));
    sandbox = await startSandbox(parsed.config, createLogger({ level: "silent" }));
  }, 120_000);
  afterAll(async () => {
    await sandbox?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("goes over SMTP to the stand-in the sandbox started, and the mailbox renders what it received", async () => {
    const smtpUrl = sandbox.ctx.config.email.smtpUrl ?? "";
    expect(smtpUrl).toMatch(/^smtp:\/\/127\.0\.0\.1:\d+$/);
    const kept = sandboxMailbox.length;
    const ics = buildCallCalendar({
      onboardingId: "9e1c2a4e-0000-4000-8000-000000000002",
      companyName: "Globex",
      callAt: new Date("2031-03-05T16:00:00Z"),
      timeZone: "America/Chicago",
      sequence: 0,
      cancelled: false,
      requestTo: "hank@globex.example",
    });
    const sent = await sendEmail(sandbox.ctx.config, {
      to: "hank@globex.example",
      subject: "Globex: your Fleet onboarding page",
      text: `Open your page: ${PAGE}`,
      html: `<p><a href="${PAGE}">Open your private onboarding page</a></p>`,
      icalEvent: { method: "REQUEST", content: ics },
    });
    expect(sent.ok).toBe(true);
    // Through SMTP, not kept in memory by the mailer.
    expect(sandboxMailbox.length).toBe(kept);
    const list = await (await fetch(`${sandbox.url}/sandbox/mailbox`)).text();
    expect(list).toContain("Globex: your Fleet onboarding page");
    expect(list).toContain('href="mailbox/0"');
    const html = await (await fetch(`${sandbox.url}/sandbox/mailbox/0`)).text();
    expect(html).toContain("To hank@globex.example");
    expect(html).toContain(`<a href="${PAGE}" target="_blank" rel="noopener noreferrer">${PAGE}</a>`);
    expect(html).toContain("Open your private onboarding page");
    expect(html).toContain("<strong>METHOD</strong>: REQUEST");
    expect(html).toContain(
      "<strong>UID</strong>: onboarding-call-9e1c2a4e-0000-4000-8000-000000000002@fleet-concierge",
    );
  });
});
