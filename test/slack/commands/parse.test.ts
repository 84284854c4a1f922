import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { providerChoices } from "../../../src/checklist/template-registry.ts";
import { type ParseContext, parseFleetCommand, USAGE } from "../../../src/slack/commands/parse.ts";

const context: ParseContext = {
  now: new Date("2026-11-26T12:00:00Z"),
  defaultTimeZone: "America/New_York",
  // The shipped templates: names are resolved against real display names.
  providers: providerChoices(),
};

const parse = (text: string) => parseFleetCommand(text, context);

describe("/fleet onboard", () => {
  it("reads company, emails, call, zone and provider", () => {
    const r = parse(
      "onboard Acme Corp hr=jane@acme.com,joe@acme.com call=2026-12-03T14:30 tz=Europe/Berlin provider=justworks",
    );
    expect(r).toEqual({
      ok: true,
      command: {
        kind: "onboard",
        request: {
          company: "Acme Corp",
          hrEmails: ["jane@acme.com", "joe@acme.com"],
          callAt: new Date("2026-12-03T13:30:00Z"),
          timeZone: "Europe/Berlin",
          provider: "justworks",
          ownerUserId: undefined,
          // tz= was typed: a re-run of an existing onboarding applies it even without call=.
          timeZoneGiven: true,
        },
      },
    });
  });

  it("understands Slack's escaped emails and mentions, quotes and a spaced call time", () => {
    const r = parse(
      'onboard "Café Ünïcode, Inc." hr=<mailto:Jane@Acme.com|Jane@Acme.com> call=2026-12-03 09:00 owner=<@U0REP|rep>',
    );
    expect(r.ok && r.command.kind === "onboard" && r.command.request).toMatchObject({
      company: "Café Ünïcode, Inc.",
      hrEmails: ["jane@acme.com"],
      callAt: new Date("2026-12-03T14:00:00Z"),
      timeZone: "America/New_York",
      ownerUserId: "U0REP",
    });
  });

  it("reads Slack's escaping back: entities and auto-linked names", () => {
    const r = parse("onboard AT&amp;T hr=<mailto:ops@att.example|ops@att.example>");
    expect(r.ok && r.command.kind === "onboard" && r.command.request).toMatchObject({
      company: "AT&T",
      hrEmails: ["ops@att.example"],
    });
    // An escaped "<" typed by the person is text again, and refused as a company name character.
    expect(parse("onboard A &lt;b&gt; hr=a@b.co")).toMatchObject({ ok: false });
    const monday = parse("onboard <http://Monday.com|Monday.com> hr=a@monday.example");
    expect(monday.ok && monday.command.kind === "onboard" && monday.command.request.company).toBe(
      "Monday.com",
    );
  });

  it("opens the modal when there is no text", () => {
    expect(parse("onboard")).toEqual({ ok: true, command: { kind: "onboard-modal" } });
  });

  it.each([
    ["onboard hr=jane@acme.com", "the company name is missing"],
    ["onboard Acme", "at least one HR admin email"],
    ["onboard Acme hr=jane@", '"jane@" is not an email address'],
    ["onboard Acme hr=a@b.co call=2026-02-30T10:00", "is not a real date"],
    [
      "onboard Acme hr=a@b.co call=2027-03-14T02:30 tz=America/New_York",
      "does not exist in New York time (ET)",
    ],
    ["onboard Acme hr=a@b.co call=2026-12-01T10:00 tz=Mars/Olympus", '"Mars/Olympus" is not a time zone'],
    ["onboard Acme hr=a@b.co provider=gusto", '"gusto" is not an HR provider we have a checklist for'],
    ["onboard Acme hr=a@b.co call=2026-11-01T10:00", "the call time is in the past"],
    ["onboard Acme hr=a@b.co call=tomorrow", "is not a date and time like"],
    ["onboard Acme hr=a@b.co colour=blue", "`colour=` is not an option of onboard"],
    ["onboard Acme hr=a@b.co hr=c@d.co", "`hr=` is given twice"],
    ["onboard Acme hr=a@b.co owner=jane", "`owner=` needs a person mentioned"],
  ])("%s → %s", (text, message) => {
    const r = parse(text);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).toContain(message);
      expect(r.usage).toBe(USAGE.onboard);
    }
  });

  it("names every problem at once", () => {
    const r = parse("onboard hr=nope call=2026-13-01T10:00 provider=x");
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).toContain("company name is missing");
      expect(r.error).toContain('"nope" is not an email');
      expect(r.error).toContain("not a real date");
      expect(r.error).toContain('"x" is not an HR provider we have a checklist for');
    }
  });

  it("refuses thousands of characters of junk", () => {
    const r = parse(`onboard ${"x".repeat(5000)}`);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain("at most 2000");
  });
});

describe("other subcommands", () => {
  it("takes an optional company", () => {
    expect(parse("status")).toEqual({ ok: true, command: { kind: "status", company: undefined } });
    expect(parse("status Acme Corp")).toEqual({
      ok: true,
      command: { kind: "status", company: "Acme Corp" },
    });
    expect(parse("VERIFY acme")).toEqual({ ok: true, command: { kind: "verify", company: "acme" } });
  });

  it("reads /fleet call with and without company and zone", () => {
    expect(parse("call 2026-12-03T14:30")).toEqual({
      ok: true,
      command: { kind: "call", company: undefined, wallTime: "2026-12-03T14:30" },
    });
    expect(parse("call Acme Corp 2026-12-03 14:30 tz=Europe/Berlin")).toEqual({
      ok: true,
      command: {
        kind: "call",
        company: "Acme Corp",
        wallTime: "2026-12-03T14:30",
        timeZone: "Europe/Berlin",
      },
    });
    expect(parse("call Acme 2020-01-01T10:00 tz=UTC")).toMatchObject({
      ok: false,
      error: "The call time is in the past.",
    });
    // Without tz= the onboarding's own zone decides (in the use case); here only the calendar is checked.
    expect(parse("call Acme 2026-02-30T10:00")).toMatchObject({ ok: false });
    expect(parse("call Acme 2027-03-14T02:30")).toMatchObject({ ok: true });
    expect(parse("call")).toMatchObject({ ok: false, usage: USAGE.call });
  });

  it("reads /fleet owner with a mention", () => {
    expect(parse("owner Acme <@U0NEW|new>")).toEqual({
      ok: true,
      command: { kind: "owner", company: "Acme", newOwnerUserId: "U0NEW" },
    });
    expect(parse("owner Acme jane")).toMatchObject({ ok: false, usage: USAGE.owner });
  });

  it("answers unknown subcommands with help", () => {
    const r = parse("frobnicate now");
    expect(r).toMatchObject({ ok: false, error: "I don't know `frobnicate`." });
    if (!r.ok) expect(r.usage).toContain("/fleet onboard");
    expect(parse("")).toEqual({ ok: true, command: { kind: "help" } });
    expect(parse("help call")).toEqual({ ok: true, command: { kind: "help", topic: "call" } });
  });
});

describe("/fleet onboard provider=", () => {
  it.each([
    ["provider=bamboo_hr", "bamboo_hr"],
    ["provider=BambooHR", "bamboo_hr"],
    ["provider=bamboo", "bamboo_hr"],
    ['provider="ADP Run"', "adp_run"],
    ["provider=ADP Run", "adp_run"],
    ["provider=Paychex", "paychex_flex"],
    ["provider=hibob", "bob"],
    ["", "justworks"],
  ])("%s → %s", (option, id) => {
    const r = parse(`onboard Acme hr=a@b.co ${option}`);
    expect(r.ok && r.command.kind === "onboard" && r.command.request).toMatchObject({
      company: "Acme",
      provider: id,
    });
  });

  it("an ambiguous name lists the candidates", () => {
    const r = parse("onboard Acme hr=a@b.co provider=adp");
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).toContain('"adp" could be');
      for (const name of ["ADP Run", "ADP TotalSource", "ADP Workforce Now"]) expect(r.error).toContain(name);
      expect(r.error).not.toContain("Justworks");
    }
  });
});

describe("/fleet provider", () => {
  it.each([
    ["provider Acme Corp bamboo", { company: "Acme Corp", providerId: "bamboo_hr" }],
    ["provider Acme Corp ADP Run", { company: "Acme Corp", providerId: "adp_run" }],
    ["provider Paychex Foods BambooHR", { company: "Paychex Foods", providerId: "bamboo_hr" }],
    ["provider paylocity", { company: undefined, providerId: "paylocity" }],
    ["provider Acme provider=justworks", { company: "Acme", providerId: "justworks" }],
  ])("%s", (text, expected) => {
    expect(parse(text)).toEqual({ ok: true, command: { kind: "provider", ...expected } });
  });

  it("answers an unknown provider with every valid one, and a missing one with the usage", () => {
    const r = parse("provider Acme Gusto");
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).toContain('"Gusto" is not an HR provider we have a checklist for');
      for (const p of context.providers) expect(r.error).toContain(`${p.name} (${p.id})`);
      expect(r.usage).toBe(USAGE.provider);
    }
    expect(parse("provider")).toMatchObject({ ok: false, usage: USAGE.provider });
  });

  it("property: a company followed by any provider's id or display name resolves to that provider", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...context.providers),
        fc.boolean(),
        fc.constantFrom("Acme", "Acme Corp", "Globex Holdings", ""),
        (p, byName, company) => {
          const r = parse(`provider ${company} ${byName ? p.name : p.id}`);
          expect(r).toEqual({
            ok: true,
            command: { kind: "provider", company: company || undefined, providerId: p.id },
          });
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("property: any text gives a command or a usage message", () => {
  const words = fc.oneof(
    fc.constantFrom(
      "onboard",
      "status",
      "call",
      "owner",
      "link",
      "verify",
      "done",
      "history",
      "disconnect",
      "provider",
      "help",
    ),
    fc.constantFrom(
      "hr=",
      "call=",
      "tz=",
      "provider=",
      "owner=",
      "ADP",
      "Run",
      "bamboo",
      "=",
      '"',
      "“",
      "<@U1>",
      "<mailto:a@b.c|a@b.c>",
    ),
    fc.string(),
    fc.string({ unit: "grapheme" }),
    fc.emailAddress(),
    fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 16)),
  );

  it("never throws", () => {
    fc.assert(
      fc.property(
        fc.array(words, { maxLength: 12 }),
        fc.string({ unit: "binary", maxLength: 300 }),
        (parts, junk) => {
          for (const text of [parts.join(" "), junk, parts.join("")]) {
            const r = parse(text);
            if (r.ok) expect(r.command.kind).toBeTypeOf("string");
            else {
              expect(r.error.length).toBeGreaterThan(0);
              expect(r.usage.length).toBeGreaterThan(0);
            }
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});
