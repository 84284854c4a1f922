/**
 * HR-provider templates: each provider's setup guide held as data in `templates/<id>.yml`, so a new
 * provider (Gusto, Rippling …) is a YAML file, not code. This module is the format: its vocabulary,
 * limits, types and errors. The schema (template-schema.ts) validates files, the registry
 * (template-registry.ts) loads them, and items.ts flattens a template into the checklist items people
 * tick. The format is documented in `templates/README.md`.
 */
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

/**
 * How the customer authenticates in Finch Connect: Finch's `connect.sessions.new`
 * `integration.auth_method` values. `assisted` = a third-party admin Finch sets up on its side (days).
 */
export const FINCH_AUTH_METHODS = ["credential", "assisted", "oauth", "api_token"] as const;
/** One Finch auth method. */
export type FinchAuthMethod = (typeof FINCH_AUTH_METHODS)[number];

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

/**
 * Texts that depend on who reads the integration user's mailbox (and so holds its login: temporary password,
 * MFA device), written `{name}` in a template's mrkdwn like placeholders; only a template with `loginHolder`.
 */
export const LOGIN_HOLDER_SNIPPETS = ["loginHolderNote", "connectWhen"] as const;
/** One login-holder snippet. */
export type LoginHolderSnippet = (typeof LOGIN_HOLDER_SNIPPETS)[number];
/** Who holds the integration user's login: Fleet (its own mailbox) or the customer (theirs). */
export type LoginHolder = "fleet" | "customer";

/** One thing the customer has ready for the onboarding call (the day-before reminder's list). */
export interface CallPrepItem {
  /** Plain text. */
  label: string;
  /** mrkdwn; may use placeholders. */
  detail: string;
  /** Shown only when this party holds the integration user's login; `null`: always. */
  holder?: LoginHolder | null;
}

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
  /** Where to switch it on in the provider's UI, alone ("Company > Permissions > Benefits"). */
  where: string;
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

/** A page a template was written from: its https URL and the "Last updated" date it showed (or "not shown"). */
export interface TemplateSource {
  url: string;
  updated: string;
}

/** A validated HR-provider template. */
export interface ProviderTemplate {
  id: string;
  displayName: string;
  finch: {
    providerId: string;
    products: readonly FinchProduct[];
    authMethod: FinchAuthMethod;
    /** What the auth method means for the customer (mrkdwn), shown with "before you begin"; or `null`. */
    authNote: string | null;
  };
  /** The pages the template was written from (at least one), each with its "Last updated" date. */
  sources: readonly TemplateSource[];
  overview: string;
  security: string;
  setupTime: string;
  beforeYouBegin: string;
  steps: readonly TemplateStep[];
  troubleshooting: readonly string[];
  help: string | null;
  /** Per login holder, the texts of {@link LOGIN_HOLDER_SNIPPETS}; `null` when the template uses none. */
  loginHolder: Readonly<Record<LoginHolder, Readonly<Record<LoginHolderSnippet, string>>>> | null;
  /** What to have ready for the call (the day-before reminder), in order. */
  callPrep: readonly CallPrepItem[];
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
  /** A permission's place in the provider's UI (its template's `where`); `null` for a step item. */
  where: string | null;
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
        `Add src/checklist/templates/${providerId}.yml to support it.`,
    );
    this.name = "UnknownProviderError";
  }
}

/** A `{placeholder}` in a template text. */
export const PLACEHOLDER_PATTERN = /\{([A-Za-z][A-Za-z0-9_]*)\}/g;
