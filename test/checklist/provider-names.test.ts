import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { listProviders, providerKey, resolveProvider } from "../../src/checklist/provider-names.ts";
import { providerChoices } from "../../src/checklist/template-registry.ts";

const shipped = providerChoices();

describe("resolveProvider", () => {
  it.each([
    ["bamboo_hr", "bamboo_hr"],
    ["Bamboo HR", "bamboo_hr"],
    ["bamboo", "bamboo_hr"],
    ["ADP Run", "adp_run"],
    ["RUN Powered by ADP", "adp_run"],
    ["Paychex", "paychex_flex"],
    ["UKG", "ulti_pro"],
    ["UltiPro", "ulti_pro"],
    ["TriNet", "trinet"],
    ["TriNet HR Platform", "zenefits"],
    ["  JUSTWORKS ", "justworks"],
  ])("%s → %s", (text, id) => {
    expect(resolveProvider(text, shipped)).toEqual({ ok: true, id });
  });

  it("says which ones an ambiguous beginning could be", () => {
    const r = resolveProvider("pay", shipped);
    expect(r).toMatchObject({ ok: false, reason: "ambiguous" });
    if (!r.ok) for (const name of ["Paychex Flex", "Paycom", "Paylocity"]) expect(r.message).toContain(name);
  });

  it("lists every valid provider, by display name, for an unknown one", () => {
    const r = resolveProvider("Gusto", shipped);
    expect(r).toMatchObject({ ok: false, reason: "unknown" });
    if (!r.ok) expect(r.message).toContain(listProviders(shipped));
    const names = listProviders(shipped).split(", ");
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
  });

  it("never resolves to a provider without a template (an alias whose template is missing is unknown)", () => {
    const onlyJustworks = shipped.filter((p) => p.id === "justworks");
    expect(resolveProvider("ADP Run", onlyJustworks)).toMatchObject({ ok: false, reason: "unknown" });
    expect(resolveProvider("wfn", onlyJustworks)).toMatchObject({ ok: false, reason: "unknown" });
  });

  it("property: every id and display name, in any case and spacing, resolves to itself", () => {
    fc.assert(
      fc.property(fc.constantFrom(...shipped), fc.boolean(), fc.boolean(), (p, byName, upper) => {
        const text = byName ? p.name : p.id.replaceAll("_", " ");
        expect(resolveProvider(upper ? text.toUpperCase() : text, shipped)).toEqual({ ok: true, id: p.id });
      }),
    );
  });

  it("property: any text resolves to a shipped id or gives a message", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 40 }), (text) => {
        const r = resolveProvider(text, shipped);
        if (r.ok) expect(shipped.map((p) => p.id)).toContain(r.id);
        else expect(r.message.length).toBeGreaterThan(0);
      }),
    );
  });

  it("keys ignore case, accents and punctuation", () => {
    expect(providerKey("Bámboo-HR")).toBe("bamboohr");
  });
});
