/**
 * The "Customer's time zone" menu of the onboarding and Move-the-call modals: the common zones as people say
 * them ("Central — Chicago time (CT)"; Slack's menu filters as one types "Central" or "CT"), and its reader.
 * Pure.
 */
import type { PlainTextOption, StaticSelect } from "@slack/types";
import { resolveTimeZone, zoneChoices } from "../time-zones.ts";

/** A static select of zones with `current` chosen (added to the list when it is not a common zone). */
export function buildZoneSelect(actionId: string, current: string): StaticSelect {
  const option = (id: string, label: string): PlainTextOption => ({
    text: { type: "plain_text", text: label.slice(0, 75) },
    value: id,
  });
  const groups = zoneChoices(current);
  const chosen = groups.flatMap((g) => g.zones).find((z) => z.id === current);
  return {
    type: "static_select",
    action_id: actionId,
    placeholder: { type: "plain_text", text: "Type a zone, e.g. Central or CT" },
    ...(chosen ? { initial_option: option(chosen.id, chosen.label) } : {}),
    option_groups: groups.map((g) => ({
      label: { type: "plain_text", text: g.group },
      options: g.zones.map((z) => option(z.id, z.label)),
    })),
  };
}

/** A submitted zone field: the chosen option, or (older forms, tests) typed text such as "Central"; "" if none. */
export function readZoneField(
  field: { value?: string | null; selected_option?: { value: string } | null } | undefined,
): string {
  const raw = (field?.selected_option?.value ?? field?.value ?? "").trim();
  return resolveTimeZone(raw) ?? raw;
}
