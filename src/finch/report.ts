/**
 * What a verification found, as plain data: the Slack view renders it, the database stores it (as the
 * Verification outcome) and the checklist ticks follow it. Pure, and free of employee data by design:
 * checks keep only counts and outcomes, never names, ids or amounts.
 */
import type { DoneItem, OpenItem } from "../checklist/progress.ts";
import type { FinchCheck, ProviderTemplate } from "../checklist/template-format.ts";

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

/** What triggered a verification. */
export type VerificationTrigger = "callback" | "command" | "button" | "webhook" | "poll";

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

/** The verdict from the connection status and the permission results. */
export function overallOutcome(
  status: string,
  permissions: readonly PermissionOutcome[],
): VerificationOutcome {
  if (status === "reauth" || status === "disconnected") return "reauth";
  if (status === "error_no_account_setup") return "setup_required";
  const has = (kind: PermissionResultKind) => permissions.some((p) => p.result === kind);
  if (has("missing") || has("not_in_scope")) return "missing";
  if (has("error")) return "error";
  if (has("retry")) return "retry";
  if (has("syncing") || has("blocked") || status === "pending" || status === "processing") return "syncing";
  if (status === "connected") return "verified";
  // Finch says permissions are missing, but no read-only check failed: still not verified.
  if (status === "error_permissions") return "missing";
  return "error";
}

/** A compact fingerprint of a report, to tell whether anything changed since the last one. */
export function reportSignature(report: Pick<VerificationReport, "outcome" | "connection" | "permissions">) {
  return [
    report.outcome,
    report.connection?.status ?? "-",
    ...report.permissions.map((p) => `${p.key}=${p.result}`),
  ].join("|");
}

/** The guide's steps that set up the integration user: Finch-verified customer steps before the permissions. */
export function setupStepsOf(
  template: Pick<ProviderTemplate, "steps">,
): Array<{ number: number; title: string }> {
  const firstPermissions = template.steps.findIndex((s) => s.permissions.length > 0);
  const end = firstPermissions < 0 ? template.steps.length : firstPermissions;
  return template.steps
    .slice(0, end)
    .map((step, index) => ({ step, number: index + 1 }))
    .filter(({ step }) => step.owner === "customer" && step.verifiedBy === "finch")
    .map(({ step, number }) => ({ number, title: step.title }));
}

/** The stored form of a report (the Verification row's `outcome`): outcomes and names of companies only. */
export function storedOutcome(report: VerificationReport, connectionId: string | null) {
  return {
    outcome: report.outcome,
    signature: reportSignature(report),
    connection: report.connection ? { ...report.connection, connectionId } : null,
    // `status` is what readers of the outcome (the reps' cockpit) count; "missing" covers both kinds.
    permissions: report.permissions.map((p) => ({
      key: p.key,
      check: p.check,
      status: p.result === "not_in_scope" ? "missing" : p.result,
      result: p.result,
      ...(p.detail ? { detail: p.detail } : {}),
    })),
  };
}
