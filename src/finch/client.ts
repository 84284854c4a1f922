/**
 * The one place that imports the Finch SDK: client factories (application credentials, or one
 * connection's access token), error classification and webhook verification. Everything else in the app
 * talks to Finch through this module, so an SDK upgrade touches one file.
 */
import Finch, { APIConnectionError, APIError } from "@tryfinch/finch-api";
import type { Config } from "../config.ts";
import type { Logger } from "../logger.ts";
import { finchCountingFetch } from "../metrics/counting-fetch.ts";

export type { Introspection } from "@tryfinch/finch-api/resources/account";
export type { Company } from "@tryfinch/finch-api/resources/hris/company";
export type { IndividualInDirectory } from "@tryfinch/finch-api/resources/hris/directory";
export type { EmploymentDataResponse } from "@tryfinch/finch-api/resources/hris/employments";
export type { IndividualResponse } from "@tryfinch/finch-api/resources/hris/individuals";
export type { PayStatementResponse } from "@tryfinch/finch-api/resources/hris/pay-statements";
export type { Payment } from "@tryfinch/finch-api/resources/hris/payments";
export type { ConnectionStatusType } from "@tryfinch/finch-api/resources/shared";
export type { WebhookEvent } from "@tryfinch/finch-api/resources/webhooks";
/** A Finch API client (application-level or for one connection). */
export type FinchClient = Finch;

/** Retries the SDK does itself for 408/409/429/5xx and timeouts (exponential backoff, honours Retry-After). */
export const FINCH_MAX_RETRIES = 2;
/** Per-request timeout: verification reads tiny samples, so a slow answer means trouble, not a big page. */
export const FINCH_TIMEOUT_MS = 15_000;
const DEFAULT_BASE_URL = "https://api.tryfinch.com";

/** The SDK logs through this adapter (only warnings and errors; never request bodies or headers). */
function sdkLogger(logger: Logger) {
  const log = logger.child({ component: "finch-sdk" });
  return {
    error: (message: string) => log.error(message),
    warn: (message: string) => log.warn(message),
    info: (message: string) => log.info(message),
    debug: (message: string) => log.debug(message),
  };
}

/** Every option spelled out: the SDK would otherwise read FINCH_* from the environment behind config.ts. */
function baseOptions(config: Config, logger: Logger) {
  return {
    baseURL: config.finch.baseUrl ?? DEFAULT_BASE_URL,
    maxRetries: FINCH_MAX_RETRIES,
    timeout: FINCH_TIMEOUT_MS,
    webhookSecret: null,
    logger: sdkLogger(logger),
    logLevel: "warn" as const,
    // Counts every attempt by method and outcome for /metrics (src/metrics).
    fetch: finchCountingFetch(),
  };
}

/** A client with the application's credentials (Connect sessions, code exchange). */
export function createFinchAppClient(config: Config, logger: Logger): FinchClient {
  return new Finch({
    ...baseOptions(config, logger),
    clientID: config.finch.clientId ?? null,
    clientSecret: config.finch.clientSecret ?? null,
    accessToken: null,
  });
}

/** A client for one connection, with its (decrypted) access token and no application secret. */
export function createConnectionClient(config: Config, logger: Logger, accessToken: string): FinchClient {
  return new Finch({ ...baseOptions(config, logger), clientID: null, clientSecret: null, accessToken });
}

/** What a failed Finch call means for us. */
export type FinchFailureKind =
  /** 408/409/429/5xx, timeouts, network: try again later. */
  | "transient"
  /** 401 reauthenticate_user or a revoked token: the customer must reconnect. */
  | "reauth"
  /** 401 account_setup_required: the integration user is not set up as a third-party admin yet. */
  | "setup_required"
  /** 403 insufficient_account_permissions: a provider permission is missing. */
  | "missing_permission"
  /** 403 insufficient_scope_error: the product was not part of the connection (our request or Connect). */
  | "not_in_scope"
  /** 400 on the code exchange: the code is invalid, expired or used. */
  | "invalid_grant"
  | "not_found"
  /** Anything else, e.g. our own credentials being wrong. */
  | "unexpected";

/** A classified Finch failure; `status`, `name` and `finchCode` are safe to log (no message text). */
export interface FinchFailure {
  kind: FinchFailureKind;
  status?: number;
  name?: string;
  finchCode?: string;
}

/** Classifies an error thrown by the SDK (anything else is `unexpected`). */
export function classifyFinchError(err: unknown): FinchFailure {
  if (err instanceof APIConnectionError) return { kind: "transient", name: err.name };
  if (!(err instanceof APIError)) return { kind: "unexpected" };
  const status = err.status;
  const body = (err.error ?? {}) as { name?: unknown; finch_code?: unknown };
  const name = typeof body.name === "string" ? body.name : undefined;
  const finchCode = typeof body.finch_code === "string" ? body.finch_code : undefined;
  const facts = { status, name, finchCode };
  if (status === undefined) return { kind: "transient", ...facts };
  if (status === 408 || status === 409 || status === 429 || status >= 500)
    return { kind: "transient", ...facts };
  if (status === 401) {
    if (finchCode === "account_setup_required") return { kind: "setup_required", ...facts };
    // Our own application credentials being refused is a configuration problem, not the customer's.
    if (name === "invalid_client_error" || name === "unauthorized_request_error") {
      return { kind: "unexpected", ...facts };
    }
    return { kind: "reauth", ...facts };
  }
  if (status === 403) {
    if (name === "insufficient_scope_error" && finchCode !== "insufficient_account_permissions") {
      return { kind: "not_in_scope", ...facts };
    }
    return { kind: "missing_permission", ...facts };
  }
  if (status === 400 && (name === "invalid_grant_error" || finchCode === "invalid_grant")) {
    return { kind: "invalid_grant", ...facts };
  }
  if (status === 404) return { kind: "not_found", ...facts };
  return { kind: "unexpected", ...facts };
}

/** The three signed headers of a Finch webhook delivery (a type alias, so it fits the SDK's HeadersLike). */
export type FinchWebhookHeaders = {
  "finch-event-id": string;
  "finch-timestamp": string;
  "finch-signature": string;
};

/** Whether a webhook secret is usable (the SDK needs base64 that round-trips). */
export function isUsableWebhookSecret(secret: string): boolean {
  return secret.length > 0 && Buffer.from(secret, "base64").toString("base64") === secret;
}

// unwrap() needs no credentials; one client serves every delivery.
const webhookVerifier = new Finch({
  baseURL: DEFAULT_BASE_URL,
  clientID: null,
  clientSecret: null,
  accessToken: null,
  webhookSecret: null,
  logLevel: "off",
});

/**
 * Verifies a delivery with the SDK's `webhooks.unwrap` (HMAC over `{id}.{timestamp}.{raw body}`,
 * timestamp within ±5 minutes of the system clock) and parses it; throws when it is not Finch's.
 */
export function unwrapFinchWebhook(rawBody: string, headers: FinchWebhookHeaders, secret: string) {
  return webhookVerifier.webhooks.unwrap(rawBody, headers, secret);
}
