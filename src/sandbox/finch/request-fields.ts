/** Checks of the JSON fields Finch's API receives, answered with Finch's `invalid_request_error`. */

import { invalidRequest } from "./records.ts";
import type { FinchProduct, StandInAuthMethod } from "./types.ts";

const KNOWN_PRODUCTS: readonly FinchProduct[] = [
  "benefits",
  "company",
  "deduction",
  "directory",
  "documents",
  "employment",
  "individual",
  "payment",
  "pay_statement",
  "plans",
  "plans_dependents",
  "plans_enrollments",
  "recordkeeping",
  "ssn",
];

const AUTH_METHODS: readonly StandInAuthMethod[] = ["assisted", "credential", "oauth", "api_token"];

export function parseIntegration(value: unknown): { providerId: string; authMethod: StandInAuthMethod } {
  if (value === undefined || value === null) return { providerId: "justworks", authMethod: "credential" };
  if (typeof value !== "object") throw invalidRequest("integration must be an object");
  const integration = value as Record<string, unknown>;
  const providerId = requireString(integration, "provider", "integration.provider");
  const authMethod = integration.auth_method ?? "credential";
  if (!AUTH_METHODS.includes(authMethod as StandInAuthMethod)) {
    throw invalidRequest(`integration.auth_method must be one of ${AUTH_METHODS.join(", ")}`);
  }
  return { providerId, authMethod: authMethod as StandInAuthMethod };
}

export function requireProducts(value: unknown, nonEmpty: boolean): string[] {
  if (!Array.isArray(value) || (nonEmpty && value.length === 0)) {
    throw invalidRequest("products must be a non-empty array");
  }
  for (const product of value) {
    if (!KNOWN_PRODUCTS.includes(product as FinchProduct)) {
      throw invalidRequest(`Unknown product: ${String(product)}`);
    }
  }
  return [...new Set(value as string[])];
}

export function requireString(body: Record<string, unknown>, field: string, label = field): string {
  const value = body[field];
  if (typeof value !== "string" || value.trim() === "") throw invalidRequest(`${label} is required`);
  return value;
}

export function optionalString(body: Record<string, unknown>, field: string): string | null {
  const value = body[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") throw invalidRequest(`${field} must be a string`);
  return value;
}

export function optionalPositiveNumber(body: Record<string, unknown>, field: string): number | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw invalidRequest(`${field} must be a positive number`);
  }
  return value;
}

export function optionalRedirectUri(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string" || !URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) {
    throw invalidRequest("redirect_uri must be an absolute http(s) URL");
  }
  return value;
}
