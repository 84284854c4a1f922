/**
 * What Finch supports for a provider, from `GET /providers` (`client.providers.list()`), cached for an
 * hour in the app's memory: the products it can read and the authentication methods Connect offers. Fleet requests only
 * supported products, and a permission whose product the provider lacks is confirmed by a person.
 * Doc: https://developer.tryfinch.com/api-reference/management/providers
 */

import { memorySlot } from "../app-memory.ts";
import { providerCatalogue } from "../checklist/provider-catalogue.ts";
import type { ProviderChoice } from "../checklist/provider-names.ts";
import type { FinchProduct } from "../checklist/template-format.ts";
import type { AppContext } from "../context.ts";
import { classifyFinchError, createFinchAppClient, type FinchClient } from "./client.ts";

/** A provider's capabilities as Finch lists them. */
export interface ProviderCapabilities {
  providerId: string;
  products: ReadonlySet<string>;
  /** `authentication_methods[].type`, e.g. `credential`, `assisted`. */
  authMethods: readonly string[];
  mfaRequired: boolean | null;
}

/** How long a listing is trusted. Finch changes it rarely; an hour keeps one call per hour per app. */
export const PROVIDERS_TTL_MS = 60 * 60_000;

/** This app's listing (per app, in its memory: tests run several apps against different stand-ins). */
interface Listing {
  at: number;
  byId?: Map<string, ProviderCapabilities>;
  inflight?: Promise<Map<string, ProviderCapabilities>>;
}

const LISTING = memorySlot("finch provider listing", (): Listing => ({ at: 0 }));

/** Forgets this app's cached listing (tests, and a rep who knows Finch changed its listing). */
export function forgetProviderCapabilities(ctx: Pick<AppContext, "memory">): void {
  const entry = ctx.memory.of(LISTING);
  entry.at = 0;
  entry.byId = undefined;
}

/**
 * The SDK sends `/providers` with a connection's bearer token. Before any connection exists (opening
 * Connect) there is none, so the header is explicitly left out; if Finch refuses that, the caller falls
 * back to the template until a verification (which has a token) refreshes the listing.
 */
async function fetchListing(
  ctx: AppContext,
  client?: FinchClient,
): Promise<Map<string, ProviderCapabilities>> {
  const byId = new Map<string, ProviderCapabilities>();
  const names: Array<{ id: string; name: string; authMethods: string[] }> = [];
  const listing = client
    ? client.providers.list()
    : createFinchAppClient(ctx.config, ctx.logger).providers.list({ headers: { Authorization: null } });
  for await (const provider of listing) {
    byId.set(provider.id, {
      providerId: provider.id,
      products: new Set(provider.products ?? []),
      authMethods: (provider.authentication_methods ?? []).map((m) => m.type),
      mfaRequired: typeof provider.mfa_required === "boolean" ? provider.mfa_required : null,
    });
    names.push({
      id: provider.id,
      name: provider.display_name?.trim() || provider.id,
      authMethods: (provider.authentication_methods ?? []).map((m) => m.type),
    });
  }
  // The checklist renders a provider without a template with Finch's own name for it.
  providerCatalogue(ctx).rememberFinchProviders(names);
  return byId;
}

/**
 * The provider's capabilities, or null when Finch could not be asked (then callers fall back to the
 * template and say nothing is unsupported) or does not list the provider.
 */
export async function providerCapabilities(
  ctx: AppContext,
  providerId: string,
  /** A connection's client (bearer token), when there is one. */
  client?: FinchClient,
): Promise<ProviderCapabilities | null> {
  const now = ctx.clock.now().getTime();
  const entry = ctx.memory.of(LISTING);
  if (!entry.byId || now - entry.at > PROVIDERS_TTL_MS) {
    try {
      // Concurrent callers share one request.
      entry.inflight ??= fetchListing(ctx, client);
      entry.byId = await entry.inflight;
      entry.at = now;
    } catch (err) {
      ctx.logger.warn({ providerId, ...classifyFinchError(err) }, "finch providers listing failed");
      // A stale listing beats none; without any, the caller falls back to the template.
      return entry.byId?.get(providerId) ?? null;
    } finally {
      entry.inflight = undefined;
    }
  }
  const found = entry.byId?.get(providerId) ?? null;
  if (!found) ctx.logger.warn({ providerId }, "finch does not list this provider");
  return found;
}

/** The template's products that the provider supports (all of them when the listing is unknown). */
export function supportedProducts(
  wanted: readonly FinchProduct[],
  capabilities: ProviderCapabilities | null,
): FinchProduct[] {
  if (!capabilities) return [...wanted];
  return wanted.filter((p) => capabilities.products.has(p));
}

/**
 * Every provider a rep may onboard: the templated ones, then the rest of Finch's listing (generic guide).
 * Waits for a listing at most `waitMs` (handlers have Slack's 3 seconds); without one, the templated ones
 * plus whatever listing was last seen.
 */
export async function onboardableProviders(ctx: AppContext, waitMs = 1500): Promise<ProviderChoice[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, waitMs);
    timer.unref?.();
  });
  // Any provider id refreshes the whole listing; the answer for this one does not matter.
  await Promise.race([providerCapabilities(ctx, "justworks").catch(() => null), timeout]);
  clearTimeout(timer);
  return providerCatalogue(ctx).allProviderChoices();
}
