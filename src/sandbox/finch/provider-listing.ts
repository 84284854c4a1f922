/**
 * Finch's provider listing as the Finch stand-in serves it (GET /providers): a fixture transcribed by hand
 * from Finch's own documentation, never generated from Fleet's templates, so a test comparing the two can
 * catch a template that disagrees with Finch.
 *
 * - Automated or assisted, display names and ids: finch-docs `docs/Development-Guides/Providers.md`
 *   ("Automated API Providers" / "Assisted API Providers", last updated 2023-03-27),
 *   https://github.com/Finch-API/finch-docs/blob/main/docs/Development-Guides/Providers.md
 *   and https://developer.tryfinch.com/integrations/integration-types (assisted needs Finch Assist).
 * - Products: the same page's "Read Census + Pay Data" column covers company, directory, individual,
 *   employment, payment and pay_statement for every HRIS provider; `benefits` only where its "Write
 *   Benefits" column says Automated (Gusto). Justworks lists no benefits.
 * - Auth methods of automated providers: each provider's Finch page, named in `authSource`. An automated
 *   provider is listed with its automated method only: Finch's manual fallback is an opt-in of Fleet's
 *   Finch account (finch-docs Auth-Fallback.md), not a method a session may ask for (stricter).
 */
import type { ProviderListResponse } from "@tryfinch/finch-api/resources/providers";

/** The page the automated/assisted classification and products were transcribed from. */
export const PROVIDER_LISTING_SOURCE = {
  url: "https://github.com/Finch-API/finch-docs/blob/main/docs/Development-Guides/Providers.md",
  lastUpdated: "2023-03-27",
} as const;

type AuthType = NonNullable<ProviderListResponse["authentication_methods"]>[number]["type"];

/** One provider as Finch's documentation describes it. */
export interface DocumentedProvider {
  id: string;
  name: string;
  /** Finch's classification: automated (API or login) or assisted (Finch Assist, days to weeks). */
  kind: "automated" | "assisted";
  products: readonly string[];
  authMethods: readonly AuthType[];
  /** The Finch page that names the auth method (assisted: the classification page). */
  authSource: string;
}

const READ = ["company", "directory", "individual", "employment", "payment", "pay_statement"] as const;
const INTEGRATION_TYPES = "https://developer.tryfinch.com/integrations/integration-types";
const hc = (n: string) => `https://support.tryfinch.com/hc/en-us/articles/${n}`;
const art = (n: string) => `https://support.tryfinch.com/articles/${n}`;

const automated = (
  id: string,
  name: string,
  auth: AuthType,
  authSource: string,
  products: readonly string[] = READ,
) => ({ id, name, kind: "automated", products, authMethods: [auth], authSource }) as const;
const assisted = (id: string, name: string) =>
  ({
    id,
    name,
    kind: "assisted",
    products: READ,
    authMethods: ["assisted"],
    authSource: INTEGRATION_TYPES,
  }) as const;

/** The documented providers: those Fleet has a guide for, and a few it has not (generic guide). */
export const DOCUMENTED_PROVIDERS: readonly DocumentedProvider[] = [
  // Automated API providers.
  automated("adp_run", "Run Powered by ADP", "credential", art("2243367949-adp-run-add-an-administrator")),
  automated(
    "adp_workforce_now",
    "ADP Workforce Now",
    "credential",
    art("7386118330-adp-workforce-now-add-a-standard-practitioner"),
  ),
  automated("bamboo_hr", "BambooHR", "credential", hc("27348169824020-BambooHR-Required-Permissions")),
  automated("bob", "bob", "api_token", "https://developer.tryfinch.com/employer-resources/Bob"),
  automated("insperity", "Insperity", "api_token", hc("24181310316180-Insperity-Request-API-keys")),
  automated("justworks", "Justworks", "credential", hc("26377528324244-Justworks-Add-an-administrator")),
  automated(
    "paychex_flex",
    "Paychex Flex",
    "credential",
    art("7200653636-paychex-flex-add-an-administrator"),
  ),
  automated("paycom", "Paycom", "credential", art("9547786356")),
  automated("paylocity", "Paylocity", "credential", art("4904535799-paylocity-add-an-administrator")),
  automated("trinet", "TriNet", "api_token", art("4974453945")),
  automated(
    "ulti_pro",
    "UltiPro (UKG Pro)",
    "api_token",
    art("6820516534-ukg-pro-add-a-service-user-org-payroll"),
  ),
  automated(
    "workday",
    "Workday",
    "api_token",
    art("5284425985-workday-add-an-integration-system-user-org-only"),
  ),
  automated("zenefits", "Zenefits", "credential", hc("26384668371092-Zenefits-Add-an-administrator")),
  automated("gusto", "Gusto", "oauth", INTEGRATION_TYPES, [...READ, "benefits"]),
  automated("rippling", "Rippling", "oauth", INTEGRATION_TYPES),
  automated("namely", "Namely", "api_token", INTEGRATION_TYPES),
  automated("sequoia_one", "Sequoia One", "credential", INTEGRATION_TYPES),
  // Assisted API providers.
  assisted("adp_totalsource", "ADP TotalSource"),
  assisted("advantage_payroll_services", "Advantage Payroll Services"),
  assisted("aps_payroll", "APS Payroll"),
  assisted("charlie_hr", "CharlieHR"),
  assisted("eddyhr", "Eddy"),
  assisted("payfit", "PayFit"),
  assisted("payroll_network", "Payroll Network"),
  assisted("primepay", "PrimePay"),
  assisted("viewpoint_hr_management_spectrum", "Viewpoint HR Management Spectrum"),
  assisted("whirks", "whirks"),
  assisted("xero", "Xero"),
  assisted("paycor", "Paycor"),
  assisted("ukg_ready", "UKG Ready (Kronos)"),
  assisted("deel", "Deel"),
];

/** The fixture in the shape of Finch's GET /providers answer. */
export function documentedListing(): ProviderListResponse[] {
  return DOCUMENTED_PROVIDERS.map((p) => ({
    id: p.id,
    display_name: p.name,
    products: [...p.products],
    manual: p.kind === "assisted",
    authentication_methods: p.authMethods.map((type) => ({
      type,
      supported_fields: Object.fromEntries(p.products.map((product) => [product, {}])),
    })),
  }));
}
