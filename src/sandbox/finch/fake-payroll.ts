/** The fake payroll of the stand-in's company: two bi-weekly payments and their pay statements. */
import type { Money } from "@tryfinch/finch-api/resources/hris/hris";
import type {
  PayStatement,
  PayStatementDataSyncInProgress,
  PayStatementResponse,
} from "@tryfinch/finch-api/resources/hris/pay-statements";
import type { Payment } from "@tryfinch/finch-api/resources/hris/payments";
import { batchRequests, type FakePerson, notFoundItem, PEOPLE } from "./fake-hr-data.ts";
import { invalidRequest } from "./records.ts";

const MAX_PAY_STATEMENT_REQUESTS = 10; // SDK docs: "Maximum 10 payment_ids per request"

const PAY_STATEMENT_SYNCING: PayStatementDataSyncInProgress = {
  code: 202,
  finch_code: "data_sync_in_progress",
  message: "The pay statements for this payment are being fetched. Please check back later.",
  name: "accepted",
};

const PAYMENT_IDS = ["9a0e5b1c-2d3f-4a5b-8c6d-7e8f9a0b1c01", "9a0e5b1c-2d3f-4a5b-8c6d-7e8f9a0b1c02"] as const;

interface FakePaymentDates {
  id: string;
  payDate: string;
  debitDate: string;
  periodStart: string;
  periodEnd: string;
}

/** Two bi-weekly payrolls: paid 7 and 21 days before `now`, so both fall in the last 90 days. */
function paymentDates(now: Date): FakePaymentDates[] {
  return PAYMENT_IDS.map((id, index) => {
    const payDate = addDays(now, -(7 + 14 * index));
    return {
      id,
      payDate: isoDate(payDate),
      debitDate: isoDate(addDays(payDate, -1)),
      periodEnd: isoDate(addDays(payDate, -2)),
      periodStart: isoDate(addDays(payDate, -15)),
    };
  });
}

function statementFor(person: FakePerson): PayStatement {
  const gross =
    person.income.unit === "yearly"
      ? Math.round(person.income.amount / 26)
      : person.income.amount * person.hours;
  const federal = Math.round(gross * 0.12);
  const state = Math.round(gross * 0.05);
  const fica = Math.round(gross * 0.0765);
  const retirement = Math.round(gross * 0.05);
  return {
    individual_id: person.id,
    type: "regular_payroll",
    payment_method: "direct_deposit",
    total_hours: person.hours,
    gross_pay: usd(gross),
    net_pay: usd(gross - federal - state - fica - retirement),
    earnings: [
      {
        name: person.income.unit === "yearly" ? "Salary" : "Regular hours",
        type: person.income.unit === "yearly" ? "salary" : "wage",
        amount: gross,
        currency: "usd",
        hours: person.hours,
      },
    ],
    taxes: [
      { name: "Federal income tax", type: "federal", employer: false, amount: federal, currency: "usd" },
      { name: "NY state income tax", type: "state", employer: false, amount: state, currency: "usd" },
      { name: "FICA", type: "fica", employer: false, amount: fica, currency: "usd" },
      { name: "FICA (employer)", type: "fica", employer: true, amount: fica, currency: "usd" },
    ],
    employee_deductions: [
      { name: "401(k)", type: "401k", pre_tax: true, amount: retirement, currency: "usd" },
    ],
    employer_contributions: [
      { name: "401(k) match", type: "401k", amount: Math.round(gross * 0.04), currency: "usd" },
    ],
  };
}

function sumCents(values: (Money | null)[]): number {
  return values.reduce((total, money) => total + (money?.amount ?? 0), 0);
}

function fakePayment(dates: FakePaymentDates): Payment {
  const statements = PEOPLE.map(statementFor);
  const taxes = statements.flatMap((statement) => statement.taxes ?? []);
  const employeeTaxes = taxes.filter((tax) => !tax.employer).reduce((t, tax) => t + (tax.amount ?? 0), 0);
  const employerTaxes = taxes.filter((tax) => tax.employer).reduce((t, tax) => t + (tax.amount ?? 0), 0);
  const contributions = statements
    .flatMap((statement) => statement.employer_contributions ?? [])
    .reduce((t, contribution) => t + (contribution.amount ?? 0), 0);
  const gross = sumCents(statements.map((statement) => statement.gross_pay));
  return {
    id: dates.id,
    pay_date: dates.payDate,
    debit_date: dates.debitDate,
    pay_period: { start_date: dates.periodStart, end_date: dates.periodEnd },
    pay_frequencies: ["bi_weekly"],
    pay_group_ids: ["c7d8e9f0-1a2b-4c3d-8e4f-5a6b7c8d9e01"],
    individual_ids: PEOPLE.map((person) => person.id),
    gross_pay: usd(gross),
    net_pay: usd(sumCents(statements.map((statement) => statement.net_pay))),
    employee_taxes: usd(employeeTaxes),
    employer_taxes: usd(employerTaxes),
    company_debit: usd(gross + employerTaxes + contributions),
  };
}

export function fakePaymentList(query: URLSearchParams, now: Date): Payment[] {
  const start = query.get("start_date");
  const end = query.get("end_date");
  if (start === null || end === null || !isIsoDate(start) || !isIsoDate(end)) {
    throw invalidRequest("start_date and end_date are required, as YYYY-MM-DD");
  }
  return paymentDates(now)
    .filter((dates) => dates.payDate >= start && dates.payDate <= end)
    .map(fakePayment);
}

export function fakePayStatements(
  body: Record<string, unknown>,
  now: Date,
  syncing: boolean,
): PayStatementResponse[] {
  const known = new Set(paymentDates(now).map((dates) => dates.id));
  return batchRequests(body, "payment_id", MAX_PAY_STATEMENT_REQUESTS).map((request) => {
    const paymentId = String(request.payment_id);
    if (syncing) return { payment_id: paymentId, code: 202, body: PAY_STATEMENT_SYNCING };
    if (!known.has(paymentId)) {
      return {
        payment_id: paymentId,
        code: 404,
        body: notFoundItem("payment_not_found", `Payment ${paymentId}`),
      };
    }
    const offset = typeof request.offset === "number" ? request.offset : 0;
    const limit = typeof request.limit === "number" ? request.limit : 100;
    const statements = PEOPLE.map(statementFor);
    return {
      payment_id: paymentId,
      code: 200,
      body: {
        paging: { count: statements.length, offset },
        pay_statements: statements.slice(offset, offset + limit),
      },
    };
  });
}

function usd(amount: number): Money {
  return { amount, currency: "usd" };
}

function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + days * 86_400_000);
}

function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function isIsoDate(text: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(text) && !Number.isNaN(Date.parse(text));
}
