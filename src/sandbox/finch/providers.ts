/**
 * GET /providers: Finch's catalogue of providers, typed with the SDK's `ProviderListResponse`. The stand-in
 * lists every provider Fleet has a template for, with that template's products and auth method, except
 * where Finch's own listing is known to differ (Justworks: no `benefits`, so the product is not offered).
 */
import type { ProviderListResponse } from "@tryfinch/finch-api/resources/providers";
import { loadTemplates } from "../../checklist/template-registry.ts";
import { providerName } from "./records.ts";

/** Products Finch does not list for a provider (research: /work/research/finch-api.md §1, justworks.md). */
const NOT_LISTED: Readonly<Record<string, readonly string[]>> = { justworks: ["benefits"] };

let catalogue: ProviderListResponse[] | undefined;

/** The providers the stand-in answers, built once from the templates. */
export function standInProviders(): readonly ProviderListResponse[] {
  catalogue ??= loadTemplates().map((template) => {
    const hidden = NOT_LISTED[template.finch.providerId] ?? [];
    const products = template.finch.products.filter((p) => !hidden.includes(p));
    return {
      id: template.finch.providerId,
      display_name: template.displayName || providerName(template.finch.providerId),
      products,
      manual: template.finch.authMethod === "assisted",
      authentication_methods: [
        {
          type: template.finch.authMethod,
          supported_fields: Object.fromEntries(products.map((p) => [p, {}])),
        },
      ],
    };
  });
  return catalogue;
}
