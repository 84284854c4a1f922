import { allProviderChoices, getTemplate } from "./template-registry.ts";

/** A provider as people know it: "BambooHR", not "bamboo_hr". */
export function providerDisplayName(id: string): string {
  const known = allProviderChoices().find((p) => p.id === id)?.name;
  if (known) return known;
  try {
    return getTemplate(id).displayName;
  } catch {
    return id;
  }
}
