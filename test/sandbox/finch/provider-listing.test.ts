/**
 * The Finch stand-in's provider listing is a witness: transcribed from Finch's documentation, not generated
 * from the templates. Here the two are compared, so a template that declares an auth method or a product
 * Finch does not list for its provider fails.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadTemplates } from "../../../src/checklist/template-registry.ts";
import {
  DOCUMENTED_PROVIDERS,
  PROVIDER_LISTING_SOURCE,
} from "../../../src/sandbox/finch/provider-listing.ts";
import { standInProviders } from "../../../src/sandbox/finch/providers.ts";

const templates = loadTemplates();
const documented = new Map(DOCUMENTED_PROVIDERS.map((p) => [p.id, p]));

describe("the Finch stand-in's provider listing", () => {
  it("is the documented fixture, with its source, and imports no template", () => {
    expect(standInProviders().map((p) => p.id)).toEqual(DOCUMENTED_PROVIDERS.map((p) => p.id));
    expect(PROVIDER_LISTING_SOURCE.url).toMatch(/^https:\/\/github\.com\/Finch-API\/finch-docs\//);
    expect(PROVIDER_LISTING_SOURCE.lastUpdated).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    for (const file of ["providers.ts", "provider-listing.ts"]) {
      const source = readFileSync(join(import.meta.dirname, "../../../src/sandbox/finch", file), "utf8");
      expect(source, file).not.toMatch(/checklist\//);
    }
  });

  it("lists an assisted provider as manual with only the assisted method", () => {
    for (const p of standInProviders()) {
      const doc = documented.get(p.id);
      expect(p.manual, p.id).toBe(doc?.kind === "assisted");
      if (doc?.kind === "assisted")
        expect(p.authentication_methods?.map((m) => m.type)).toEqual(["assisted"]);
    }
  });
});

describe("every template agrees with Finch's documented listing", () => {
  it.each(templates.map((t) => [t.id, t] as const))("%s: auth method and products", (_, t) => {
    const doc = documented.get(t.finch.providerId);
    expect(doc, `${t.finch.providerId} is in the fixture`).toBeDefined();
    if (!doc) return;
    expect(doc.authMethods, `${t.id}: Finch lists ${doc.authMethods.join(", ")}`).toContain(
      t.finch.authMethod,
    );
    // `assisted` only where Finch offers nothing else (an automated provider never goes to Finch Assist).
    if (doc.kind === "automated") expect(t.finch.authMethod).not.toBe("assisted");
    for (const product of t.finch.products) {
      expect(doc.products, `${t.id} requests ${product}, which Finch does not list`).toContain(product);
    }
  });
});
