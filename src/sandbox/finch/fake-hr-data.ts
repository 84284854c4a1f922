/** The fake company behind every stand-in connection: its people, their employments and a benefit. */
import type { CompanyBenefit } from "@tryfinch/finch-api/resources/hris/benefits/benefits";
import type { Company } from "@tryfinch/finch-api/resources/hris/company";
import type { IndividualInDirectory } from "@tryfinch/finch-api/resources/hris/directory";
import type { EmploymentDataResponse } from "@tryfinch/finch-api/resources/hris/employments";
import type { Location } from "@tryfinch/finch-api/resources/hris/hris";
import type { IndividualResponse } from "@tryfinch/finch-api/resources/hris/individuals";
import { type ConnectionRecord, errorBody, invalidRequest } from "./records.ts";
import type { FinchErrorBody } from "./types.ts";

const OFFICE: Location = {
  line1: "100 Example Street",
  line2: "Floor 3",
  city: "New York",
  state: "NY",
  postal_code: "10001",
  country: "US",
};

export interface FakePerson {
  id: string;
  firstName: string;
  lastName: string;
  department: string;
  title: string;
  managerId: string | null;
  startDate: string;
  dob: string;
  income: { amount: number; unit: "yearly" | "hourly" };
  /** Hours per bi-weekly period, for hourly workers. */
  hours: number;
  flsa: "exempt" | "non_exempt";
  subtype: "full_time" | "part_time";
  phone: string;
}

export const PEOPLE: readonly FakePerson[] = [
  {
    id: "6f1c1a2e-3b4d-4c5e-8f60-7a8b9c0d1e01",
    firstName: "Ada",
    lastName: "Lovelace",
    department: "Engineering",
    title: "Chief Technology Officer",
    managerId: null,
    startDate: "2021-03-01",
    dob: "1985-12-10",
    income: { amount: 18_000_000, unit: "yearly" },
    hours: 80,
    flsa: "exempt",
    subtype: "full_time",
    phone: "+12125550101",
  },
  {
    id: "6f1c1a2e-3b4d-4c5e-8f60-7a8b9c0d1e02",
    firstName: "Grace",
    lastName: "Hopper",
    department: "Engineering",
    title: "Software Engineer",
    managerId: "6f1c1a2e-3b4d-4c5e-8f60-7a8b9c0d1e01",
    startDate: "2022-06-15",
    dob: "1990-12-09",
    income: { amount: 15_000_000, unit: "yearly" },
    hours: 80,
    flsa: "exempt",
    subtype: "full_time",
    phone: "+12125550102",
  },
  {
    id: "6f1c1a2e-3b4d-4c5e-8f60-7a8b9c0d1e03",
    firstName: "Katherine",
    lastName: "Johnson",
    department: "Operations",
    title: "Operations Analyst",
    managerId: "6f1c1a2e-3b4d-4c5e-8f60-7a8b9c0d1e01",
    startDate: "2023-01-09",
    dob: "1992-08-26",
    income: { amount: 4_500, unit: "hourly" },
    hours: 60,
    flsa: "non_exempt",
    subtype: "part_time",
    phone: "+12125550103",
  },
];

const BENEFIT_ID = "b3e1c2d4-5f6a-4b7c-8d9e-0f1a2b3c4d01";

function emailDomain(connection: ConnectionRecord): string {
  const slug = connection.companyName
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
  return `${slug || "company"}.example`;
}

export function fakeCompany(connection: ConnectionRecord): Company {
  return {
    id: connection.companyId,
    legal_name: connection.companyName,
    ein: "12-3456789",
    entity: { type: "corporation", subtype: "c_corporation" },
    primary_email: `hr@${emailDomain(connection)}`,
    primary_phone_number: "+12125550100",
    departments: [
      { name: "Engineering", parent: null },
      { name: "Operations", parent: null },
    ],
    locations: [OFFICE],
    accounts: [
      {
        account_name: "Operating account",
        account_number: "XXXXXX4321",
        account_type: "checking",
        institution_name: "Stand-in Bank",
        routing_number: "021000021",
      },
    ],
  };
}

function directoryEntry(person: FakePerson): IndividualInDirectory {
  return {
    id: person.id,
    first_name: person.firstName,
    middle_name: null,
    last_name: person.lastName,
    department: { name: person.department },
    manager: person.managerId === null ? null : { id: person.managerId },
    is_active: true,
  };
}

export function fakeDirectory(query: URLSearchParams): {
  individuals: IndividualInDirectory[];
  paging: { count: number; offset: number };
} {
  const offset = nonNegativeInt(query.get("offset"), "offset") ?? 0;
  const limit = nonNegativeInt(query.get("limit"), "limit") ?? PEOPLE.length;
  return {
    individuals: PEOPLE.slice(offset, offset + limit).map(directoryEntry),
    paging: { count: PEOPLE.length, offset },
  };
}

export function batchRequests(
  body: Record<string, unknown>,
  idField: string,
  max?: number,
): Record<string, unknown>[] {
  const requests = body.requests;
  if (!Array.isArray(requests)) throw invalidRequest("requests must be an array");
  if (max !== undefined && requests.length > max) {
    throw invalidRequest(`requests may hold at most ${max} items`);
  }
  return requests.map((item) => {
    if (
      typeof item !== "object" ||
      item === null ||
      typeof (item as Record<string, unknown>)[idField] !== "string"
    ) {
      throw invalidRequest(`each request needs a string ${idField}`);
    }
    return item as Record<string, unknown>;
  });
}

export function fakeIndividuals(
  connection: ConnectionRecord,
  body: Record<string, unknown>,
): IndividualResponse[] {
  return batchRequests(body, "individual_id").map((request) => {
    const id = String(request.individual_id);
    const person = PEOPLE.find((candidate) => candidate.id === id);
    if (person === undefined) {
      return { individual_id: id, code: 404, body: notFoundItem("individual_not_found", `Individual ${id}`) };
    }
    return {
      individual_id: id,
      code: 200,
      body: {
        id,
        first_name: person.firstName,
        middle_name: null,
        last_name: person.lastName,
        preferred_name: null,
        dob: person.dob,
        gender: "female",
        ethnicity: "decline_to_specify",
        marital_status: "unknown",
        emails: [{ data: `${person.firstName.toLowerCase()}@${emailDomain(connection)}`, type: "work" }],
        phone_numbers: [{ data: person.phone, type: "work" }],
        residence: { ...OFFICE, line1: "1 Residence Road", line2: null },
      },
    };
  });
}

export function fakeEmployments(body: Record<string, unknown>): EmploymentDataResponse[] {
  return batchRequests(body, "individual_id").map((request) => {
    const id = String(request.individual_id);
    const person = PEOPLE.find((candidate) => candidate.id === id);
    if (person === undefined) {
      return { individual_id: id, code: 404, body: notFoundItem("individual_not_found", `Individual ${id}`) };
    }
    const income = {
      amount: person.income.amount,
      currency: "usd",
      unit: person.income.unit,
      effective_date: person.startDate,
    };
    return {
      individual_id: id,
      code: 200,
      body: {
        id,
        first_name: person.firstName,
        middle_name: null,
        last_name: person.lastName,
        title: person.title,
        department: { name: person.department },
        manager: person.managerId === null ? null : { id: person.managerId },
        employment: { type: "employee", subtype: person.subtype },
        employment_status: "active",
        is_active: true,
        start_date: person.startDate,
        end_date: null,
        latest_rehire_date: null,
        class_code: null,
        flsa_status: person.flsa,
        highly_compensated_employee: false,
        key_employee: false,
        union_code: null,
        union_local: null,
        location: OFFICE,
        income,
        income_history: [income],
        custom_fields: [],
        source_id: `jw-${id.slice(-4)}`,
      },
    };
  });
}

export function notFoundItem(finchCode: string, what: string): FinchErrorBody {
  return errorBody(404, "not_found_error", `${what} could not be found`, finchCode);
}

export function fakeBenefit(): CompanyBenefit {
  return {
    benefit_id: BENEFIT_ID,
    type: "401k",
    description: "401(k) retirement plan",
    frequency: "every_paycheck",
    company_contribution: { type: "match", tiers: [{ match: 100, threshold: 400 }] },
  };
}

function nonNegativeInt(raw: string | null, field: string): number | undefined {
  if (raw === null) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw invalidRequest(`${field} must be a non-negative integer`);
  return value;
}
