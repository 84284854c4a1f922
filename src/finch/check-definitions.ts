/**
 * The table of Finch checks: per check, the Finch product it reads, the check it depends on, what it
 * needs from earlier reads (a sample), and the read itself. A new Finch check is one entry here (plus its
 * name in the template format). Entries run in table order, so a check comes after the one it depends on.
 * Each read keeps only what the verdict needs — a status, a count, at most three ids for the next read —
 * and drops the data itself: no names, amounts or ids leave this module.
 */
import type { FinchCheck, FinchProduct } from "../checklist/template-format.ts";
import type {
  Company,
  EmploymentDataResponse,
  FinchClient,
  IndividualInDirectory,
  IndividualResponse,
  Payment,
  PayStatementResponse,
} from "./client.ts";
import type { PermissionResultKind } from "./report.ts";

/** The verdict of one check. */
export interface CheckResult {
  result: PermissionResultKind;
  detail?: string;
}

/** What earlier reads found that later reads use (ids only, never data). */
export interface Samples {
  /** Up to {@link SAMPLE_SIZE} people from the directory. */
  individualIds: string[];
  /** The newest payment in the window. */
  newestPaymentId: string | null;
}

/** What a read gets: the client, per-request options (timeout, retries), the time and the samples. */
export interface ReadContext {
  client: FinchClient;
  readOptions: { timeout: number; maxRetries: number };
  now: Date;
  samples: Samples;
}

/** One Finch check. */
export interface CheckDefinition {
  check: FinchCheck;
  /** The Finch product the read needs (null: nothing is read). */
  product: FinchProduct | null;
  /** A check whose grant this one needs first (for its ids); run whenever this one is wanted. */
  dependsOn?: FinchCheck;
  /** A verdict without reading, when the earlier reads found nothing to read (e.g. no employees). */
  withoutSample?: (samples: Samples) => CheckResult | null;
  read: (c: ReadContext) => Promise<CheckResult>;
}

/** How many people a sample reads (Finch: 1–3 ids are enough to prove access). */
const SAMPLE_SIZE = 3;
/** Window of the payments check. */
export const PAYMENT_WINDOW_DAYS = 90;

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

const noEmployees = (s: Samples): CheckResult | null =>
  s.individualIds.length === 0 ? { result: "no_sample", detail: "no employees in the directory yet" } : null;

const byIndividual = (s: Samples) => ({ requests: s.individualIds.map((id) => ({ individual_id: id })) });

async function readCompany({ client, readOptions }: ReadContext): Promise<CheckResult> {
  const read = await answer<Company>(client.hris.company.retrieve({}, readOptions));
  return { result: read.syncing ? "syncing" : "granted" };
}

async function readDirectory({ client, readOptions, samples }: ReadContext): Promise<CheckResult> {
  const read = await answer<{ individuals?: IndividualInDirectory[] }>(
    client.hris.directory.list({ limit: 5 }, readOptions),
  );
  if (read.syncing) return { result: "syncing" };
  samples.individualIds = (read.body.individuals ?? []).map((person) => person.id).slice(0, SAMPLE_SIZE);
  return { result: "granted" };
}

async function readIndividual({ client, readOptions, samples }: ReadContext): Promise<CheckResult> {
  const read = await answer<{ responses?: IndividualResponse[] }>(
    client.hris.individuals.retrieveMany(byIndividual(samples), readOptions),
  );
  if (read.syncing) return { result: "syncing" };
  return { result: itemVerdict((read.body.responses ?? []).map((item) => item.code)) };
}

async function readEmploymentIncome({ client, readOptions, samples }: ReadContext): Promise<CheckResult> {
  const read = await answer<{ responses?: EmploymentDataResponse[] }>(
    client.hris.employments.retrieveMany(byIndividual(samples), readOptions),
  );
  if (read.syncing) return { result: "syncing" };
  const items = read.body.responses ?? [];
  const verdict = itemVerdict(items.map((item) => item.code));
  if (verdict !== "granted") return { result: verdict };
  // A field the provider leaves empty is not a missing permission (a 403 is): without
  // any income to see, a person confirms it.
  const withIncome = items.some(
    (item) => "income" in item.body && item.body.income !== null && item.body.income !== undefined,
  );
  return withIncome
    ? { result: "granted" }
    : { result: "no_sample", detail: "the provider shows no income yet" };
}

async function readPayments({ client, readOptions, now, samples }: ReadContext): Promise<CheckResult> {
  const start = new Date(now.getTime() - PAYMENT_WINDOW_DAYS * 86_400_000);
  const read = await answer<Payment[]>(
    client.hris.payments.list({ start_date: isoDay(start), end_date: isoDay(now) }, readOptions),
  );
  if (read.syncing) return { result: "syncing" };
  const payments = read.body;
  if (Array.isArray(payments)) {
    const newest = payments
      .filter((p) => typeof p.id === "string")
      .sort((a, b) => String(b.pay_date ?? "").localeCompare(String(a.pay_date ?? "")))[0];
    samples.newestPaymentId = newest?.id ?? null;
  }
  return { result: "granted" };
}

async function readPayStatement({ client, readOptions, samples }: ReadContext): Promise<CheckResult> {
  const paymentId = samples.newestPaymentId ?? "";
  const read = await answer<{ responses?: PayStatementResponse[] }>(
    client.hris.payStatements.retrieveMany({ requests: [{ payment_id: paymentId, limit: 1 }] }, readOptions),
  );
  // Per payment, Finch says `{ code: 202, finch_code: 'data_sync_in_progress' }` (SDK type
  // PayStatementDataSyncInProgress); the whole answer may be an empty 202 as well.
  const codes = (read.body?.responses ?? []).map((item) => item.code);
  if (read.syncing && !codes.some((c) => c === 403)) return { result: "syncing" };
  return { result: itemVerdict(codes) };
}

async function readBenefits({ client, readOptions }: ReadContext): Promise<CheckResult> {
  const read = await answer<unknown>(client.hris.benefits.list({}, readOptions));
  return { result: read.syncing ? "syncing" : "granted" };
}

/**
 * Every check, in run order: the directory gives ids to individual and employment, payments give the
 * newest payment to pay statements.
 */
export const CHECKS: readonly CheckDefinition[] = [
  { check: "company", product: "company", read: readCompany },
  { check: "directory", product: "directory", read: readDirectory },
  {
    check: "individual",
    product: "individual",
    dependsOn: "directory",
    withoutSample: noEmployees,
    read: readIndividual,
  },
  {
    check: "employment_income",
    product: "employment",
    dependsOn: "directory",
    withoutSample: noEmployees,
    read: readEmploymentIncome,
  },
  { check: "payment", product: "payment", read: readPayments },
  {
    check: "pay_statement",
    product: "pay_statement",
    dependsOn: "payment",
    withoutSample: (s) =>
      s.newestPaymentId === null
        ? { result: "no_sample", detail: `no payroll in the last ${PAYMENT_WINDOW_DAYS} days` }
        : null,
    read: readPayStatement,
  },
  { check: "benefits", product: "benefits", read: readBenefits },
  { check: "none", product: null, read: async () => ({ result: "unverifiable" }) },
];
