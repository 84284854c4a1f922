/**
 * The verdict of a verification, from what the reads found: pure, no I/O. The gathering (introspect and
 * reads) and what follows (polling schedule, ticks, announcements) live in `verify.ts`.
 */
import { CHECK_PRODUCT, type FinchCheck, type ProviderTemplate } from "../checklist/template-format.ts";
import type { CheckRun } from "./checks.ts";
import {
  overallOutcome,
  type PermissionOutcome,
  setupStepsOf,
  type VerificationOutcome,
  type VerificationReport,
} from "./report.ts";

/** What Finch said about the connection itself (introspect, or a status a webhook already told). */
export interface ConnectionFacts {
  /** null when the connection could not be asked (no client, introspect failed for good). */
  status: string | null;
  entities: Array<{ name: string | null; status: string | null }>;
  message: string | null;
  methods: Array<{ type: string; status: string | null; message: string | null }>;
  providerId: string;
  products: string[];
}

/** Everything the verdict is made from. */
export interface Gathered {
  facts: ConnectionFacts;
  /** An outcome decided before any read: `error` (token unreadable, Finch refused), `retry` (transient). */
  forced: VerificationOutcome | null;
  /** The permission reads, or null when none were attempted. */
  run: CheckRun | null;
  /** Products Finch offers for the provider, or null when unknown (then every check counts as supported). */
  offered: ReadonlySet<string> | null;
}

/** A check whose product Finch does not offer for this provider proves nothing: a person confirms it. */
export function isUnsupported(check: FinchCheck, offered: ReadonlySet<string> | null): boolean {
  return check !== "none" && offered !== null && !offered.has(CHECK_PRODUCT[check]);
}

/** The connection status after the reads: an abort (whole connection needs attention) overrides it. */
function statusAfterReads(status: string | null, run: CheckRun | null): string | null {
  if (run?.abort === "reauth") return "reauth";
  if (run?.abort === "setup_required") return "error_no_account_setup";
  return status;
}

/** One outcome per permission of the template, or none when nothing was (or could be) read. */
function permissionOutcomes(template: ProviderTemplate, g: Gathered): PermissionOutcome[] {
  const readAll = g.run !== null && !g.run.abort;
  if (!readAll && g.forced !== "retry") return [];
  return template.steps
    .flatMap((s) => s.permissions)
    .map((p) => {
      const base = { key: p.key, label: p.label, group: p.group, fix: p.fix, where: p.where, check: p.check };
      if (p.check === "none") return { ...base, result: "unverifiable" as const };
      if (isUnsupported(p.check, g.offered)) return { ...base, result: "unsupported" as const };
      if (!readAll) return { ...base, result: "retry" as const };
      return {
        ...base,
        ...(g.run?.results.get(p.check) ?? { result: "error" as const, detail: "not checked" }),
      };
    });
}

/** The report and the connection's status from what was gathered. */
export function judge(input: {
  onboardingId: string;
  companyName: string;
  template: ProviderTemplate;
  gathered: Gathered;
  now: Date;
}): { report: VerificationReport; status: string | null } {
  const { template, gathered: g } = input;
  const status = statusAfterReads(g.facts.status, g.run);
  const outcomes = permissionOutcomes(template, g);
  const { entities, message, methods, providerId } = g.facts;
  const report: VerificationReport = {
    onboardingId: input.onboardingId,
    companyName: input.companyName,
    providerName: template.displayName,
    outcome: g.forced ?? overallOutcome(status ?? "unknown", outcomes),
    connection: status === null ? null : { status, providerId, entities, message, methods },
    authMethod: template.finch.authMethod,
    permissions: outcomes,
    setupSteps: setupStepsOf(template),
    checkedAt: input.now,
  };
  return { report, status };
}
