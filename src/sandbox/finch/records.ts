/** What the Finch stand-in keeps per session, connection, token and code, and Finch's error shapes. */
import type { ConnectionStatusType } from "@tryfinch/finch-api/resources/shared";
import type {
  CallRecord,
  FaultSpec,
  FinchErrorBody,
  StandInAuthMethod,
  StandInConnection,
  StandInConnectionStatus,
  StandInEntity,
} from "./types.ts";

const PROVIDER_NAMES: Record<string, string> = { justworks: "Justworks", gusto: "Gusto", adp_run: "ADP Run" };

/** Finch's `name` for a `finch_code`, from the documented error table. */
const NAME_BY_FINCH_CODE: Record<string, { name: string; status: number }> = {
  reauthenticate_user: { name: "authentication_error", status: 401 },
  account_setup_required: { name: "authentication_error", status: 401 },
  insufficient_account_permissions: { name: "error_permissions", status: 403 },
  invalid_request: { name: "bad_request", status: 400 },
  payment_required: { name: "payment_required", status: 402 },
  item_not_found: { name: "not_found_error", status: 404 },
  data_sync_in_progress: { name: "accepted", status: 202 },
};

const NAME_BY_STATUS: Record<number, string> = {
  400: "bad_request",
  401: "invalid_token_error",
  402: "payment_required",
  403: "insufficient_scope_error",
  404: "not_found_error",
  408: "client_connection_closed",
  422: "unprocessable_request_error",
  // Finch's table lists no name for 429; this mirrors the category naming of the others.
  429: "rate_limit_error",
};

export interface SessionRecord {
  id: string;
  kind: "new" | "reauthenticate";
  customerId: string | null;
  customerName: string | null;
  customerEmail: string | null;
  products: string[];
  redirectUri: string | null;
  expiresAt: number;
  providerId: string;
  authMethod: StandInAuthMethod;
  sandbox: "finch" | "provider" | null;
  connectionId: string | null;
  completed: boolean;
}

export interface ConnectionRecord {
  connectionId: string;
  companyId: string;
  accountId: string;
  sessionId: string | null;
  customerId: string | null;
  customerName: string | null;
  customerEmail: string | null;
  companyName: string;
  providerId: string;
  authMethod: StandInAuthMethod;
  sandbox: "finch" | "provider" | null;
  status: StandInConnectionStatus;
  /** False while the status is the default derived from denied products. */
  statusPinned: boolean;
  products: Set<string>;
  denied: Set<string>;
  syncing: Set<string>;
  /** Delay of every data read while the initial sync runs (a live fetch from the provider). */
  readDelayMs: number;
  /** The first sync of an automated connection is running: reads are live fetches (200), not 202s. */
  liveFirstSync: boolean;
  entities: StandInEntity[];
  username: string | null;
  createdAt: Date;
}

export interface TokenRecord {
  id: string;
  connectionId: string;
  revoked: boolean;
}

export interface CodeRecord {
  connectionId: string;
  /** Held only until the code is exchanged, then dropped. */
  accessToken: string | null;
  redirectUri: string | null;
  expiresAt: number;
  used: boolean;
}

export interface FaultRecord {
  spec: FaultSpec;
  remaining: number;
}

export interface RequestContext {
  auth: CallRecord["auth"];
  connectionId?: string;
  /** Introspection id of the bearer token, never the token. */
  tokenId?: string;
}

/** An error that becomes one HTTP response with Finch's error body. */
export class StandInHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: FinchErrorBody,
    readonly headers: Record<string, string> = {},
  ) {
    super(body.message);
  }
}

export function finchError(
  status: number,
  name: string,
  message: string,
  finchCode?: string,
): StandInHttpError {
  return new StandInHttpError(status, errorBody(status, name, message, finchCode));
}

export function errorBody(status: number, name: string, message: string, finchCode?: string): FinchErrorBody {
  return finchCode === undefined
    ? { code: status, name, message }
    : { code: status, name, finch_code: finchCode, message };
}

export function invalidRequest(message: string): StandInHttpError {
  return finchError(400, "bad_request", message, "invalid_request");
}

export function faultError(fault: FaultSpec): StandInHttpError {
  const status = fault.status ?? 500;
  const known = fault.code === undefined ? undefined : NAME_BY_FINCH_CODE[fault.code];
  const name = known?.name ?? NAME_BY_STATUS[status] ?? "server_error";
  const message = fault.message ?? `Injected fault: ${status}${fault.code ? ` ${fault.code}` : ""}`;
  const headers: Record<string, string> =
    fault.retryAfterSeconds === undefined ? {} : { "Retry-After": String(fault.retryAfterSeconds) };
  return new StandInHttpError(status, errorBody(status, name, message, fault.code), headers);
}

export function snapshot(record: ConnectionRecord): StandInConnection {
  return {
    connectionId: record.connectionId,
    companyId: record.companyId,
    accountId: record.accountId,
    customerId: record.customerId,
    customerName: record.customerName,
    customerEmail: record.customerEmail,
    providerId: record.providerId,
    authMethod: record.authMethod,
    clientType: clientType(record),
    connectionType: connectionType(record),
    status: record.status,
    products: [...record.products],
    deniedProducts: [...record.denied],
    syncingProducts: [...record.syncing],
    entities: record.entities.map((entity) => ({ ...entity })),
    username: record.username,
    createdAt: record.createdAt.toISOString(),
  };
}

export function defaultStatus(denied: ReadonlySet<string>): StandInConnectionStatus {
  return denied.size > 0 ? "error_permissions" : "connected";
}

/** Introspect only knows Finch's statuses; a disconnected token never reaches it (401 first). */
export function introspectStatus(status: StandInConnectionStatus): ConnectionStatusType {
  return status === "disconnected" ? "reauth" : status;
}

export function statusMessage(connection: ConnectionRecord): string | undefined {
  switch (connection.status) {
    case "error_permissions":
      return `The connected account is missing permissions for: ${[...connection.denied].sort().join(", ")}`;
    case "reauth":
      return "The connection needs to be reauthenticated";
    case "error_no_account_setup":
      return "The employer has not finished setting up the account";
    case "pending":
    case "processing":
      return "The initial data sync has not finished";
    default:
      return undefined;
  }
}

export function clientType(connection: ConnectionRecord): "production" | "sandbox" {
  return connection.sandbox === null ? "production" : "sandbox";
}

/** SDK docs: `finch` means Finch-generated data, which is what `sandbox: 'finch'` asks for. */
export function connectionType(connection: ConnectionRecord): "finch" | "provider" {
  return connection.sandbox === "finch" ? "finch" : "provider";
}

export function providerName(providerId: string): string {
  return (
    PROVIDER_NAMES[providerId] ??
    providerId.replace(/(^|_)(\w)/g, (_m, sep: string, c: string) => `${sep ? " " : ""}${c.toUpperCase()}`)
  );
}
