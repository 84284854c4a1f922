/**
 * Runs the read-only checks that prove a provider permission, one tiny read per check (Finch's rate limits
 * are per application), in the order and with the dependencies of the check table (check-definitions.ts).
 */
import type { FinchCheck } from "../checklist/template-format.ts";
import { CHECKS, type CheckDefinition, type CheckResult, type ReadContext } from "./check-definitions.ts";
import { classifyFinchError, type FinchClient, type FinchFailure } from "./client.ts";

export type { CheckResult } from "./check-definitions.ts";

/** Why the checks stopped early: the whole connection needs attention, not one permission. */
export type CheckAbort = "reauth" | "setup_required";

/** Results per check, or an abort. */
export interface CheckRun {
  results: Map<FinchCheck, CheckResult>;
  abort?: CheckAbort;
  /** Failures seen (status, Finch code), for the log. */
  failures: Array<{ check: FinchCheck; failure: FinchFailure }>;
}

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

class Abort extends Error {
  constructor(readonly reason: CheckAbort) {
    super(reason);
  }
}

/** Options of a run. */
export interface RunOptions {
  now: Date;
  /** Names a check's permission in "blocked" explanations. */
  labelOf: (check: FinchCheck) => string;
  /** The connection's first sync is not done: a timeout means "still syncing", not trouble. */
  firstSync?: boolean;
  /** Overrides {@link READ_BUDGETS} (tests). */
  budget?: ReadBudget;
}

/** A read's failure as the check's result; throws {@link Abort} when the whole connection needs attention. */
function failureResult(failure: FinchFailure, firstSync: boolean): CheckResult {
  switch (failure.kind) {
    case "reauth":
    case "setup_required":
      throw new Abort(failure.kind);
    case "missing_permission":
      return { result: "missing" };
    case "not_in_scope":
      return { result: "not_in_scope" };
    case "transient":
      return { result: firstSync ? "syncing" : "retry" };
    default:
      return {
        result: "error",
        detail: `Finch answered ${failure.status ?? "nothing"}${failure.name ? ` ${failure.name}` : ""}`,
      };
  }
}

/** The checks to run: the wanted ones and what they depend on. */
function checksToRun(wanted: ReadonlySet<FinchCheck>): Set<FinchCheck> {
  const run = new Set(wanted);
  for (const def of [...CHECKS].reverse()) if (run.has(def.check) && def.dependsOn) run.add(def.dependsOn);
  return run;
}

/** A check's result without reading, when what it depends on was not granted (or is still syncing). */
function blockedBy(def: CheckDefinition, results: Map<FinchCheck, CheckResult>, options: RunOptions) {
  if (!def.dependsOn) return null;
  const base = results.get(def.dependsOn);
  if (!base || base.result === "granted") return null;
  if (base.result === "syncing") return { result: "syncing" } satisfies CheckResult;
  return {
    result: "blocked",
    detail: `needs “${options.labelOf(def.dependsOn)}” first`,
  } satisfies CheckResult;
}

/** Runs the checks a template needs, in the table's order (dependencies first). */
export async function runChecks(
  client: FinchClient,
  wanted: ReadonlySet<FinchCheck>,
  options: RunOptions,
): Promise<CheckRun> {
  const budget = options.budget ?? READ_BUDGETS[options.firstSync ? "firstSync" : "synced"];
  const context: ReadContext = {
    client,
    readOptions: { timeout: budget.timeoutMs, maxRetries: budget.maxRetries },
    now: options.now,
    samples: { individualIds: [], newestPaymentId: null },
  };
  const results = new Map<FinchCheck, CheckResult>();
  const failures: CheckRun["failures"] = [];
  const toRun = checksToRun(wanted);
  try {
    for (const def of CHECKS) {
      if (!toRun.has(def.check)) continue;
      const early = blockedBy(def, results, options) ?? def.withoutSample?.(context.samples) ?? null;
      results.set(def.check, early ?? (await attempt(def, context, failures, options)));
    }
  } catch (err) {
    if (err instanceof Abort) return { results, abort: err.reason, failures };
    throw err;
  }
  // Checks asked for only as a dependency are not reported on their own.
  for (const check of toRun) if (!wanted.has(check)) results.delete(check);
  return { results, failures };
}

/** Runs one read; a failure becomes the check's result, or aborts everything. */
async function attempt(
  def: CheckDefinition,
  context: ReadContext,
  failures: CheckRun["failures"],
  options: RunOptions,
): Promise<CheckResult> {
  try {
    return await def.read(context);
  } catch (err) {
    const failure = classifyFinchError(err);
    failures.push({ check: def.check, failure });
    return failureResult(failure, options.firstSync ?? false);
  }
}
