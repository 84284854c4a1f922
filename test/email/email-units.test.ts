/** Issue 23 email, without a network: `via=` parsing, the invitation email's parts, the email settings. */
import { describe, expect, it } from "vitest";
import { providerChoices } from "../../src/checklist/template-registry.ts";
import { parseConfig } from "../../src/config.ts";
import { emailAvailability } from "../../src/email/mailer.ts";
import { buildPortalInvitationEmail } from "../../src/email/portal-invitation.ts";
import { parseFleetCommand } from "../../src/slack/commands/parse.ts";

const parse = (text: string) =>
  parseFleetCommand(text, {
    now: new Date("2026-11-26T12:00:00Z"),
    defaultTimeZone: "America/New_York",
    providers: providerChoices(),
  });

describe("/fleet onboard via=", () => {
  it("via=email asks for email; via=slack is the default; anything else is named", () => {
    const email = parse("onboard Acme hr=jane@acme.com via=email");
    expect(email.ok && email.command.kind === "onboard" && email.command.request.via).toBe("email");
    const slack = parse("onboard Acme hr=jane@acme.com via=Slack");
    expect(slack.ok && slack.command.kind === "onboard" && slack.command.request.via).toBeUndefined();
    const fax = parse("onboard Acme hr=jane@acme.com via=fax");
    expect(fax.ok).toBe(false);
    expect(!fax.ok && fax.error).toContain("`via=` is `email` or `slack` (got `fax`)");
  });
});

describe("the invitation email", () => {
  const mail = buildPortalInvitationEmail({
    to: "jane@acme.example",
    company: "Acme <script>",
    providerName: "Justworks",
    url: "https://fleet.example/p/abc&x",
    expiresAt: new Date("2026-12-21T10:00:00Z"),
    reason: "declined",
  });
  it("has plain-text and HTML parts with the same link, HTML escaped", () => {
    expect(mail.text).toContain("https://fleet.example/p/abc&x");
    expect(mail.html).toContain('href="https://fleet.example/p/abc&#38;x"');
    expect(mail.html).not.toContain("<script>");
    expect(mail.html).toContain("Acme &#60;script&#62;");
    expect(mail.text).toContain("2026-12-21");
  });
});

describe("email settings", () => {
  const base = { NODE_ENV: "test" as const, DATA_DIR: "/tmp/x" };
  it("SMTP_URL must be smtp(s); DKIM settings go together; fallback days default to 3", () => {
    const bad = parseConfig({ ...base, SMTP_URL: "http://mail.example" });
    expect(!bad.ok && bad.problems.join()).toContain("SMTP_URL must be an smtp:// or smtps:// URL");
    const half = parseConfig({ ...base, EMAIL_DKIM_DOMAIN: "fleet.example" });
    expect(!half.ok && half.problems.join()).toContain("set all three or none");
    const ok = parseConfig({ ...base, SMTP_URL: "smtps://u:p@mail.example:465" });
    expect(ok.ok && ok.config.email.fallbackAfterDays).toBe(3);
  });
  it("without SMTP_URL email is on in the sandbox only", () => {
    const sandbox = parseConfig(base);
    expect(sandbox.ok && emailAvailability(sandbox.config)).toEqual({ on: true });
    const http = parseConfig({ ...base, SLACK_BOT_TOKEN: "xoxb-1", SLACK_SIGNING_SECRET: "s" });
    // The http config lacks other settings; the rule is read from a config built like it.
    if (sandbox.ok) {
      const off = emailAvailability({ ...sandbox.config, mode: "http" });
      expect(off.on).toBe(false);
      expect(!off.on && off.reason).toContain("SMTP_URL is not set");
    }
    expect(http.ok).toBe(false);
  });
});
