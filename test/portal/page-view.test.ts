/**
 * The private page's pure parts: the HTML view (escaping, labelled forms with the CSRF token, the call in the
 * reader's zone with its .ics and Google links, the verification's fix lines), the mrkdwn → HTML conversion,
 * and the routes' rate limit (answered before any database read).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { describeEntry } from "../../src/cockpit/history.ts";
import type { AppContext } from "../../src/context.ts";
import { mrkdwnToHtml } from "../../src/html/mrkdwn-html.ts";
import { type RouteRequest, Router } from "../../src/http/router.ts";
import type { DurableIntake } from "../../src/intake/intake.ts";
import { buildPortalPage } from "../../src/portal/page.ts";
import type { PortalPageData } from "../../src/portal/page-data.ts";
import { mountPortalRoutes } from "../../src/portal/routes.ts";

const CALL = new Date("2026-12-08T15:00:00Z");

function data(over: Partial<PortalPageData> = {}): PortalPageData {
  return {
    onboardingId: "9e1c2a4e-0000-4000-8000-000000000001",
    companyName: 'Acme <script>alert("x")</script>',
    providerName: "Justworks",
    recipient: "jane@acme.example",
    active: true,
    beforeYouBegin: "Have your *admin login* ready.",
    howYouConnect: "You sign in with the _integration user's_ login.",
    troubleshooting: ["Locked out? Reset the password in *Settings*."],
    help: "Questions? Ask your Fleet contact.",
    steps: [
      {
        number: 1,
        title: "Add the integration user",
        owner: "customer",
        done: false,
        itemsDone: 0,
        itemsTotal: 1,
        instructions: "1. Log in.\n2. Go to *Manage > Employees*.\n   • Email: `integrations@fleet.example`",
        finchConnect: false,
        items: [
          {
            key: "add-user",
            label: "User added",
            done: true,
            tickable: true,
            doneBy: "Ticked in Slack",
            doneAt: CALL,
            hint: null,
          },
        ],
      },
      {
        number: 2,
        title: "Connect",
        owner: "fleet",
        done: false,
        itemsDone: 0,
        itemsTotal: 1,
        instructions: "Press the button.",
        finchConnect: true,
        items: [
          {
            key: "connect",
            label: "Connected",
            done: false,
            tickable: false,
            doneBy: null,
            doneAt: null,
            hint: null,
          },
        ],
      },
    ],
    progress: { stepsDone: 0, stepsTotal: 2, itemsDone: 1, itemsTotal: 2 },
    connectOffered: true,
    verification: {
      outcome: "missing",
      checkedAt: CALL,
      fixes: [{ label: "View payroll", fix: "Company > Permissions > Payroll: switch on View" }],
    },
    call: {
      onboardingId: "9e1c2a4e-0000-4000-8000-000000000001",
      companyName: "Acme",
      callAt: CALL,
      timeZone: "America/Chicago",
      sequence: 0,
      cancelled: false,
      googleLink: "https://calendar.google.com/calendar/render?action=TEMPLATE&text=x",
    },
    ...over,
  };
}

const PAGE = { pageUrl: "https://fleet.example/p/TOKEN", csrf: "CSRF123", readerZone: "Europe/Berlin" };

describe("the private page's HTML", () => {
  it("escapes what customers and reps typed, and declares its language and viewport", () => {
    const html = buildPortalPage(data(), PAGE);
    expect(html).not.toContain("<script>");
    expect(html).toContain("Acme &#60;script&#62;");
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('name="viewport"');
    expect(html.match(/<h1[ >]/g)).toHaveLength(1);
    expect(html).toContain("<h3>How you connect</h3>");
    expect(html).toContain(
      "<h2>Troubleshooting</h2>\n<ul><li>Locked out? Reset the password in <strong>Settings</strong>.</li></ul>",
    );
  });

  it("posts every action with the CSRF token, to URLs under the page's own", () => {
    const html = buildPortalPage(data(), PAGE);
    const forms = [...html.matchAll(/<form [^>]*method="post" action="([^"]+)">(.*?)<\/form>/g)];
    // The latest verification's Re-check (issue 23), the ticks, then Connect.
    expect(forms.map((f) => f[1])).toEqual([
      `${PAGE.pageUrl}/recheck`,
      `${PAGE.pageUrl}/tick`,
      `${PAGE.pageUrl}/connect`,
    ]);
    for (const f of forms) expect(f[2]).toContain('name="csrf" value="CSRF123"');
    // A done item offers "not done"; Fleet's step has no button, only why.
    expect(html).toContain('name="done" value="0"');
    expect(html).toContain("Fleet's step: it ticks itself");
  });

  it("shows the call in the reader's zone with the .ics and Google Calendar links, and a zone picker", () => {
    const html = buildPortalPage(data(), PAGE);
    expect(html).toContain("Tuesday, December 8, 2026 at 4:00 PM Berlin time");
    expect(html).toContain(`href="${PAGE.pageUrl}/call.ics"`);
    expect(html).toContain('href="https://calendar.google.com/calendar/render?action=TEMPLATE&#38;text=x"');
    expect(html).toMatch(/<label for="tz">[^<]+<\/label>\s*<select id="tz" name="tz">/);
    expect(html).toContain('<option value="Europe/Berlin" selected>');
  });

  it("shows the latest verification with its fix lines, and no Connect once closed", () => {
    const html = buildPortalPage(data(), PAGE);
    expect(html).toContain("some permissions are missing");
    expect(html).toContain(
      "<strong>View payroll</strong>: Company &#62; Permissions &#62; Payroll: switch on View",
    );
    const closed = buildPortalPage(data({ active: false, connectOffered: false }), PAGE);
    expect(closed).not.toContain("/connect");
    expect(closed).not.toContain("/tick");
    expect(closed).toContain("This onboarding is complete");
  });
});

describe("mrkdwn as HTML", () => {
  it("keeps the template's lists, numbering, bold, code and links, and nothing else as markup", () => {
    expect(mrkdwnToHtml("1. Log in.\n   • Email: `a@b.example`\n2. Go to *Manage > Employees*.")).toBe(
      '<ol><li>Log in.</li></ol>\n<ul><li>Email: <code>a@b.example</code></li></ul>\n<ol start="2"><li>Go to <strong>Manage &#62; Employees</strong>.</li></ol>',
    );
    expect(mrkdwnToHtml("See <https://help.example/a?b=1&c=2|the help> :lock: _now_")).toBe(
      '<p>See <a href="https://help.example/a?b=1&#38;c=2" rel="noopener noreferrer">the help</a> 🔒 <em>now</em></p>',
    );
    expect(mrkdwnToHtml('<javascript:alert(1)|x> <img src=x onerror="y">')).not.toMatch(/<a |<img/);
  });
});

describe("the private page's rate limit", () => {
  it("answers 429 with Retry-After past the limit per client, before reading anything", async () => {
    const router = new Router();
    const reads: string[] = [];
    const ctx = {
      config: { http: { trustedProxies: [], portalLimitPerMinute: 3 } },
      db: {
        sql: {
          query: async (q: string) => {
            reads.push(q);
            return [];
          },
        },
      },
      clock: { now: () => new Date() },
    } as unknown as AppContext;
    // No tick is posted here: an intake that only takes the page's applier is enough.
    mountPortalRoutes(router, ctx, { handle: () => {} } as unknown as DurableIntake);
    const statuses: number[] = [];
    let retryAfter = "";
    for (let i = 0; i < 5; i++) {
      const matched = router.match("GET", `/p/${"A".repeat(43)}`);
      if (!matched || matched === "wrong-method") throw new Error("no route");
      const res = {
        setHeader: (name: string, value: string) => {
          if (name === "retry-after") retryAfter = value;
        },
        writeHead(status: number) {
          statuses.push(status);
          return this;
        },
        end() {},
      } as unknown as ServerResponse;
      const req = {
        headers: {},
        socket: { remoteAddress: "192.0.2.7" },
        resume() {},
      } as unknown as IncomingMessage;
      await matched.handler({
        req,
        res,
        url: new URL("http://x/"),
        params: matched.params,
        body: async () => Buffer.alloc(0),
      } as RouteRequest);
    }
    expect(statuses).toEqual([404, 404, 404, 429, 429]);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    expect(reads).toHaveLength(3);
  });
});

describe("the audit trail's reader", () => {
  it("names a private-page actor by address, not as a Slack mention", () => {
    const line = describeEntry({
      at: new Date("2026-12-08T15:00:00Z"),
      action: "tick",
      actorUserId: "email:jane@acme.example",
      actorTeamId: "email",
      external: true,
      detail: { item: "add-user", via: "page" },
    });
    expect(line).not.toContain("<@");
    expect(line).toContain("jane@acme.example (customer, private page)");
  });
});
