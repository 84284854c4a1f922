/** Typos get "did you mean …" with the closest candidates and the corrected line to copy. */
import { describe, expect, it } from "vitest";
import { providerChoices } from "../../../src/checklist/template-registry.ts";
import { type ParseContext, parseFleetCommand } from "../../../src/slack/commands/parse.ts";

const context: ParseContext = {
  now: new Date("2026-11-26T12:00:00Z"),
  defaultTimeZone: "America/New_York",
  providers: providerChoices(),
};
const error = (text: string) => {
  const r = parseFleetCommand(text, context);
  if (r.ok) throw new Error(`"${text}" parsed`);
  return r.error;
};

describe("did you mean …", () => {
  it.each([
    ["onbaord Acme hr=jane@acme.com", "onboard", "/fleet onboard Acme hr=jane@acme.com"],
    ["stauts Acme", "status", "/fleet status Acme"],
    ["verfy", "verify", "/fleet verify"],
    ["cal Acme 2026-12-03T14:30", "call", "/fleet call Acme 2026-12-03T14:30"],
    ["histroy Acme Corp", "history", "/fleet history Acme Corp"],
  ])("subcommand %s → %s, with the line to copy", (typed, meant, line) => {
    const e = error(typed);
    expect(e).toContain(`Did you mean \`${meant}\`?`);
    expect(e).toContain(`\`${line}\``);
  });

  it("offers up to three subcommands when several are close", () => {
    const e = error("re Acme");
    expect(e).not.toContain("Did you mean");
    expect(error("disconect Acme")).toContain("Did you mean `disconnect`");
    const several = error("lnk Acme");
    expect(several).toMatch(/Did you mean `link`/);
    expect((several.match(/`[a-z]+`/g) ?? []).length).toBeLessThanOrEqual(1 + 3 + 1);
  });

  it("says nothing it cannot back: far-off words get the plain answer", () => {
    const e = error("frobnicate now");
    expect(e).toBe("I don't know `frobnicate`.");
  });

  it.each([
    ["provider Acme bamboohrr", "BambooHR", "/fleet provider Acme bamboo_hr"],
    ["provider Acme Paylocty", "Paylocity", "/fleet provider Acme paylocity"],
    [
      "onboard Acme hr=jane@acme.com provider=jstworks",
      "Justworks",
      "/fleet onboard Acme hr=jane@acme.com provider=justworks",
    ],
    [
      "onboard Acme hr=jane@acme.com provider=Zenefts call=2026-12-03T14:30",
      "Zenefits",
      "/fleet onboard Acme hr=jane@acme.com provider=zenefits call=2026-12-03T14:30",
    ],
  ])("provider %s → %s, with the line to copy", (typed, meant, line) => {
    const e = error(typed);
    expect(e).toMatch(new RegExp(`Did you mean \\*?${meant}`));
    expect(e).toContain(`\`${line}\``);
  });

  it("an unknown onboard option gets the closest option", () => {
    const e = error("onboard Acme hr=jane@acme.com tx=Central");
    expect(e).toContain("`tx=` is not an option of onboard");
    expect(e).toContain("Did you mean `tz=`?");
  });
});
