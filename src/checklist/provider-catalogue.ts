/**
 * The providers one app can onboard: the shipped templates (a module constant, the same for every app) plus
 * what Finch's provider listing names beside them, each with a generic guide. Finch's listing is per app
 * (tests run several apps against different Finch stand-ins), so the catalogue lives in the app's memory.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { type AppMemory, memorySlot } from "../app-memory.ts";
import type { ProviderChoice } from "./provider-names.ts";
import {
  FINCH_AUTH_METHODS,
  type FinchAuthMethod,
  type ProviderTemplate,
  TEMPLATE_LIMITS,
  UnknownProviderError,
} from "./template-format.ts";
import {
  defaultTemplatesDir,
  GENERIC_TEMPLATE_FILE,
  providerChoices,
  shippedTemplate,
  templateIds,
} from "./template-registry.ts";
import { parseTemplate } from "./template-schema.ts";

/** What Finch's provider listing says of a provider without a template: its name and auth methods. */
export interface FinchProviderEntry {
  id: string;
  name: string;
  authMethods: readonly string[];
}

const PROVIDER_ID = /^[a-z0-9]+(?:[-_][a-z0-9]+)*$/;
/** Fields shown as plain text (escaped by the renderer); every other text is mrkdwn. */
const PLAIN_FIELDS = new Set(["displayName", "title", "label", "group", "fix"]);

/** `{providerName}` filled in: raw in plain fields, escaped (and stripped of markup) in mrkdwn ones. */
function fillProviderName(value: unknown, name: string, field = ""): unknown {
  if (typeof value === "string") {
    const shown = PLAIN_FIELDS.has(field)
      ? name
      : name
          .replace(/[*_~`]/g, "")
          .replace(/&/g, "&amp;")
          .replace(/</g, "&lt;")
          .replace(/>/g, "&gt;");
    return value.replaceAll("{providerName}", shown);
  }
  if (Array.isArray(value)) return value.map((v) => fillProviderName(v, name, field));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillProviderName(v, name, k)]));
  }
  return value;
}

/**
 * The generic guide for a provider without a template ("Finch Connect will show you what to do for
 * Gusto"), from `_generic.yml`, validated like any template: Finch's display name (else the id), the first
 * auth method Finch lists (else the file's).
 */
export function buildGenericTemplate(
  providerId: string,
  listed: FinchProviderEntry | undefined,
  dir: string = defaultTemplatesDir(),
): ProviderTemplate {
  const name = (listed?.name.trim() || providerId).slice(0, TEMPLATE_LIMITS.displayName).trim();
  const raw = fillProviderName(parse(readFileSync(join(dir, GENERIC_TEMPLATE_FILE), "utf8")), name) as Record<
    string,
    unknown
  >;
  const authMethod = listed?.authMethods.find((m): m is FinchAuthMethod =>
    (FINCH_AUTH_METHODS as readonly string[]).includes(m),
  );
  const finch = raw.finch as Record<string, unknown>;
  const filled = {
    ...raw,
    id: providerId,
    finch: { ...finch, providerId, ...(authMethod ? { authMethod } : {}) },
  };
  return {
    ...parseTemplate(stringify(filled), `${providerId}.yml`),
    source: GENERIC_TEMPLATE_FILE,
  };
}

/** One app's providers: the shipped templates, Finch's listing (latest seen) and the generic guides built from it. */
export class ProviderCatalogue {
  private listing: ReadonlyMap<string, FinchProviderEntry> = new Map();
  private readonly generics = new Map<string, ProviderTemplate>();

  /** Remembers Finch's provider listing, so a provider without a template renders with Finch's name for it. */
  rememberFinchProviders(entries: readonly FinchProviderEntry[]): void {
    this.listing = new Map(entries.map((e) => [e.id, e]));
    this.generics.clear();
  }

  /**
   * The template of a provider; a provider id without one gets the generic guide (cached until the listing
   * changes). Throws {@link UnknownProviderError} only for text that cannot be a Finch provider id.
   */
  template(id: string): ProviderTemplate {
    const shipped = shippedTemplate(id);
    if (shipped) return shipped;
    if (!PROVIDER_ID.test(id) || id.length > TEMPLATE_LIMITS.keyLength) {
      throw new UnknownProviderError(id, templateIds());
    }
    return this.genericTemplate(id);
  }

  /** The generic guide of a provider, with Finch's name for it when the listing has one. */
  private genericTemplate(providerId: string): ProviderTemplate {
    const cached = this.generics.get(providerId);
    if (cached) return cached;
    const template = buildGenericTemplate(providerId, this.listing.get(providerId));
    this.generics.set(providerId, template);
    return template;
  }

  /** Finch's providers (the listing last seen) that have no template, sorted by display name. */
  finchOnlyChoices(): ProviderChoice[] {
    return [...this.listing.values()]
      .filter((e) => !shippedTemplate(e.id))
      .map((e) => ({ id: e.id, name: e.name }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Every provider that can be onboarded: those with a template, then Finch's others (generic guide). */
  allProviderChoices(): ProviderChoice[] {
    return [...providerChoices(), ...this.finchOnlyChoices().map((p) => ({ ...p, shipped: false }))];
  }

  /** A provider as people know it: "BambooHR", not "bamboo_hr". */
  displayName(id: string): string {
    const known = this.allProviderChoices().find((p) => p.id === id)?.name;
    if (known) return known;
    try {
      return this.template(id).displayName;
    } catch {
      return id;
    }
  }
}

const CATALOGUE = memorySlot("provider catalogue", () => new ProviderCatalogue());

/** This app's provider catalogue (built with its memory, never shared with another app in the process). */
export function providerCatalogue(ctx: { memory: AppMemory }): ProviderCatalogue {
  return ctx.memory.of(CATALOGUE);
}
