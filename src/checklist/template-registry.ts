/** Loading the provider templates from their folder, once, and looking them up by id. */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse, stringify } from "yaml";
import type { ProviderChoice } from "./provider-names.ts";
import {
  FINCH_AUTH_METHODS,
  type FinchAuthMethod,
  type ProviderTemplate,
  TEMPLATE_LIMITS,
  TemplateError,
  UnknownProviderError,
} from "./template-format.ts";
import { parseTemplate } from "./template-schema.ts";

/**
 * The templates folder. Beside this module when running from `src/` (tsx, vitest); `tsc` does not copy
 * YAML, so from `dist/src/checklist/` it falls back to the repository's `src/checklist/templates`
 * (the Docker image must therefore ship `src/checklist/templates/`).
 */
export function defaultTemplatesDir(): string {
  const beside = fileURLToPath(new URL("./templates/", import.meta.url));
  if (existsSync(beside)) return beside;
  return fileURLToPath(new URL("../../../src/checklist/templates/", import.meta.url));
}

/** The generic guide's file: not a provider's template, so {@link loadTemplates} skips it (as every `_*.yml`). */
export const GENERIC_TEMPLATE_FILE = "_generic.yml";

/** Loads and validates every provider's `*.yml` template in `dir`, sorted by id; throws on the first bad file. */
export function loadTemplates(dir: string = defaultTemplatesDir()): ProviderTemplate[] {
  if (!existsSync(dir)) throw new Error(`HR-provider templates folder not found: ${dir}`);
  const files = readdirSync(dir)
    .filter((name) => name.endsWith(".yml") && !name.startsWith("_"))
    .sort();
  if (files.length === 0) throw new Error(`No HR-provider templates (*.yml) in ${dir}`);
  const templates = files.map((name) => parseTemplate(readFileSync(join(dir, name), "utf8"), name));
  const providers = new Map<string, string>();
  for (const t of templates) {
    const other = providers.get(t.finch.providerId);
    if (other) {
      throw new TemplateError(t.source, [
        `finch.providerId: "${t.finch.providerId}" is also used by ${other}`,
      ]);
    }
    providers.set(t.finch.providerId, t.source);
  }
  return templates.sort((a, b) => a.id.localeCompare(b.id));
}

/**
 * The shipped templates by id: a build-time constant, not per-app state. They are the repository's own files
 * (the image ships them), never changed at run time, so every app in the process rightly shares them; read
 * and validated once, on first use rather than at import (a module that merely imports this one, e.g. a CLI
 * tool, reads no file). Never written after that.
 */
let shipped: ReadonlyMap<string, ProviderTemplate> | undefined;

function templates(): ReadonlyMap<string, ProviderTemplate> {
  shipped ??= new Map(loadTemplates().map((t) => [t.id, t]));
  return shipped;
}

/** What Finch's provider listing says of a provider without a template: its name and auth methods. */
export interface FinchProviderEntry {
  id: string;
  name: string;
  authMethods: readonly string[];
}

/**
 * The latest Finch provider listing seen (src/finch/providers.ts remembers it here), by id. Per-app state still
 * in module scope (allowed, with its reason, by test/architecture/module-state.test.ts): moving it into
 * `ctx.memory` means giving getTemplate a context at every caller.
 */
let finchListing: ReadonlyMap<string, FinchProviderEntry> = new Map();

/** Remembers Finch's provider listing, so a provider without a template renders with Finch's name for it. */
export function rememberFinchProviders(entries: readonly FinchProviderEntry[]): void {
  finchListing = new Map(entries.map((e) => [e.id, e]));
  generics.clear();
}

/** Finch's providers (the listing last seen) that have no template, sorted by display name. */
export function finchOnlyChoices(): ProviderChoice[] {
  const shipped = templates();
  return [...finchListing.values()]
    .filter((e) => !shipped.has(e.id))
    .map((e) => ({ id: e.id, name: e.name }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

const generics = new Map<string, ProviderTemplate>();
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
 * auth method Finch lists (else the file's). Cached per provider until the listing changes.
 */
export function genericTemplate(providerId: string, dir: string = defaultTemplatesDir()): ProviderTemplate {
  const cached = generics.get(providerId);
  if (cached) return cached;
  const listed = finchListing.get(providerId);
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
  const template = {
    ...parseTemplate(stringify(filled), `${providerId}.yml`),
    source: GENERIC_TEMPLATE_FILE,
  };
  generics.set(providerId, template);
  return template;
}

/** Is this the generic guide (no provider-specific steps)? */
export function isGenericTemplate(template: ProviderTemplate): boolean {
  return template.source === GENERIC_TEMPLATE_FILE;
}

/**
 * The template of a provider (loaded once from the default folder); a provider id without one gets the
 * generic guide. Throws {@link UnknownProviderError} only for text that cannot be a Finch provider id.
 */
export function getTemplate(id: string): ProviderTemplate {
  const template = templates().get(id);
  if (template) return template;
  if (!PROVIDER_ID.test(id) || id.length > TEMPLATE_LIMITS.keyLength) {
    throw new UnknownProviderError(id, templateIds());
  }
  return genericTemplate(id);
}

/** Ids of every available template, sorted. */
export function templateIds(): string[] {
  return [...templates().keys()].sort();
}

/** Every provider with a template, as id and display name, sorted by display name. */
export function providerChoices(): ProviderChoice[] {
  return [...templates().values()]
    .map((t) => ({ id: t.id, name: t.displayName }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Every provider that can be onboarded: those with a template, then Finch's others (generic guide). */
export function allProviderChoices(): ProviderChoice[] {
  return [...providerChoices(), ...finchOnlyChoices().map((p) => ({ ...p, shipped: false }))];
}
