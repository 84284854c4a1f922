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

/** Loads and validates every `*.yml` template in `dir`, sorted by id; throws on the first bad file. */
export function loadTemplates(dir: string = defaultTemplatesDir()): ProviderTemplate[] {
  if (!existsSync(dir)) throw new Error(`HR-provider templates folder not found: ${dir}`);
  const files = readdirSync(dir)
    .filter((name) => name.endsWith(".yml"))
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

let cache: ReadonlyMap<string, ProviderTemplate> | undefined;

function templates(): ReadonlyMap<string, ProviderTemplate> {
  cache ??= new Map(loadTemplates().map((t) => [t.id, t]));
  return cache;
}

/** The template of a provider (loaded once from the default folder); throws {@link UnknownProviderError}. */
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
