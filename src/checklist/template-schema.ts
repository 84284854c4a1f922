/** The template format as a zod schema, plus the cross-field rules zod cannot express. */
import { basename } from "node:path";
import { parseDocument } from "yaml";
import { z } from "zod";
import { maxChecklistBlocks } from "./items.ts";
import {
  CHECK_PRODUCT,
  FINCH_AUTH_METHODS,
  FINCH_CHECKS,
  FINCH_PRODUCTS,
  LOGIN_HOLDER_SNIPPETS,
  PLACEHOLDER_PATTERN,
  PLACEHOLDERS,
  type ProviderTemplate,
  TEMPLATE_LIMITS,
  TemplateError,
  type TemplateStep,
} from "./template-format.ts";

/** "is required" for a missing field, else `problem`: zod's default says "received undefined". */
const required = (problem: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? "is required" : problem;
const key = z
  .string({ error: required("must be text") })
  .max(TEMPLATE_LIMITS.keyLength, { error: `must be at most ${TEMPLATE_LIMITS.keyLength} chars` })
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, {
    error: "must be lowercase letters and digits joined by single hyphens, e.g. payments-view",
  });
/** A template id is Finch's provider id (`bamboo_hr`): like a key, but `_` may join the parts too. */
const templateId = z
  .string({ error: required("must be text") })
  .max(TEMPLATE_LIMITS.keyLength, { error: `must be at most ${TEMPLATE_LIMITS.keyLength} chars` })
  .regex(/^[a-z0-9]+(?:[-_][a-z0-9]+)*$/, {
    error: "must be lowercase letters and digits joined by single hyphens or underscores, e.g. bamboo_hr",
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
  // Empty only for a permission no Finch product covers (a person confirms it): checked in crossCheck.
  products: z.array(product),
  check: oneOf(FINCH_CHECKS),
  fix: limited(TEMPLATE_LIMITS.checkboxDescription, "a Slack checkbox description"),
  // Where to switch it on, alone (no "who needs it" tag): the report's "Turn it on in …" line and a short
  // checkbox description read it instead of parsing `fix`.
  where: limited(TEMPLATE_LIMITS.checkboxDescription, "a Slack checkbox description"),
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

/** An https URL (of a Finch page the template was written from). */
const httpsUrl = text.refine((value) => URL.canParse(value) && new URL(value).protocol === "https:", {
  error: "must be an https URL",
});

/** A page the template was written from, with the "Last updated" date it showed (or "not shown"). */
const sourceSchema = z.strictObject({
  url: httpsUrl,
  updated: text.regex(/^(\d{4}-\d{2}-\d{2}|not shown)$/, {
    error: 'must be the page\'s "Last updated" date as YYYY-MM-DD, or "not shown"',
  }),
});

const snippetsSchema = z.strictObject({
  loginHolderNote: limited(500, "a login-holder note"),
  connectWhen: limited(300, "a connect-when note"),
});
const callPrepSchema = z.strictObject({
  label: limited(75, "a call-prep label"),
  detail: limited(200, "a call-prep detail"),
  holder: oneOf(["fleet", "customer"]).optional(),
});

const templateSchema = z.strictObject({
  id: templateId,
  displayName: limited(TEMPLATE_LIMITS.displayName, "a provider name"),
  finch: z.strictObject({
    providerId: text,
    products: z.array(product).min(1, { error: "must list at least one Finch product" }),
    authMethod: oneOf(FINCH_AUTH_METHODS),
    authNote: limited(1000, "the auth note").optional(),
  }),
  sources: z
    .array(sourceSchema, { error: required("must be a list of { url, updated }") })
    .min(1, { error: "must list at least one Finch page URL" }),
  overview: limited(2000, "the overview"),
  security: limited(1000, "the security line"),
  setupTime: limited(300, "the setup time"),
  beforeYouBegin: limited(1000, "before you begin"),
  steps: z.array(stepSchema).min(1, { error: "must have at least one step" }),
  troubleshooting: z.array(limited(300, "a tip")).max(10, { error: "must have at most 10 tips" }),
  help: limited(500, "the help line").optional(),
  loginHolder: z.strictObject({ fleet: snippetsSchema, customer: snippetsSchema }).optional(),
  callPrep: z.array(callPrepSchema).max(8, { error: "must have at most 8 items" }).optional(),
});

type RawTemplate = z.output<typeof templateSchema>;
type RawPermission = z.output<typeof permissionSchema>;
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

function placeholdersIn(value: string): string[] {
  return [...value.matchAll(PLACEHOLDER_PATTERN)].map((m) => m[1] ?? "");
}

type Report = (path: Path, problem: string) => void;
/** Texts by how placeholders may appear in them. */
interface TextFields {
  mrkdwn: Array<[Path, string]>;
  snippets: Array<[Path, string]>;
  plain: Array<[Path, string]>;
}
/** What the step walk shares: where to report, the keys seen, which check proves which permission. */
interface StepWalk {
  at: Report;
  claim: (itemKey: string, path: Path) => void;
  fields: TextFields;
  checkOwners: Map<string, string>;
}

/** The rules zod cannot express: unique keys, known placeholders, consistent products, Slack's size. */
function crossCheck(t: RawTemplate, file: string): string[] {
  const problems: string[] = [];
  const at: Report = (path, problem) => problems.push(`${describePath(t, path)}: ${problem}`);
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
  const walk: StepWalk = { at, claim, fields: topLevelTexts(t), checkOwners: new Map() };
  checkSteps(t, walk);
  checkPlaceholders(t, walk.fields, at);
  checkBlockCount(t, at);
  return problems;
}

/** The template's texts outside its steps. */
function topLevelTexts(t: RawTemplate): TextFields {
  const optional = (path: Path, value: string | undefined): Array<[Path, string]> =>
    value === undefined ? [] : [[path, value]];
  return {
    mrkdwn: [
      [["overview"], t.overview],
      [["security"], t.security],
      [["setupTime"], t.setupTime],
      [["beforeYouBegin"], t.beforeYouBegin],
      ...optional(["finch", "authNote"], t.finch.authNote),
      ...t.troubleshooting.map((tip, i): [Path, string] => [["troubleshooting", i], tip]),
      ...optional(["help"], t.help),
      ...(t.callPrep ?? []).map((item, i): [Path, string] => [["callPrep", i, "detail"], item.detail]),
    ],
    snippets: t.loginHolder
      ? (["fleet", "customer"] as const).flatMap((holder) =>
          LOGIN_HOLDER_SNIPPETS.map((name): [Path, string] => [
            ["loginHolder", holder, name],
            t.loginHolder?.[holder][name] ?? "",
          ]),
        )
      : [],
    plain: [
      [["displayName"], t.displayName],
      ...(t.callPrep ?? []).map((item, i): [Path, string] => [["callPrep", i, "label"], item.label]),
    ],
  };
}

/** Each step: its key and texts, one Connect button at most, and the rules of a step with permissions. */
function checkSteps(t: RawTemplate, walk: StepWalk): void {
  const { at, claim, fields } = walk;
  let connectSteps = 0;
  t.steps.forEach((step, s) => {
    claim(step.key, ["steps", s, "key"]);
    fields.mrkdwn.push([["steps", s, "instructions"], step.instructions]);
    fields.plain.push([["steps", s, "title"], step.title]);
    if (step.label !== undefined) fields.plain.push([["steps", s, "label"], step.label]);
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
      checkPermission(t, perm, path, walk);
    });
  });
}

/** One permission: its key and texts, products within the template's, a check that reads one of them. */
function checkPermission(t: RawTemplate, perm: RawPermission, path: Path, walk: StepWalk): void {
  const { at } = walk;
  walk.claim(perm.key, [...path, "key"]);
  walk.fields.plain.push(
    [[...path, "label"], perm.label],
    [[...path, "fix"], perm.fix],
    [[...path, "where"], perm.where],
    [[...path, "group"], perm.group],
  );
  if (perm.products.length === 0 && perm.check !== "none") {
    at([...path, "products"], "must list at least one Finch product (or use check: none)");
  }
  perm.products.forEach((prod, i) => {
    if (!t.finch.products.includes(prod)) {
      at([...path, "products", i], `"${prod}" is not in finch.products; add it there or remove it here`);
    }
  });
  if (perm.check === "none") return;
  if (!perm.products.includes(CHECK_PRODUCT[perm.check])) {
    at(
      [...path, "check"],
      `"${perm.check}" reads the Finch product "${CHECK_PRODUCT[perm.check]}", which products does not list`,
    );
  }
  // One read proves at most one permission: two permissions sharing a check would both tick on it.
  const other = walk.checkOwners.get(perm.check);
  if (other !== undefined) {
    at(
      [...path, "check"],
      `"${perm.check}" already proves permission "${other}"; one check proves at most one permission (use none)`,
    );
  } else walk.checkOwners.set(perm.check, perm.key);
}

/** Known placeholders in mrkdwn (snippets too where defined), only placeholders in snippets, none in plain text. */
function checkPlaceholders(t: RawTemplate, fields: TextFields, at: Report): void {
  const listed = PLACEHOLDERS.map((n) => `{${n}}`).join(", ");
  const known = new Set<string>([...PLACEHOLDERS, ...(t.loginHolder ? LOGIN_HOLDER_SNIPPETS : [])]);
  const placeholdersOnly = new Set<string>(PLACEHOLDERS);
  for (const [path, value] of fields.mrkdwn) {
    for (const name of placeholdersIn(value)) {
      if (!known.has(name)) at(path, `unknown placeholder {${name}}; known: ${listed}`);
    }
  }
  for (const [path, value] of fields.snippets) {
    for (const name of placeholdersIn(value)) {
      if (!placeholdersOnly.has(name))
        at(path, `unknown placeholder {${name}} (a snippet may use only ${listed})`);
    }
  }
  for (const [path, value] of fields.plain) {
    if (placeholdersIn(value).length > 0) {
      at(path, "placeholders are not allowed here: its length must be known to fit Slack's limits");
    }
  }
}

/** The checklist must fit one Slack message. */
function checkBlockCount(t: RawTemplate, at: Report): void {
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
    finch: {
      providerId: t.finch.providerId,
      products: [...t.finch.products],
      authMethod: t.finch.authMethod,
      authNote: t.finch.authNote ?? null,
    },
    sources: t.sources.map((source) => ({ ...source })),
    overview: t.overview,
    security: t.security,
    setupTime: t.setupTime,
    beforeYouBegin: t.beforeYouBegin,
    steps: t.steps.map(toStep),
    troubleshooting: [...t.troubleshooting],
    help: t.help ?? null,
    loginHolder: t.loginHolder ?? null,
    callPrep: (t.callPrep ?? []).map((item) => ({ ...item, holder: item.holder ?? null })),
    source: file,
  };
}
