/** Which providers need Finch Assist, and what the rep is told while FINCH_ASSIST is off. */
import { describe, expect, it } from "vitest";
import { finchAssistWarning, needsFinchAssist } from "../../src/checklist/finch-assist.ts";
import { ProviderCatalogue } from "../../src/checklist/provider-catalogue.ts";
import { getTemplate, loadTemplates } from "../../src/checklist/template-registry.ts";
import { DOCUMENTED_PROVIDERS } from "../../src/sandbox/finch/provider-listing.ts";

describe("Finch Assist", () => {
  it("is needed exactly by the templates of providers Finch lists as assisted", () => {
    const kind = new Map(DOCUMENTED_PROVIDERS.map((p) => [p.id, p.kind]));
    for (const t of loadTemplates()) {
      expect(needsFinchAssist(t), t.id).toBe(kind.get(t.id) === "assisted");
    }
  });

  it("warns the rep while it is off, naming the setting and the provider; says nothing once it is on", () => {
    const t = getTemplate("adp_totalsource");
    expect(finchAssistWarning(t, false)).toMatch(
      /ADP TotalSource connects only through Finch's \*assisted\* flow/,
    );
    expect(finchAssistWarning(t, false)).toContain("FINCH_ASSIST=1");
    expect(finchAssistWarning(t, true)).toBeNull();
    expect(finchAssistWarning(getTemplate("justworks"), false)).toBeNull();
  });

  it("also warns for a provider without a template that Finch offers only as assisted", () => {
    const catalogue = new ProviderCatalogue();
    catalogue.rememberFinchProviders([{ id: "deel", name: "Deel", authMethods: ["assisted"] }]);
    expect(finchAssistWarning(catalogue.template("deel"), false)).toMatch(/^Deel connects only/);
    catalogue.rememberFinchProviders([{ id: "gusto", name: "Gusto", authMethods: ["oauth"] }]);
    expect(finchAssistWarning(catalogue.template("gusto"), false)).toBeNull();
  });
});
