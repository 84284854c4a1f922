/**
 * GET /providers: Finch's catalogue of providers, typed with the SDK's `ProviderListResponse`. The stand-in
 * answers the fixture transcribed from Finch's documentation (provider-listing.ts), never Fleet's templates:
 * a witness that shares the app's assumptions could only prove the app agrees with itself.
 */
import type { ProviderListResponse } from "@tryfinch/finch-api/resources/providers";
import { documentedListing } from "./provider-listing.ts";

let catalogue: ProviderListResponse[] | undefined;

/** The providers the stand-in answers: Finch's documented listing. */
export function standInProviders(): readonly ProviderListResponse[] {
  catalogue ??= documentedListing();
  return catalogue;
}
