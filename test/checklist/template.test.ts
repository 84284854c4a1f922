import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import {
  checklistItems,
  fillPlaceholders,
  maxChecklistBlocks,
  placeholderValuesFor,
} from "../../src/checklist/items.ts";
import { ProviderCatalogue } from "../../src/checklist/provider-catalogue.ts";
import {
  CHECK_PRODUCT,
  FINCH_AUTH_METHODS,
  FINCH_CHECKS,
  PLACEHOLDERS,
  TemplateError,
  UnknownProviderError,
} from "../../src/checklist/template-format.ts";
import {
  defaultTemplatesDir,
  GENERIC_TEMPLATE_FILE,
  getTemplate,
  isGenericTemplate,
  loadTemplates,
  templateIds,
} from "../../src/checklist/template-registry.ts";
import { parseTemplate } from "../../src/checklist/template-schema.ts";

const justworksYaml = readFileSync(join(defaultTemplatesDir(), "justworks.yml"), "utf8");

interface RawPermission {
  key: string;
  group: string;
  label: string;
  check: string;
}
interface RawStep {
  key: string;
  title: string;
  instructions: string;
  owner?: string;
  label?: string;
  verifedBy?: string;
  permissions: RawPermission[];
}
interface RawTemplate {
  id: string;
  displayName: string;
  finch: { providerId: string; products: string[]; authMethod?: string; authNote?: string };
  sources?: Array<{ url: string; updated: string }>;
  steps: RawStep[];
}

/** The Justworks template as plain data, to break one field at a time. */
function justworksData(): RawTemplate {
  return parse(justworksYaml) as RawTemplate;
}

/** The problems parseTemplate reports for `data` (as a justworks.yml file). */
function problemsOf(data: unknown, file = "justworks.yml"): string[] {
  try {
    parseTemplate(stringify(data), file);
  } catch (error) {
    expect(error).toBeInstanceOf(TemplateError);
    const templateError = error as TemplateError;
    expect(templateError.message).toContain(file);
    return [...templateError.problems];
  }
  throw new Error("expected the template to be rejected");
}

describe("loadTemplates", () => {
  it("loads and validates every template file, each named after its id", () => {
    const templates = loadTemplates();
    expect(templates.length).toBeGreaterThan(0);
    for (const t of templates) {
      expect(t.source).toBe(`${t.id}.yml`);
      expect(t.steps.length).toBeGreaterThan(0);
      expect(maxChecklistBlocks(t)).toBeLessThanOrEqual(50);
    }
    expect(templateIds()).toEqual(templates.map((t) => t.id));
    expect(templateIds()).toContain("justworks");
  });

  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), "templates-"));
    dirs.push(dir);
    return dir;
  };

  it("reads another provider from a dropped-in YAML file, no code", () => {
    const dir = tempDir();
    const gusto = justworksData();
    gusto.id = "gusto";
    gusto.displayName = "Gusto";
    gusto.finch.providerId = "gusto";
    writeFileSync(join(dir, "justworks.yml"), justworksYaml);
    writeFileSync(join(dir, "gusto.yml"), stringify(gusto));
    writeFileSync(join(dir, "notes.txt"), "ignored");
    expect(loadTemplates(dir).map((t) => t.id)).toEqual(["gusto", "justworks"]);
  });

  it("rejects two templates for the same Finch provider, and an empty folder", () => {
    const dir = tempDir();
    const copy = justworksData();
    copy.id = "justworks-copy";
    writeFileSync(join(dir, "justworks.yml"), justworksYaml);
    writeFileSync(join(dir, "justworks-copy.yml"), stringify(copy));
    expect(() => loadTemplates(dir)).toThrow(/finch\.providerId: "justworks" is also used by/);
    expect(() => loadTemplates(tempDir())).toThrow(/No HR-provider templates/);
    expect(() => loadTemplates(join(tempDir(), "missing"))).toThrow(/not found/);
  });

  it("finds the templates folder beside the module", () => {
    expect(defaultTemplatesDir()).toMatch(/src[/\\]checklist[/\\]templates[/\\]?$/);
  });
});

describe("every template names its Finch sources and auth method", () => {
  const finchPage = /^https:\/\/(support|developer)\.tryfinch\.com\//;
  for (const t of loadTemplates()) {
    it(`${t.id}: ≥ 1 https source on Finch's help center or developer docs, each with its last-updated date`, () => {
      expect(t.sources.length).toBeGreaterThan(0);
      expect(t.sources.some(({ url }) => finchPage.test(url))).toBe(true);
      for (const { url, updated } of t.sources) {
        expect(new URL(url).protocol).toBe("https:");
        expect(updated).toMatch(/^(\d{4}-\d{2}-\d{2}|not shown)$/);
        // Finch's newer help centre (support.tryfinch.com/articles/…) shows a date: it is recorded.
        if (url.startsWith("https://support.tryfinch.com/articles/") && !/\/articles\/\d+$/.test(url)) {
          expect(updated, url).not.toBe("not shown");
        }
      }
      expect(FINCH_AUTH_METHODS).toContain(t.finch.authMethod);
      expect(t.id).toBe(t.finch.providerId);
    });
  }

  it("rejects a template without sources, with a non-https source or an unknown auth method", () => {
    const data = justworksData();
    delete data.sources;
    data.finch.authMethod = "password";
    const problems = problemsOf(data);
    expect(problems).toContain("sources: is required");
    expect(problems).toContainEqual(
      expect.stringMatching(
        /^finch\.authMethod: must be one of credential \| assisted \| oauth \| api_token/,
      ),
    );
    const insecure = justworksData();
    insecure.sources = [{ url: "http://support.tryfinch.com/x", updated: "2026-01-01" }];
    expect(problemsOf(insecure)).toEqual(["sources[0].url: must be an https URL"]);
    const undated = justworksData();
    undated.sources = [{ url: "https://support.tryfinch.com/x", updated: "last week" }];
    expect(problemsOf(undated)).toEqual([
      'sources[0].updated: must be the page\'s "Last updated" date as YYYY-MM-DD, or "not shown"',
    ]);
    const empty = justworksData();
    empty.sources = [];
    expect(problemsOf(empty)).toEqual(["sources: must list at least one Finch page URL"]);
  });

  it("checks the auth note's placeholders like any mrkdwn text", () => {
    const data = justworksData();
    data.finch.authNote = "Ask {adminName}.";
    expect(problemsOf(data)[0]).toMatch(/^finch\.authNote: unknown placeholder \{adminName\}/);
  });

  it("accepts Finch's provider id, with underscores, as the template id", () => {
    const data = justworksData();
    data.id = "bamboo_hr";
    data.finch.providerId = "bamboo_hr";
    expect(parseTemplate(stringify(data), "bamboo_hr.yml").id).toBe("bamboo_hr");
    data.id = "Bamboo__HR";
    expect(problemsOf(data, "Bamboo__HR.yml")[0]).toMatch(/^id: must be lowercase letters/);
  });
});

describe("every permission says where to switch it on, in its own field", () => {
  const tag = /^(?:Required by Finch|Fleet's guide|Finch)\b.*·/;
  for (const t of loadTemplates()) {
    it(`${t.id}: each permission's \`where\` is the place alone, and its \`fix\` ends with it`, () => {
      for (const perm of t.steps.flatMap((s) => s.permissions)) {
        expect(perm.where.trim(), perm.key).not.toBe("");
        // A place, not "who needs it": the report writes "Turn it on in <provider>: <where>".
        expect(perm.where, perm.key).not.toMatch(tag);
        expect(perm.fix.endsWith(perm.where), perm.key).toBe(true);
      }
    });
  }

  it("rejects a permission without `where`", () => {
    const raw = parse(readFileSync(join(defaultTemplatesDir(), "justworks.yml"), "utf8"));
    const perm = raw.steps.flatMap((s: { permissions?: unknown[] }) => s.permissions ?? [])[0] as Record<
      string,
      unknown
    >;
    delete perm.where;
    expect(() => parseTemplate(stringify(raw), "justworks.yml")).toThrow(/where/);
  });
});

describe("getTemplate and the provider catalogue", () => {
  it("returns a template by provider id", () => {
    expect(getTemplate("justworks").displayName).toBe("Justworks");
    expect(new ProviderCatalogue().template("justworks")).toBe(getTemplate("justworks"));
  });

  it("gives a Finch provider without a template the generic guide, named by Finch's listing", () => {
    const catalogue = new ProviderCatalogue();
    catalogue.rememberFinchProviders([
      { id: "sequoia_one", name: "Sequoia One", authMethods: ["oauth", "assisted"] },
    ]);
    const t = catalogue.template("sequoia_one");
    expect(isGenericTemplate(t)).toBe(true);
    expect(t.id).toBe("sequoia_one");
    expect(t.finch.providerId).toBe("sequoia_one");
    expect(t.finch.authMethod).toBe("oauth");
    expect(t.displayName).toBe("Sequoia One");
    expect(t.steps.map((s) => s.title)).toEqual(["Connect Sequoia One in Finch Connect"]);
    expect(t.steps[0]?.instructions).toContain("Finch Connect will show you what to do for *Sequoia One*");
    // Nothing to tick by hand: the one step is proven by Finch.
    expect(checklistItems(t).map((i) => [i.key, i.verifiedBy])).toEqual([["connect", "finch"]]);
    expect(isGenericTemplate(getTemplate("justworks"))).toBe(false);
  });

  it("names an unlisted provider by its id, and fits Slack's limits with a long or odd name", () => {
    const catalogue = new ProviderCatalogue();
    catalogue.rememberFinchProviders([
      { id: "odd_hr", name: `Odd & <Co> *HR* ${"x".repeat(60)}`, authMethods: ["credential"] },
    ]);
    expect(catalogue.template("not_listed").displayName).toBe("not_listed");
    const odd = catalogue.template("odd_hr");
    expect(odd.displayName.length).toBeLessThanOrEqual(40);
    expect(odd.overview).toContain("Odd &amp; &lt;Co&gt; HR");
  });

  it("renames a cached generic guide when a new listing arrives", () => {
    const catalogue = new ProviderCatalogue();
    expect(catalogue.template("sequoia_one").displayName).toBe("sequoia_one");
    catalogue.rememberFinchProviders([{ id: "sequoia_one", name: "Sequoia One", authMethods: ["oauth"] }]);
    expect(catalogue.template("sequoia_one").displayName).toBe("Sequoia One");
  });

  it("refuses text that cannot be a provider id, naming the known ones and the file to add", () => {
    const catalogue = new ProviderCatalogue();
    expect(() => catalogue.template("Gusto!")).toThrow(UnknownProviderError);
    expect(() => catalogue.template("Gusto!")).toThrow(/"Gusto!".*known: .*justworks/s);
  });

  it("getTemplate is the shipped templates only: it never builds a generic guide", () => {
    expect(() => getTemplate("sequoia_one")).toThrow(UnknownProviderError);
  });

  it("does not load the generic guide as a provider", () => {
    expect(templateIds()).not.toContain("generic");
    expect(readFileSync(join(defaultTemplatesDir(), GENERIC_TEMPLATE_FILE), "utf8")).toContain(
      "{providerName}",
    );
  });
});

describe("the Justworks template", () => {
  const t = getTemplate("justworks");
  const items = checklistItems(t);

  it("follows the guide: provider, products, setup time, six steps", () => {
    expect(t.finch.providerId).toBe("justworks");
    expect([...t.finch.products].sort()).toEqual(
      ["company", "directory", "employment", "individual", "pay_statement", "payment"].sort(),
    );
    expect(t.setupTime).toBe("10–15 minutes with Justworks administrator access");
    expect(t.beforeYouBegin).toMatch(/Administrator/);
    expect(t.security).toMatch(/SOC 2 Type II/);
    expect(t.steps.map((s) => s.key)).toEqual([
      "add-user",
      "grant-admin",
      "permissions",
      "verify-permissions",
      "note-details",
      "connect",
    ]);
    expect(t.steps.map((s) => s.owner)).toEqual([
      "customer",
      "customer",
      "customer",
      "customer",
      "customer",
      "fleet",
    ]);
    expect(t.troubleshooting.join(" ")).toMatch(/username is usually \*not\* your email/);
  });

  it("fills step 1's form from Finch's 'Justworks: Add an administrator' page, with Fleet's integration user", () => {
    const step1 = t.steps[0]!.instructions;
    expect(step1).toMatch(/Manage > Employees/);
    for (const field of [
      "Member Type: `3rd Party Admin/Accountant`",
      "Admin Access: `Yes`",
      "First Name: `{integrationUserFirstName}`",
      "Last Name: `{integrationUserLastName}`",
      "Start Date: today's date",
      "Work Email: `{integrationUserEmail}`",
      "Send Invitation To: `Work Email`",
      "Send: `Now`",
      "Show in Directory and Org Chart: `No`",
    ]) {
      expect(step1).toContain(field);
    }
    // The field list comes before "Invite", and no value is one the customer cannot have yet.
    expect(step1.indexOf("Show in Directory")).toBeLessThan(step1.indexOf("Select *Invite*"));
    expect(step1).not.toMatch(/shown in Finch Connect/);
  });

  it("is proven by Finch where a connection can prove it", () => {
    const verifiedBy = Object.fromEntries(t.steps.map((s) => [s.key, s.verifiedBy]));
    expect(verifiedBy).toEqual({
      "add-user": "finch",
      "grant-admin": "finch",
      permissions: null,
      "verify-permissions": "finch",
      "note-details": "finch",
      connect: "finch",
    });
    expect(t.steps.filter((s) => s.finchConnect).map((s) => s.key)).toEqual(["connect"]);
  });

  it("lists step 5's details, names who holds the login, and never asks for the password in Slack", () => {
    const step5 = t.steps[4]!.instructions;
    expect(step5).toMatch(/\*Username\* — this is \*not\* always the email/);
    expect(step5).toContain("{integrationUserEmail}");
    expect(step5).toContain("{loginHolderNote}");
    expect(step5).toMatch(/Temporary password/);
    expect(step5).toMatch(/Company name/);
    expect(step5).toMatch(/Never post the password in Slack/);
    expect(t.loginHolder?.fleet.loginHolderNote).toMatch(
      /Fleet sets the\s+integration user's password and holds its MFA device/,
    );
    expect(t.loginHolder?.fleet.loginHolderNote).toMatch(/only need to be on the call as a Justworks admin/);
    expect(t.loginHolder?.customer.loginHolderNote).toMatch(/mailbox at your company/);
    // Whether to press Connect before the call or wait.
    expect(t.loginHolder?.fleet.connectWhen).toMatch(/Wait for the call/);
    expect(t.loginHolder?.customer.connectWhen).toMatch(/press \*Connect Justworks\* now/);
    expect(t.steps[5]!.instructions).toContain("{connectWhen}");
    expect(t.sources.some((s) => s.url.includes("help.justworks.com"))).toBe(true);
  });

  it("has 6 steps and 18 checkable items: 5 steps and the 13 permissions of step 3", () => {
    expect(items).toHaveLength(18);
    expect(items.filter((i) => i.kind === "step").map((i) => i.key)).toEqual([
      "add-user",
      "grant-admin",
      "verify-permissions",
      "note-details",
      "connect",
    ]);
    expect(items.filter((i) => i.kind === "permission").every((i) => i.stepKey === "permissions")).toBe(true);
  });

  it("lists the union of Fleet's nine and Finch's six permissions, each saying who needs it and where", () => {
    const perms = items.filter((i) => i.kind === "permission");
    const fleetGuide = [
      "View basic employee info",
      "View all employee info",
      "Manage employees",
      "View company info",
      "View reports",
      "View payments",
      "View financial reports",
      "View company benefits",
      "Manage company benefits",
    ];
    const finch = [
      "Edit employee permissions",
      "Edit company settings",
      "View invoices & reporting",
      "Manage employees",
      "Upload & view all documents",
      "Manage company benefits",
    ];
    expect(perms.map((p) => p.label).sort()).toEqual([...new Set([...fleetGuide, ...finch])].sort());
    for (const p of perms) {
      const who = [
        fleetGuide.includes(p.label) ? "Fleet's guide" : null,
        finch.includes(p.label) ? "Finch" : null,
      ]
        .filter(Boolean)
        .join(" + ");
      expect(p.fix).toBe(`${who} · Company > Permissions > ${p.group}`);
      expect(p.verifiedBy).toBe(p.check === "none" ? "person" : "finch");
    }
    const checks = perms.map((p) => p.check).filter((c) => c !== "none");
    expect(new Set(checks).size).toBe(checks.length);
    // What Finch can read for Justworks proves a permission; benefits (not offered) and writes a person confirms.
    expect(
      Object.fromEntries(perms.filter((p) => p.check !== "none").map((p) => [p.label, p.check])),
    ).toEqual({
      "View basic employee info": "directory",
      "View all employee info": "individual",
      "View company info": "company",
      "View payments": "payment",
      "View financial reports": "pay_statement",
    });
    for (const p of t.steps[2]!.permissions) {
      if (p.check !== "none") expect(p.products).toContain(CHECK_PRODUCT[p.check]);
    }
  });

  it("keeps every checkbox text within Slack's limits", () => {
    for (const item of items) {
      expect(item.label.length).toBeLessThanOrEqual(75);
      expect((item.fix ?? "").length).toBeLessThanOrEqual(75);
      expect(`tick:${item.key}`.length).toBeLessThanOrEqual(255);
    }
  });
});

describe("parseTemplate reports precise problems", () => {
  it("accepts the Justworks template unchanged", () => {
    expect(parseTemplate(justworksYaml, "justworks.yml").id).toBe("justworks");
  });

  it("reports YAML syntax errors with the file", () => {
    expect(() => parseTemplate("id: justworks\nsteps: [\n", "justworks.yml")).toThrow(
      /justworks\.yml:\n {2}- YAML: /,
    );
    expect(() => parseTemplate("id: a\nid: b\n", "a.yml")).toThrow(/YAML: .*[Mm]ap keys must be unique/);
  });

  it("names the field, the item and the allowed values of a bad enum", () => {
    const data = justworksData();
    data.steps[2]!.permissions[5]!.check = "benefits_write";
    expect(problemsOf(data)).toEqual([
      'steps[2].permissions[5].check (permission "settings-view-reports"): ' +
        `must be one of ${FINCH_CHECKS.join(" | ")}`,
    ]);
  });

  it("reports a missing field and a misspelt one", () => {
    const data = justworksData();
    delete data.steps[0]!.owner;
    data.steps[1]!.verifedBy = "finch";
    const problems = problemsOf(data);
    expect(problems).toContain('steps[0].owner (step "add-user"): is required');
    expect(problems).toContain('steps[1] (step "grant-admin"): Unrecognized key: "verifedBy"');
  });

  it("reports a checkbox label too long for Slack", () => {
    const data = justworksData();
    data.steps[2]!.permissions[0]!.label = "x".repeat(76);
    expect(problemsOf(data)).toEqual([
      'steps[2].permissions[0].label (permission "hr-view-basic"): ' +
        "is 76 chars; a Slack checkbox holds at most 75",
    ]);
  });

  it("reports a key that is not a slug", () => {
    const data = justworksData();
    data.steps[0]!.key = "Add User";
    expect(problemsOf(data)[0]).toMatch(/^steps\[0\]\.key \(step "Add User"\): must be lowercase letters/);
  });

  it("reports duplicate keys across steps and permissions", () => {
    const data = justworksData();
    data.steps[2]!.permissions[1]!.key = "add-user";
    expect(problemsOf(data)).toEqual([
      'steps[2].permissions[1].key (permission "add-user"): duplicate key "add-user" (also steps[0].key); ' +
        "keys must be unique in a template",
    ]);
  });

  it("reports unknown placeholders, and placeholders where the length must be known", () => {
    const data = justworksData();
    data.steps[0]!.instructions += "\nAsk {adminName}.";
    data.steps[1]!.title = "Make {integrationUserName} an admin";
    const problems = problemsOf(data);
    expect(problems).toContainEqual(
      expect.stringMatching(
        /^steps\[0\]\.instructions \(step "add-user"\): unknown placeholder \{adminName\}; known: /,
      ),
    );
    expect(problems).toContainEqual(
      expect.stringMatching(/^steps\[1\]\.title \(step "grant-admin"\): placeholders are not allowed here/),
    );
  });

  it("reports products and checks that do not match", () => {
    const data = justworksData();
    data.finch.products = data.finch.products.filter((p) => p !== "pay_statement");
    data.steps[2]!.permissions[2]!.check = "pay_statement";
    const problems = problemsOf(data);
    expect(problems).toContainEqual(
      'steps[2].permissions[2].check (permission "hr-manage"): ' +
        '"pay_statement" reads the Finch product "pay_statement", which products does not list',
    );
    expect(problems).toContainEqual(
      'steps[2].permissions[10].products[1] (permission "payments-invoices-reporting"): ' +
        '"pay_statement" is not in finch.products; add it there or remove it here',
    );
  });

  it("refuses a check that would prove two permissions at once", () => {
    const data = justworksData();
    data.steps[2]!.permissions[3]!.check = "directory";
    expect(problemsOf(data)).toEqual([
      'steps[2].permissions[3].check (permission "hr-documents"): "directory" already proves permission ' +
        '"hr-view-basic"; one check proves at most one permission (use none)',
    ]);
  });

  it("reports a group split in two, and a checkbox field on a step with permissions", () => {
    const data = justworksData();
    data.steps[2]!.permissions[12]!.group = "Settings";
    data.steps[2]!.label = "Permissions";
    const problems = problemsOf(data);
    expect(problems).toContainEqual(
      expect.stringMatching(/^steps\[2\]\.label .*not allowed on a step with permissions/),
    );
    expect(problems).toContainEqual(
      expect.stringMatching(
        /^steps\[2\]\.permissions\[12\]\.group .*"Settings" appears again after another group/,
      ),
    );
  });

  it("reports an id that does not match the file name", () => {
    expect(problemsOf(justworksData(), "gusto.yml")).toEqual([
      'id: is "justworks" but the file is gusto.yml: name the file justworks.yml',
    ]);
  });

  it("reports a template whose checklist would not fit one Slack message", () => {
    const data = justworksData();
    for (let i = 0; i < 10; i++) {
      data.steps.push({ ...data.steps[4]!, key: `extra-${i}` });
    }
    expect(problemsOf(data)).toContainEqual(
      expect.stringMatching(/^steps: the checklist would need \d+ Slack blocks \(max 50\)/),
    );
  });
});

describe("placeholders", () => {
  it("knows the placeholders the templates use", () => {
    expect(PLACEHOLDERS).toContain("integrationUserEmail");
  });

  it("fills every placeholder and refuses to leave one unfilled", () => {
    const values = placeholderValuesFor({
      companyName: "Acme",
      integrationUserName: "  Fleet Integration ",
      integrationUserEmail: "fleet+acme@fleet.io",
    });
    expect(values).toMatchObject({
      integrationUserFirstName: "Fleet",
      integrationUserLastName: "Integration",
    });
    expect(
      fillPlaceholders("Add {integrationUserName} <{integrationUserEmail}> for {companyName}", values),
    ).toBe("Add Fleet Integration <fleet+acme@fleet.io> for Acme");
    expect(() => fillPlaceholders("Hello {nobody}", values)).toThrow("No value for placeholder {nobody}");
    expect(() => fillPlaceholders("{toString}", values)).toThrow(/toString/);
    expect(fillPlaceholders("no placeholders { here }", {})).toBe("no placeholders { here }");
  });

  it("does not invent a last name for a one-word name", () => {
    const values = placeholderValuesFor({
      companyName: "A",
      integrationUserName: "Fleet",
      integrationUserEmail: "f@x.io",
    });
    expect(values.integrationUserFirstName).toBe("Fleet");
    expect(values.integrationUserLastName).toBe("Fleet");
  });
});
