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

describe("resolveProvider with Finch's listing", () => {
  const finchOnly = ["gusto", "rippling", "namely", "paycor", "ukg_ready", "sequoia_one", "deel"].map(
    (id) => ({
      id,
      name:
        id === "ukg_ready"
          ? "UKG Ready"
          : id === "sequoia_one"
            ? "Sequoia One"
            : id[0]!.toUpperCase() + id.slice(1),
      shipped: false,
    }),
  );
  const all = [...shipped, ...finchOnly];

  it("resolves any provider Finch lists, by id or display name", () => {
    expect(resolveProvider("gusto", all)).toEqual({ ok: true, id: "gusto" });
    expect(resolveProvider("Sequoia One", all)).toEqual({ ok: true, id: "sequoia_one" });
    expect(resolveProvider("UKG Ready", all)).toEqual({ ok: true, id: "ukg_ready" });
    // A templated provider still wins on its own names.
    expect(resolveProvider("bamboo", all)).toEqual({ ok: true, id: "bamboo_hr" });
  });

  it("answers an unknown name with the templated providers and a few Finch ids when the list is long", () => {
    const r = resolveProvider("acmepay", all);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.message).toContain('"acmepay" is not an HR provider Finch supports');
    expect(r.message).toContain("Justworks (justworks)");
    expect(r.message).toContain("Any other Finch provider id works too (7 more, e.g. gusto, rippling");
    expect(r.message).not.toContain("Deel (deel)");
  });

  it("lists every valid provider when there are few", () => {
    const few = [...shipped.slice(0, 3), ...finchOnly.slice(0, 2)];
    const r = resolveProvider("acmepay", few);
    expect(!r.ok && r.message).toContain(`Valid: ${listProviders(few)}`);
  });
});
