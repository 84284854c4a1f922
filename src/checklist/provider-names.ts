/**
 * Which HR provider a person means: Finch's id ("bamboo_hr"), the template's display name ("BambooHR") or a
 * common name ("bamboo", "ADP Run", "Paychex", "HiBob"). Pure: the caller passes the providers it accepts —
 * those with a template, plus (when Finch's listing is known) every other provider Finch supports, which
 * gets the generic guide — so a name is only ever resolved to a provider that can be onboarded.
 */

/** A provider that can be onboarded. */
export interface ProviderChoice {
  id: string;
  name: string;
  /** `false` for a Finch provider without a template of its own (it gets the generic guide). */
  shipped?: boolean;
}

/** Up to this many valid providers are listed in full when a name is unknown; beyond, the shipped ones. */
export const LIST_IN_FULL = 30;

/** Common names that are neither the id nor the display name nor a prefix of one (key → Finch id). */
const ALIASES: Readonly<Record<string, string>> = {
  runpoweredbyadp: "adp_run",
  adpwfn: "adp_workforce_now",
  wfn: "adp_workforce_now",
  ultimatesoftware: "ulti_pro",
};

/** Case, accents, spaces and punctuation do not matter: "Bamboo HR", "bamboo_hr" and "BambooHR" are one key. */
export function providerKey(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^a-z0-9]/g, "");
}

/** The keys a provider answers to exactly: id, display name, display name without its "(…)" remark. */
function exactKeys(p: ProviderChoice): string[] {
  const keys = [p.id, p.name, p.name.replace(/\(.*?\)/g, "")].map(providerKey);
  const inParens = /\(([^)]*)\)/.exec(p.name)?.[1];
  if (inParens) keys.push(providerKey(inParens));
  return keys;
}

/** Providers listed for a person: "BambooHR (bamboo_hr), …", sorted by display name. */
export function listProviders(providers: readonly ProviderChoice[]): string {
  return [...providers]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((p) => `${p.name} (${p.id})`)
    .join(", ");
}

/** Resolves a typed provider to one id, or says why not (unknown: with the valid ones; ambiguous: the candidates). */
export function resolveProvider(
  text: string,
  providers: readonly ProviderChoice[],
): { ok: true; id: string } | { ok: false; reason: "unknown" | "ambiguous"; message: string } {
  const key = providerKey(text);
  const shown = text.trim().slice(0, 40);
  if (key) {
    const exact = providers.filter((p) => exactKeys(p).includes(key));
    if (exact.length === 1 && exact[0]) return { ok: true, id: exact[0].id };
    const alias = ALIASES[key];
    const aliased = alias ? providers.find((p) => p.id === alias) : undefined;
    if (aliased) return { ok: true, id: aliased.id };
    // A unique beginning ("bamboo", "paychex", "paylo") is enough; three letters at least.
    const prefixed =
      key.length >= 3 ? providers.filter((p) => exactKeys(p).some((k) => k.startsWith(key))) : [];
    if (prefixed.length === 1 && prefixed[0]) return { ok: true, id: prefixed[0].id };
    if (prefixed.length > 1) {
      return {
        ok: false,
        reason: "ambiguous",
        message: `"${shown}" could be ${listProviders(prefixed)}: which one?`,
      };
    }
  }
  return { ok: false, reason: "unknown", message: unknownProviderMessage(shown, providers) };
}

/** "…is not a provider": every valid one when few; else those with a checklist and a few Finch ids. */
function unknownProviderMessage(shown: string, providers: readonly ProviderChoice[]): string {
  const finchOnly = providers.filter((p) => p.shipped === false);
  if (finchOnly.length === 0) {
    return `"${shown}" is not an HR provider we have a checklist for. Valid: ${listProviders(providers)}.`;
  }
  if (providers.length <= LIST_IN_FULL) {
    return `"${shown}" is not an HR provider Finch supports. Valid: ${listProviders(providers)}.`;
  }
  const shipped = providers.filter((p) => p.shipped !== false);
  const examples = finchOnly
    .slice(0, 5)
    .map((p) => p.id)
    .join(", ");
  return (
    `"${shown}" is not an HR provider Finch supports. With a checklist: ${listProviders(shipped)}. ` +
    `Any other Finch provider id works too (${finchOnly.length} more, e.g. ${examples}), with a short generic guide.`
  );
}
