/**
 * What a verification found, as the Finch messages render it: declared here, beside the builders, and
 * re-exported by src/finch/report.ts, which fills it. Plain data, free of employee data by design.
 */
import type { DoneItem, OpenItem } from "../checklist/progress.ts";
import type { FinchCheck } from "../checklist/template-format.ts";

/** The result of one permission's read-only check. */
export type PermissionResultKind =
  /** The read succeeded: the permission is there. */
  | "granted"
  /** Finch answered 403 insufficient_account_permissions (or the data it proves was absent). */
  | "missing"
  /** The product is not part of the connection (not requested, or unticked in Finch Connect). */
  | "not_in_scope"
  /** Finch answered 202: the data is still syncing. */
  | "syncing"
  /** The permission cannot be proven read-only (`check: none`): a person confirms it. */
  | "unverifiable"
  /** Finch does not offer the check's product for this provider (GET /providers): a person confirms it. */
  | "unsupported"
  /** The check could run but there was nothing to sample (no employees, no recent payroll). */
  | "no_sample"
  /** The check needs another check's data, which is not available. */
  | "blocked"
  /** Finch could not be reached (429/5xx/timeout after retries): checked again later. */
  | "retry"
  /** Finch answered something unexpected. */
  | "error";

/** One permission of the template and what its check found. */
export interface PermissionOutcome {
  key: string;
  label: string;
  group: string;
  /** Where to grant it in the provider's UI. */
  fix: string;
  /** Where to switch it on, alone (the template's `where`). */
  where: string;
  check: FinchCheck;
  result: PermissionResultKind;
  /** A short reason for blocked / no_sample / error (never data). */
  detail?: string;
}

/** The verdict of a whole verification. */
export type VerificationOutcome =
  /** Connected and every checkable permission granted. */
  | "verified"
  /** At least one permission is missing. */
  | "missing"
  /** Finch is still syncing (connection pending/processing, or a 202). */
  | "syncing"
  /** Finch could not be reached: re-checked automatically. */
  | "retry"
  /** The customer must reconnect (reauth, disconnected, revoked token). */
  | "reauth"
  /** The provider account is not set up for the integration user yet (third-party admin). */
  | "setup_required"
  /** Something unexpected; the rep is told. */
  | "error";

/** Everything a verification found, ready to render and store. */
export interface VerificationReport {
  onboardingId: string;
  companyName: string;
  providerName: string;
  outcome: VerificationOutcome;
  /** Null when Finch could not be asked at all. */
  connection: {
    /** Finch's connection_status.status (tolerating values Finch adds later), or `disconnected`. */
    status: string;
    providerId: string;
    /** Provider accounts (companies) behind the connection: names only. */
    entities: Array<{ name: string | null; status: string | null }>;
    /** Finch's `connection_status.message`, as given (free text; Finch documents no values). */
    message?: string | null;
    /** Introspection's per-authentication-method status (`authentication_methods[]`). */
    methods?: Array<{ type: string; status: string | null; message: string | null }>;
  } | null;
  /** The template's Finch auth method (`assisted`: Finch sets the connection up itself, which takes days). */
  authMethod?: string;
  permissions: PermissionOutcome[];
  /** For `setup_required`: the guide's steps that set up the integration user. */
  setupSteps: Array<{ number: number; title: string }>;
  checkedAt: Date;
  /**
   * The checklist as it stands when the report is posted (`ChecklistProgress.openItems` / `doneItems`):
   * the report names what is still open and counts boxes a person ticked as confirmed. Absent: unknown.
   */
  checklist?: { open: OpenItem[]; done: DoneItem[] };
}
