/**
 * What a verification found, as plain data: the Slack view renders it, the database stores it (as the
 * Verification outcome) and the checklist ticks follow it. Pure, and free of employee data by design:
 * checks keep only counts and outcomes, never names, ids or amounts.
 */
import type {
  PermissionOutcome,
  PermissionResultKind,
  VerificationOutcome,
  VerificationReport,
} from "../blocks/verification-input.ts";
import type { ProviderTemplate } from "../checklist/template-format.ts";

export type { PermissionOutcome, PermissionResultKind, VerificationOutcome, VerificationReport };

/** What triggered a verification. */
export type VerificationTrigger = "callback" | "command" | "button" | "webhook" | "poll";

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
