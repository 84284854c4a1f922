/** A template as people see it: the flat list of checklist items, and the placeholders filled in. */
import {
  type ChecklistItem,
  PLACEHOLDER_PATTERN,
  type PlaceholderValues,
  type ProviderTemplate,
} from "./template-format.ts";

/** Blocks the Slack checklist renders at most for a template (see `blocks/checklist.ts`). */
export function maxChecklistBlocks(template: Pick<ProviderTemplate, "steps">): number {
  // header, overview, setup context, progress, call time, troubleshooting
  const fixed = 6;
  return template.steps.reduce((sum, step) => {
    // divider + step section, then one actions block for the step itself, or a heading per
    // permission group and one actions block per permission.
    const groups = new Set(step.permissions.map((p) => p.group)).size;
    return sum + 2 + (step.permissions.length === 0 ? 1 : groups + step.permissions.length);
  }, fixed);
}

/** The flat list of checkboxes: each step without permissions, and each permission of the others. */
export function checklistItems(template: Pick<ProviderTemplate, "steps">): ChecklistItem[] {
  return template.steps.flatMap((step): ChecklistItem[] =>
    step.permissions.length === 0
      ? [
          {
            key: step.key,
            stepKey: step.key,
            label: step.label,
            owner: step.owner,
            kind: "step",
            verifiedBy: step.verifiedBy ?? "person",
            check: null,
            group: null,
            fix: null,
            where: null,
          },
        ]
      : step.permissions.map((perm) => ({
          key: perm.key,
          stepKey: step.key,
          label: perm.label,
          owner: step.owner,
          kind: "permission",
          verifiedBy: perm.check === "none" ? "person" : "finch",
          check: perm.check,
          group: perm.group,
          fix: perm.fix,
          where: perm.where,
        })),
  );
}

/** Placeholder values for one onboarding; the name splits at its first space into first and last name. */
export function placeholderValuesFor(input: {
  companyName: string;
  integrationUserName: string;
  integrationUserEmail: string;
}): PlaceholderValues {
  const name = input.integrationUserName.trim();
  const space = name.indexOf(" ");
  // A one-word name has no last name to suggest: repeat it rather than invent one.
  const first = space < 0 ? name : name.slice(0, space);
  const last = space < 0 ? name : name.slice(space + 1).trim();
  return {
    companyName: input.companyName,
    integrationUserName: name,
    integrationUserFirstName: first,
    integrationUserLastName: last,
    integrationUserEmail: input.integrationUserEmail.trim(),
  };
}

/** Replaces every `{placeholder}` in `text`; throws on one without a value, so none reaches a customer. */
export function fillPlaceholders(text: string, values: Readonly<Partial<Record<string, string>>>): string {
  return text.replace(PLACEHOLDER_PATTERN, (_match, name: string) => {
    const value = Object.hasOwn(values, name) ? values[name] : undefined;
    if (value === undefined) throw new Error(`No value for placeholder {${name}}`);
    return value;
  });
}
