/**
 * The read-only checks that prove a provider permission, one tiny read per check (Finch's rate limits are
 * per application). Each read keeps only what the verdict needs — a status, a count, at most three ids
 * for the next read — and drops the data itself: no names, amounts or ids leave this module.
 */
import type { FinchCheck } from "../checklist/template-format.ts";
import {
  type Company,
  classifyFinchError,
  type EmploymentDataResponse,
  type FinchClient,
  type FinchFailure,
  type IndividualInDirectory,
  type IndividualResponse,
  type Payment,
  type PayStatementResponse,
} from "./client.ts";
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

/** How long one read may take, and how often it is retried within one verification. */
export interface ReadBudget {
  timeoutMs: number;
  maxRetries: number;
}

/**
 * Read budgets from Finch's documented latency. A synced connection's reads "complete in under 200
 * milliseconds" (Data Syncs), so 30 s and one retry is generous. Before the first sync is done, "Finch will
 * request data live from the provider. The latency on live requests may range from seconds to minutes"
 * (API reference): five minutes per read, and no retry — a timed-out live read counts as "still syncing"
 * and the poller asks again later, rather than one check turning into several multi-minute waits.
 */
export const READ_BUDGETS: Readonly<Record<"synced" | "firstSync", ReadBudget>> = {
  synced: { timeoutMs: 30_000, maxRetries: 1 },
  firstSync: { timeoutMs: 300_000, maxRetries: 0 },
};

/** A raw answer: 202 means "still syncing", whatever its body (Finch sends an empty one). */
type Answer<T> = { syncing: true; body: T | null } | { syncing: false; body: T };

/**
 * Reads the status before the body: on 202 Finch sends an empty body, which the SDK's pages cannot
 * be built from, so the JSON is parsed here only when there is some.
 */
async function answer<T>(request: { asResponse(): Promise<Response> }): Promise<Answer<T>> {
  const response = await request.asResponse();
  const text = await response.text();
  const body = text.trim() === "" ? null : (JSON.parse(text) as T);
  if (response.status === 202) return { syncing: true, body };
  if (body === null) throw new Error(`Finch answered ${response.status} with an empty body`);
  return { syncing: false, body };
}

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
  options: {
    now: Date;
    labelOf: (check: FinchCheck) => string;
    /** The connection's first sync is not done: a timeout means "still syncing", not trouble. */
    firstSync?: boolean;
    /** Overrides {@link READ_BUDGETS} (tests). */
    budget?: ReadBudget;
  },
): Promise<CheckRun> {
  const budget = options.budget ?? READ_BUDGETS[options.firstSync ? "firstSync" : "synced"];
  const readOptions = { timeout: budget.timeoutMs, maxRetries: budget.maxRetries };
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
          return { result: options.firstSync ? "syncing" : "retry" };
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
          const read = await answer<Company>(client.hris.company.retrieve({}, readOptions));
          return { result: read.syncing ? "syncing" : "granted" };
        }),
      );
    }
    if (needsDirectory) {
      results.set(
        "directory",
        await attempt("directory", async () => {
          const read = await answer<{ individuals?: IndividualInDirectory[] }>(
            client.hris.directory.list({ limit: 5 }, readOptions),
          );
          if (read.syncing) return { result: "syncing" };
          sampleIds = (read.body.individuals ?? []).map((person) => person.id).slice(0, SAMPLE_SIZE);
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
                const read = await answer<{ responses?: IndividualResponse[] }>(
                  client.hris.individuals.retrieveMany(
                    { requests: sampleIds.map((id) => ({ individual_id: id })) },
                    readOptions,
                  ),
                );
                if (read.syncing) return { result: "syncing" };
                return { result: itemVerdict((read.body.responses ?? []).map((item) => item.code)) };
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
                const read = await answer<{ responses?: EmploymentDataResponse[] }>(
                  client.hris.employments.retrieveMany(
                    { requests: sampleIds.map((id) => ({ individual_id: id })) },
                    readOptions,
                  ),
                );
                if (read.syncing) return { result: "syncing" };
                const items = read.body.responses ?? [];
                const verdict = itemVerdict(items.map((item) => item.code));
                if (verdict !== "granted") return { result: verdict };
                // A field the provider leaves empty is not a missing permission (a 403 is): without
                // any income to see, a person confirms it.
                const withIncome = items.some(
                  (item) =>
                    "income" in item.body && item.body.income !== null && item.body.income !== undefined,
                );
                return withIncome
                  ? { result: "granted" }
                  : { result: "no_sample", detail: "the provider shows no income yet" };
              })),
      );
    }
    if (needsPayments) {
      results.set(
        "payment",
        await attempt("payment", async () => {
          const end = options.now;
          const start = new Date(end.getTime() - PAYMENT_WINDOW_DAYS * 86_400_000);
          const read = await answer<Payment[]>(
            client.hris.payments.list({ start_date: isoDay(start), end_date: isoDay(end) }, readOptions),
          );
          if (read.syncing) return { result: "syncing" };
          const payments = read.body;
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
                const read = await answer<{ responses?: PayStatementResponse[] }>(
                  client.hris.payStatements.retrieveMany(
                    { requests: [{ payment_id: paymentId, limit: 1 }] },
                    readOptions,
                  ),
                );
                // Per payment, Finch says `{ code: 202, finch_code: 'data_sync_in_progress' }` (SDK type
                // PayStatementDataSyncInProgress); the whole answer may be an empty 202 as well.
                const codes = (read.body?.responses ?? []).map((item) => item.code);
                if (read.syncing && !codes.some((c) => c === 403)) return { result: "syncing" };
                return { result: itemVerdict(codes) };
              })),
      );
    }
    if (needs("benefits")) {
      results.set(
        "benefits",
        await attempt("benefits", async () => {
          const read = await answer<unknown>(client.hris.benefits.list({}, readOptions));
          return { result: read.syncing ? "syncing" : "granted" };
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
