/**
 * "Did you mean …" for a mistyped subcommand, option or HR provider: the closest candidates by edit distance
 * (didyoumean2, on fastest-levenshtein), at most three, and the corrected `/fleet` line to copy. Pure.
 */
import didYouMean, { ReturnTypeEnums, ThresholdTypeEnums } from "didyoumean2";
import { type ProviderChoice, providerKey } from "../../checklist/provider-names.ts";

/** At most this many candidates are offered. */
export const MAX_SUGGESTIONS = 3;

/**
 * The candidates closest to `typed`, best first. Similarity is 1 − distance / longer length: 0.5 lets
 * "onbaord", "stauts", "disconect" and "Paylocty" through, and keeps "frobnicate" from meaning anything.
 */
export function closestWords(typed: string, candidates: readonly string[], threshold = 0.5): string[] {
  if (!typed.trim()) return [];
  return didYouMean(typed, [...candidates], {
    returnType: ReturnTypeEnums.ALL_SORTED_MATCHES,
    thresholdType: ThresholdTypeEnums.SIMILARITY,
    threshold,
  }).slice(0, MAX_SUGGESTIONS);
}

/** The providers closest to a typed name, compared by id, display name, name without "(…)" and first word. */
export function closestProviders(typed: string, providers: readonly ProviderChoice[]): ProviderChoice[] {
  const key = providerKey(typed);
  if (!key) return [];
  const keyed = providers.flatMap((p) =>
    // The first word too: "paychx" is closer to "Paychex" than to "Paychex Flex".
    [p.id, p.name, p.name.replace(/\(.*?\)/g, ""), p.name.split(/\s+/)[0] ?? ""]
      .map((name) => ({ key: providerKey(name), id: p.id }))
      .filter((k) => k.key.length >= 3),
  );
  const matches = didYouMean(key, keyed, {
    matchPath: ["key"],
    returnType: ReturnTypeEnums.ALL_SORTED_MATCHES,
    thresholdType: ThresholdTypeEnums.SIMILARITY,
    threshold: 0.5,
  });
  const ids = [...new Set(matches.map((m) => m.id))].slice(0, MAX_SUGGESTIONS);
  return ids.flatMap((id) => providers.filter((p) => p.id === id));
}

/** "Did you mean `status`?" / "Did you mean `link`, `history` or `help`?" (each as Slack code). */
export function didYouMeanText(options: readonly string[]): string {
  if (options.length === 0) return "";
  const quoted = options.map((o) => `\`${o}\``);
  const list = quoted.length === 1 ? quoted[0] : `${quoted.slice(0, -1).join(", ")} or ${quoted.at(-1)}`;
  return `Did you mean ${list}?`;
}

/** "Did you mean *BambooHR* (`bamboo_hr`)?" for providers. */
export function didYouMeanProvider(options: readonly ProviderChoice[]): string {
  if (options.length === 0) return "";
  const named = options.map((p) => `*${p.name}* (\`${p.id}\`)`);
  const list = named.length === 1 ? named[0] : `${named.slice(0, -1).join(", ")} or ${named.at(-1)}`;
  return `Did you mean ${list}?`;
}

/**
 * "Copy: `/fleet status Acme`": the typed line with one part replaced (its first occurrence, or its last with
 * `from: "end"`); "" when that part is not in the line as typed (e.g. it was quoted).
 */
export function lineToCopy(
  text: string,
  wrong: string,
  right: string,
  from: "start" | "end" = "start",
): string {
  const at = from === "start" ? text.indexOf(wrong) : text.lastIndexOf(wrong);
  if (at < 0 || wrong === "") return "";
  const fixed = `${text.slice(0, at)}${right}${text.slice(at + wrong.length)}`;
  return `Copy: \`/fleet ${fixed.replace(/\s+/g, " ").trim()}\``;
}

/** The suggestion and the line to copy, as one sentence pair ("" when there is nothing to suggest). */
export function suggestion(didYouMean: string, copy: string): string {
  return [didYouMean, didYouMean ? copy : ""].filter(Boolean).join(" ");
}
