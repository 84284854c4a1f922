/**
 * HR-provider templates: each provider's setup guide held as data in `templates/<id>.yml`, so a new
 * provider (Gusto, Rippling …) is a YAML file, not code. This module owns the format (a zod schema plus
 * the cross-field rules zod cannot express), loads and validates the files, and flattens a template
 * into the checklist items people tick. The format is documented in `templates/README.md`.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseDocument } from "yaml";
import { z } from "zod";

/** Finch products a template may request (Finch API, 2026). */
export const FINCH_PRODUCTS = [
  "company",
  "directory",
  "individual",
  "ssn",
  "employment",
  "payment",
  "pay_statement",
  "benefits",
  "documents",
] as const;
/** One Finch product. */
export type FinchProduct = (typeof FINCH_PRODUCTS)[number];

/** The read-only checks Finch verification runs; `none` = not provable read-only, a person confirms. */
export const FINCH_CHECKS = [
  "directory",
  "individual",
  "employment_income",
  "company",
  "payment",
  "pay_statement",
  "benefits",
  "none",
] as const;
/** One verification check id. */
export type FinchCheck = (typeof FINCH_CHECKS)[number];

/** The product each check reads: a permission using a check must list that product. */
export const CHECK_PRODUCT: Readonly<Record<Exclude<FinchCheck, "none">, FinchProduct>> = {
  directory: "directory",
  individual: "individual",
  employment_income: "employment",
  company: "company",
  payment: "payment",
  pay_statement: "pay_statement",
  benefits: "benefits",
};

/** Placeholders a template's mrkdwn texts may use, filled per onboarding. */
export const PLACEHOLDERS = [
  "companyName",
  "integrationUserName",
  "integrationUserFirstName",
  "integrationUserLastName",
  "integrationUserEmail",
] as const;
/** One placeholder name (written `{name}` in a template). */
export type Placeholder = (typeof PLACEHOLDERS)[number];
/** Values for every placeholder. */
export type PlaceholderValues = Readonly<Record<Placeholder, string>>;

/** Who does a step: the customer's HR admin or Fleet. */
export type StepOwner = "customer" | "fleet";
/** Who can prove a step done: Finch verification of the connection, or only a person's tick. */
export type VerifiedBy = "finch" | "person";

/** Slack limits a template must respect, so every checklist it renders is a valid message. */
export const TEMPLATE_LIMITS = {
  /** Checkbox option text (a step's `label`, a permission's `label`). */
  checkboxText: 75,
  /** Checkbox option description (a permission's `fix` is shown there while it is open). */
  checkboxDescription: 75,
  /** Room left in a 3000-char section for the step heading and filled placeholders. */
  instructions: 2500,
  title: 150,
  displayName: 40,
  /** Blocks in one Slack message. */
  messageBlocks: 50,
  keyLength: 40,
} as const;

/** One provider permission the integration user needs, and how Finch proves it. */
export interface TemplatePermission {
  key: string;
  group: string;
  label: string;
  products: readonly FinchProduct[];
  check: FinchCheck;
  fix: string;
}

/** One numbered setup step. */
export interface TemplateStep {
  key: string;
  title: string;
  /** Checkbox text; the title when not given. Unused for a step with permissions. */
  label: string;
  owner: StepOwner;
  /** `null` for a step with permissions: each permission's `check` decides instead. */
  verifiedBy: VerifiedBy | null;
  /** The step where the Finch Connect button goes. */
  finchConnect: boolean;
  instructions: string;
  permissions: readonly TemplatePermission[];
}

/** A validated HR-provider template. */
export interface ProviderTemplate {
  id: string;
  displayName: string;
  finch: { providerId: string; products: readonly FinchProduct[] };
  overview: string;
  security: string;
  setupTime: string;
  beforeYouBegin: string;
  steps: readonly TemplateStep[];
  troubleshooting: readonly string[];
  help: string | null;
  /** The file it was loaded from (for messages), or the name given to {@link parseTemplate}. */
  source: string;
}

/** One checkbox of the checklist: a step without permissions, or one permission of a step. */
export interface ChecklistItem {
  key: string;
  stepKey: string;
  label: string;
  owner: StepOwner;
  kind: "step" | "permission";
  verifiedBy: VerifiedBy;
  /** The permission's check; `null` for a step item. */
  check: FinchCheck | null;
  group: string | null;
  fix: string | null;
}

/** A template file that does not load: every problem found, each naming file and field. */
export class TemplateError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(`Invalid HR-provider template ${file}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "TemplateError";
  }
}

/** A provider id with no template file. */
export class UnknownProviderError extends Error {
  constructor(
    readonly providerId: string,
    readonly known: readonly string[],
  ) {
    super(
      `No HR-provider template "${providerId}" (known: ${known.join(", ") || "none"}). ` +
        `Add src/onboarding/templates/${providerId}.yml to support it.`,
    );
    this.name = "UnknownProviderError";
  }
}

/** "is required" for a missing field, else `problem`: zod's default says "received undefined". */
const required = (problem: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? "is required" : problem;
const key = z
  .string({ error: required("must be text") })
  .max(TEMPLATE_LIMITS.keyLength, { error: `must be at most ${TEMPLATE_LIMITS.keyLength} chars` })
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, {
    error: "must be lowercase letters and digits joined by single hyphens, e.g. payments-view",
  });
const text = z
  .string({ error: required("must be text") })
  .trim()
  .min(1, { error: "must not be empty" });
const limited = (max: number, where: string) =>
  text.max(max, {
    error: (issue) => `is ${String(issue.input).length} chars; ${where} holds at most ${max}`,
  });
const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: required(`must be one of ${values.join(" | ")}`) });
const product = oneOf(FINCH_PRODUCTS);

const permissionSchema = z.strictObject({
  key,
  group: limited(TEMPLATE_LIMITS.checkboxText, "a group heading"),
  label: limited(TEMPLATE_LIMITS.checkboxText, "a Slack checkbox"),
  products: z.array(product).min(1, { error: "must list at least one Finch product" }),
  check: oneOf(FINCH_CHECKS),
  fix: limited(TEMPLATE_LIMITS.checkboxDescription, "a Slack checkbox description"),
});

const stepSchema = z.strictObject({
  key,
  title: limited(TEMPLATE_LIMITS.title, "a step title"),
  label: limited(TEMPLATE_LIMITS.checkboxText, "a Slack checkbox").optional(),
  owner: oneOf(["customer", "fleet"]),
  verifiedBy: oneOf(["finch", "person"]).optional(),
  finchConnect: z.boolean().optional(),
  instructions: limited(TEMPLATE_LIMITS.instructions, "a step's instructions"),
  permissions: z.array(permissionSchema).min(1, { error: "must not be empty (leave it out)" }).optional(),
});

const templateSchema = z.strictObject({
  id: key,
  displayName: limited(TEMPLATE_LIMITS.displayName, "a provider name"),
  finch: z.strictObject({
    providerId: text,
    products: z.array(product).min(1, { error: "must list at least one Finch product" }),
  }),
  overview: limited(2000, "the overview"),
  security: limited(1000, "the security line"),
  setupTime: limited(300, "the setup time"),
  beforeYouBegin: limited(1000, "before you begin"),
  steps: z.array(stepSchema).min(1, { error: "must have at least one step" }),
  troubleshooting: z.array(limited(300, "a tip")).max(10, { error: "must have at most 10 tips" }),
  help: limited(500, "the help line").optional(),
});

type RawTemplate = z.output<typeof templateSchema>;
type Path = readonly PropertyKey[];

/** `steps[2].permissions[8].check (permission "benefits-manage")`: the path, plus the nearest item key. */
function describePath(raw: unknown, path: Path): string {
  let where = "";
  let node: unknown = raw;
  let keyed = "";
  for (const segment of path) {
    if (typeof segment === "number") {
      where += `[${segment}]`;
      node = Array.isArray(node) ? node[segment] : undefined;
      const itemKey = (node as { key?: unknown } | undefined)?.key;
      if (typeof itemKey === "string")
        keyed = `${where.includes("permissions") ? "permission" : "step"} "${itemKey}"`;
    } else {
      where += where === "" ? String(segment) : `.${String(segment)}`;
      node =
        node !== null && typeof node === "object"
          ? (node as Record<PropertyKey, unknown>)[segment]
          : undefined;
    }
  }
  return `${where || "(top level)"}${keyed ? ` (${keyed})` : ""}`;
}

const PLACEHOLDER_PATTERN = /\{([A-Za-z][A-Za-z0-9_]*)\}/g;

function placeholdersIn(value: string): string[] {
  return [...value.matchAll(PLACEHOLDER_PATTERN)].map((m) => m[1] ?? "");
}

/** Blocks the Slack checklist renders at most for a template (see `slack/views/checklist.ts`). */
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

/** The rules zod cannot express: unique keys, known placeholders, consistent products, Slack's size. */
function crossCheck(t: RawTemplate, file: string): string[] {
  const problems: string[] = [];
  const at = (path: Path, problem: string) => problems.push(`${describePath(t, path)}: ${problem}`);

  const expectedId = basename(file).replace(/\.ya?ml$/, "");
  if (file.match(/\.ya?ml$/) && t.id !== expectedId) {
    at(["id"], `is "${t.id}" but the file is ${basename(file)}: name the file ${t.id}.yml`);
  }

  const seenKeys = new Map<string, string>();
  const claim = (itemKey: string, path: Path) => {
    const first = seenKeys.get(itemKey);
    if (first) at(path, `duplicate key "${itemKey}" (also ${first}); keys must be unique in a template`);
    else seenKeys.set(itemKey, describePath(t, path).replace(/ \(.*\)$/, ""));
  };

  const mrkdwnFields: Array<[Path, string]> = [
    [["overview"], t.overview],
    [["security"], t.security],
    [["setupTime"], t.setupTime],
    [["beforeYouBegin"], t.beforeYouBegin],
    ...t.troubleshooting.map((tip, i): [Path, string] => [["troubleshooting", i], tip]),
    ...(t.help === undefined ? [] : [[["help"], t.help] as [Path, string]]),
  ];
  const plainFields: Array<[Path, string]> = [[["displayName"], t.displayName]];
  const known = new Set<string>(PLACEHOLDERS);

  let connectSteps = 0;
  t.steps.forEach((step, s) => {
    claim(step.key, ["steps", s, "key"]);
    mrkdwnFields.push([["steps", s, "instructions"], step.instructions]);
    plainFields.push([["steps", s, "title"], step.title]);
    if (step.label !== undefined) plainFields.push([["steps", s, "label"], step.label]);
    if (step.finchConnect) connectSteps += 1;
    if (connectSteps > 1 && step.finchConnect) {
      at(["steps", s, "finchConnect"], "only one step may hold the Finch Connect button");
    }
    const permissions = step.permissions ?? [];
    if (permissions.length === 0) return;

    // A step with permissions is ticked through its permissions, so it has no checkbox of its own.
    for (const field of ["label", "verifiedBy", "finchConnect"] as const) {
      if (step[field] !== undefined) {
        at(
          ["steps", s, field],
          "not allowed on a step with permissions (its permissions are the checkboxes)",
        );
      }
    }
    const closedGroups = new Set<string>();
    let currentGroup: string | undefined;
    permissions.forEach((perm, p) => {
      const path = ["steps", s, "permissions", p] as const;
      claim(perm.key, [...path, "key"]);
      plainFields.push(
        [[...path, "label"], perm.label],
        [[...path, "fix"], perm.fix],
        [[...path, "group"], perm.group],
      );
      if (perm.group !== currentGroup) {
        if (closedGroups.has(perm.group)) {
          at(
            [...path, "group"],
            `group "${perm.group}" appears again after another group; keep a group together`,
          );
        }
        if (currentGroup !== undefined) closedGroups.add(currentGroup);
        currentGroup = perm.group;
      }
      perm.products.forEach((prod, i) => {
        if (!t.finch.products.includes(prod)) {
          at([...path, "products", i], `"${prod}" is not in finch.products; add it there or remove it here`);
        }
      });
      if (perm.check !== "none" && !perm.products.includes(CHECK_PRODUCT[perm.check])) {
        at(
          [...path, "check"],
          `"${perm.check}" reads the Finch product "${CHECK_PRODUCT[perm.check]}", ` +
            "which products does not list",
        );
      }
    });
  });

  for (const [path, value] of mrkdwnFields) {
    for (const name of placeholdersIn(value)) {
      if (!known.has(name))
        at(path, `unknown placeholder {${name}}; known: ${PLACEHOLDERS.map((n) => `{${n}}`).join(", ")}`);
    }
  }
  for (const [path, value] of plainFields) {
    if (placeholdersIn(value).length > 0) {
      at(path, "placeholders are not allowed here: its length must be known to fit Slack's limits");
    }
  }

  const blocks = maxChecklistBlocks({
    steps: t.steps.map((step) => ({ ...toStep(step), permissions: step.permissions ?? [] })),
  });
  if (blocks > TEMPLATE_LIMITS.messageBlocks) {
    at(
      ["steps"],
      `the checklist would need ${blocks} Slack blocks (max ${TEMPLATE_LIMITS.messageBlocks}); ` +
        "use fewer steps, groups or permissions",
    );
  }
  return problems;
}

function toStep(step: RawTemplate["steps"][number]): TemplateStep {
  const permissions = step.permissions ?? [];
  return {
    key: step.key,
    title: step.title,
    label: step.label ?? step.title,
    owner: step.owner,
    verifiedBy: permissions.length > 0 ? null : (step.verifiedBy ?? "person"),
    finchConnect: step.finchConnect ?? false,
    instructions: step.instructions,
    permissions: permissions.map((p) => ({ ...p })),
  };
}

/** Parses and validates one template's YAML text; `file` names it in errors (and must be `<id>.yml`). */
export function parseTemplate(source: string, file: string): ProviderTemplate {
  const doc = parseDocument(source, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new TemplateError(
      file,
      doc.errors.map((e) => `YAML: ${(e.message.split("\n")[0] ?? "").replace(/:$/, "")}`),
    );
  }
  const raw: unknown = doc.toJS();
  const parsed = templateSchema.safeParse(raw);
  if (!parsed.success) {
    throw new TemplateError(
      file,
      parsed.error.issues.map((issue) => `${describePath(raw, issue.path)}: ${issue.message}`),
    );
  }
  const t = parsed.data;
  const problems = crossCheck(t, file);
  if (problems.length > 0) throw new TemplateError(file, problems);
  return {
    id: t.id,
    displayName: t.displayName,
    finch: { providerId: t.finch.providerId, products: [...t.finch.products] },
    overview: t.overview,
    security: t.security,
    setupTime: t.setupTime,
    beforeYouBegin: t.beforeYouBegin,
    steps: t.steps.map(toStep),
    troubleshooting: [...t.troubleshooting],
    help: t.help ?? null,
    source: file,
  };
}

/**
 * The templates folder. Beside this module when running from `src/` (tsx, vitest); `tsc` does not copy
 * YAML, so from `dist/src/onboarding/` it falls back to the repository's `src/onboarding/templates`
 * (the Docker image must therefore ship `src/onboarding/templates/`).
 */
export function defaultTemplatesDir(): string {
  const beside = fileURLToPath(new URL("./templates/", import.meta.url));
  if (existsSync(beside)) return beside;
  return fileURLToPath(new URL("../../../src/onboarding/templates/", import.meta.url));
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
