/**
 * The read-only checks that prove a provider permission, one tiny read per check (Finch's rate limits are
 * per application). Each read keeps only what the verdict needs — a status, a count, at most three ids
 * for the next read — and drops the data itself: no names, amounts or ids leave this module.
 */
import type { FinchCheck } from "../checklist/template-format.ts";
import { classifyFinchError, type FinchClient, type FinchFailure } from "./client.ts";
import type { PermissionResultKind } from "./report.ts";

/** The verdict of one check. */
export interface CheckResult {
  result: PermissionResultKind;
  detail?: string;
}

/** Why the checks stopped early: the whole connection needs attention, not one permission. */
export type CheckAbort = "reauth" | "setup_required";

/** Results per check, or an abort. */
export interface CheckRun {
  results: Map<FinchCheck, CheckResult>;
  abort?: CheckAbort;
  /** Failures seen (status, Finch code), for the log. */
  failures: Array<{ check: FinchCheck; failure: FinchFailure }>;
}

/** How many people a sample reads (Finch: 1–3 ids are enough to prove access). */
const SAMPLE_SIZE = 3;
/** Window of the payments check. */
const PAYMENT_WINDOW_DAYS = 90;

class Abort extends Error {
  constructor(readonly reason: CheckAbort) {
    super(reason);
  }
}

function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** Item code of a batch answer (`responses[].code`). */
function itemVerdict(codes: readonly number[]): PermissionResultKind {
  if (codes.some((c) => c === 403)) return "missing";
  if (codes.some((c) => c === 202)) return "syncing";
  if (codes.length > 0 && codes.every((c) => c >= 200 && c < 300)) return "granted";
  return "error";
}

/**
 * Runs the checks a template needs, in dependency order (the directory gives ids to individual and
 * employment, payments give the newest payment to pay statements). `labels` names a check's permission
 * in "blocked" explanations.
 */
export async function runChecks(
  client: FinchClient,
  wanted: ReadonlySet<FinchCheck>,
  options: { now: Date; labelOf: (check: FinchCheck) => string },
): Promise<CheckRun> {
  const results = new Map<FinchCheck, CheckResult>();
  const failures: CheckRun["failures"] = [];
  let sampleIds: string[] = [];
  let newestPaymentId: string | null = null;

  /** Runs one read; a failure becomes the check's result, or aborts everything. */
  const attempt = async (check: FinchCheck, read: () => Promise<CheckResult>): Promise<CheckResult> => {
    try {
      return await read();
    } catch (err) {
      if (err instanceof Abort) throw err;
      const failure = classifyFinchError(err);
      failures.push({ check, failure });
      switch (failure.kind) {
        case "reauth":
        case "setup_required":
          throw new Abort(failure.kind);
        case "missing_permission":
          return { result: "missing" };
        case "not_in_scope":
          return { result: "not_in_scope" };
        case "transient":
          return { result: "retry" };
        default:
          return {
            result: "error",
            detail: `Finch answered ${failure.status ?? "nothing"}${failure.name ? ` ${failure.name}` : ""}`,
          };
      }
    }
  };
  const dependency = (on: FinchCheck): CheckResult | null => {
    const base = results.get(on);
    if (!base || base.result === "granted") return null;
    if (base.result === "syncing") return { result: "syncing" };
    return { result: "blocked", detail: `needs “${options.labelOf(on)}” first` };
  };
  const needs = (check: FinchCheck) => wanted.has(check);
  const needsDirectory = needs("directory") || needs("individual") || needs("employment_income");
  const needsPayments = needs("payment") || needs("pay_statement");

  try {
    if (needs("company")) {
      results.set(
        "company",
        await attempt("company", async () => {
          const { response } = await client.hris.company.retrieve().withResponse();
          return { result: response.status === 202 ? "syncing" : "granted" };
        }),
      );
    }
    if (needsDirectory) {
      results.set(
        "directory",
        await attempt("directory", async () => {
          const { data, response } = await client.hris.directory.list({ limit: 5 }).withResponse();
          if (response.status === 202) return { result: "syncing" };
          sampleIds = data
            .getPaginatedItems()
            .map((person) => person.id)
            .slice(0, SAMPLE_SIZE);
          return { result: "granted" };
        }),
      );
    }
    if (needs("individual")) {
      results.set(
        "individual",
        dependency("directory") ??
          (sampleIds.length === 0
            ? { result: "no_sample", detail: "no employees in the directory yet" }
            : await attempt("individual", async () => {
                const { data, response } = await client.hris.individuals
                  .retrieveMany({ requests: sampleIds.map((id) => ({ individual_id: id })) })
                  .withResponse();
                if (response.status === 202) return { result: "syncing" };
                return { result: itemVerdict(data.getPaginatedItems().map((item) => item.code)) };
              })),
      );
    }
    if (needs("employment_income")) {
      results.set(
        "employment_income",
        dependency("directory") ??
          (sampleIds.length === 0
            ? { result: "no_sample", detail: "no employees in the directory yet" }
            : await attempt("employment_income", async () => {
                const { data, response } = await client.hris.employments
                  .retrieveMany({ requests: sampleIds.map((id) => ({ individual_id: id })) })
                  .withResponse();
                if (response.status === 202) return { result: "syncing" };
                const items = data.getPaginatedItems();
                const verdict = itemVerdict(items.map((item) => item.code));
                if (verdict !== "granted") return { result: verdict };
                // Income is what "Manage employees" adds: readable employment without it is not enough.
                const withIncome = items.some(
                  (item) =>
                    "income" in item.body && item.body.income !== null && item.body.income !== undefined,
                );
                return withIncome
                  ? { result: "granted" }
                  : { result: "missing", detail: "no income visible" };
              })),
      );
    }
    if (needsPayments) {
      results.set(
        "payment",
        await attempt("payment", async () => {
          const end = options.now;
          const start = new Date(end.getTime() - PAYMENT_WINDOW_DAYS * 86_400_000);
          const { data, response } = await client.hris.payments
            .list({ start_date: isoDay(start), end_date: isoDay(end) })
            .withResponse();
          // On 202 the body is Finch's "syncing" object, not a list: look at the status first.
          if (response.status === 202) return { result: "syncing" };
          const payments = data.getPaginatedItems();
          if (Array.isArray(payments)) {
            const newest = payments
              .filter((p) => typeof p.id === "string")
              .sort((a, b) => String(b.pay_date ?? "").localeCompare(String(a.pay_date ?? "")))[0];
            newestPaymentId = newest?.id ?? null;
          }
          return { result: "granted" };
        }),
      );
    }
    if (needs("pay_statement")) {
      const paymentId = newestPaymentId;
      results.set(
        "pay_statement",
        dependency("payment") ??
          (paymentId === null
            ? { result: "no_sample", detail: `no payroll in the last ${PAYMENT_WINDOW_DAYS} days` }
            : await attempt("pay_statement", async () => {
                const { data, response } = await client.hris.payStatements
                  .retrieveMany({ requests: [{ payment_id: paymentId, limit: 1 }] })
                  .withResponse();
                const codes = data.getPaginatedItems().map((item) => item.code);
                if (response.status === 202 && !codes.some((c) => c === 403)) return { result: "syncing" };
                return { result: itemVerdict(codes) };
              })),
      );
    }
    if (needs("benefits")) {
      results.set(
        "benefits",
        await attempt("benefits", async () => {
          const { response } = await client.hris.benefits.list().withResponse();
          return { result: response.status === 202 ? "syncing" : "granted" };
        }),
      );
    }
    if (needs("none")) results.set("none", { result: "unverifiable" });
  } catch (err) {
    if (err instanceof Abort) return { results, abort: err.reason, failures };
    throw err;
  }
  // Checks asked for only as a dependency are not reported on their own.
  if (!needs("directory")) results.delete("directory");
  if (!needs("payment")) results.delete("payment");
  return { results, failures };
}
