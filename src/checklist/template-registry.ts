/** Loading the provider templates from their folder, once, and looking them up by id. */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ProviderChoice } from "./provider-names.ts";
import { type ProviderTemplate, TemplateError, UnknownProviderError } from "./template-format.ts";
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

/** Is this the generic guide (no provider-specific steps)? */
export function isGenericTemplate(template: ProviderTemplate): boolean {
  return template.source === GENERIC_TEMPLATE_FILE;
}

/**
 * A shipped template (loaded once from the default folder), or undefined. Pure: it never reads Finch's
 * listing; a provider without a shipped template gets its generic guide from the app's
 * {@link ProviderCatalogue} (src/checklist/provider-catalogue.ts).
 */
export function shippedTemplate(id: string): ProviderTemplate | undefined {
  return templates().get(id);
}

/** A shipped template by id; throws {@link UnknownProviderError} for any other id (tests, pure callers). */
export function getTemplate(id: string): ProviderTemplate {
  const template = templates().get(id);
  if (!template) throw new UnknownProviderError(id, templateIds());
  return template;
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
