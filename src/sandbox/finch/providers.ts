/**
 * GET /providers: Finch's catalogue of providers, typed with the SDK's `ProviderListResponse`. The stand-in
 * lists every provider Fleet has a template for, with that template's products and auth method, except
 * where Finch's own listing is known to differ (Justworks: no `benefits`, so the product is not offered),
 * then a few real Finch providers Fleet has no template for (they get the generic guide).
 */
import type { ProviderListResponse } from "@tryfinch/finch-api/resources/providers";
import { loadTemplates } from "../../checklist/template-registry.ts";
import { providerName } from "./records.ts";

/** Products Finch does not list for a provider (research: /work/research/finch-api.md §1, justworks.md). */
const NOT_LISTED: Readonly<Record<string, readonly string[]>> = { justworks: ["benefits"] };

type AuthType = NonNullable<ProviderListResponse["authentication_methods"]>[number]["type"];

/**
 * Real Finch providers without a template (research notes providers/<id>.md: no employer-facing Finch page).
 * Products are plausible, not Finch's live listing; auth methods as those files say (Gusto and Rippling
 * through the provider's own API and consent, Namely an API token, Paycor an API token or an added admin,
 * UKG Ready a service account's login, Sequoia One automated, Deel assisted).
 */
const WITHOUT_TEMPLATE: ReadonlyArray<{ id: string; name: string; products: string[]; auth: AuthType[] }> = [
  {
    id: "gusto",
    name: "Gusto",
    products: ["company", "directory", "individual", "employment", "payment", "pay_statement", "benefits"],
    auth: ["oauth"],
  },
  {
    id: "rippling",
    name: "Rippling",
    products: ["company", "directory", "individual", "employment"],
    auth: ["oauth"],
  },
  {
    id: "namely",
    name: "Namely",
    products: ["company", "directory", "individual", "employment"],
    auth: ["api_token"],
  },
  {
    id: "paycor",
    name: "Paycor",
    products: ["company", "directory", "individual", "employment", "payment", "pay_statement"],
    auth: ["api_token", "assisted"],
  },
  {
    id: "ukg_ready",
    name: "UKG Ready",
    products: ["company", "directory", "individual", "employment"],
    auth: ["credential"],
  },
  {
    id: "sequoia_one",
    name: "Sequoia One",
    products: ["company", "directory", "individual", "employment"],
    auth: ["credential"],
  },
  {
    id: "deel",
    name: "Deel",
    products: ["company", "directory", "individual", "employment", "payment", "pay_statement"],
    auth: ["assisted"],
  },
];

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
  for (const p of WITHOUT_TEMPLATE) {
    if (catalogue.some((listed) => listed.id === p.id)) continue;
    catalogue.push({
      id: p.id,
      display_name: p.name,
      products: p.products,
      manual: p.auth.includes("assisted") && p.auth.length === 1,
      authentication_methods: p.auth.map((type) => ({
        type,
        supported_fields: Object.fromEntries(p.products.map((product) => [product, {}])),
      })),
    });
  }
  return catalogue;
}
