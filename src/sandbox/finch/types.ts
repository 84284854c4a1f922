/** What callers of the Finch stand-in see: options, connections, faults, recorded calls, events. */

import type { SessionNewParams } from "@tryfinch/finch-api/resources/connect/sessions";
import type { ProviderListResponse } from "@tryfinch/finch-api/resources/providers";
import type { ConnectionStatusType } from "@tryfinch/finch-api/resources/shared";
import type { AccountUpdateEvent, JobCompletionEvent } from "@tryfinch/finch-api/resources/webhooks";

/** A Finch product scope, spelled as the SDK's `connect.sessions.new` accepts it. */
export type FinchProduct = SessionNewParams["products"][number];

/** Connection states the stand-in can hold: Finch's `ConnectionStatusType` plus `disconnected`. */
export type StandInConnectionStatus = ConnectionStatusType | "disconnected";

/** Authentication method of a connection, as Finch Connect names it. */
export type StandInAuthMethod = NonNullable<SessionNewParams.Integration["auth_method"]>;

/** Options for {@link FinchStandIn.start}. */
export interface FinchStandInOptions {
  clientId: string;
  clientSecret: string;
  /** 0 or absent: any free port. */
  port?: number;
  /** The stand-in's clock (session and code expiry, payment dates, webhook timestamps). */
  now?: () => Date;
  /** GET /providers; defaults to Finch's documented listing (src/sandbox/finch/provider-listing.ts). */
  providers?: readonly ProviderListResponse[];
}

/** One entity (provider account) of a connection, as `introspect` lists it. */
export interface StandInEntity {
  id: string;
  name: string | null;
  source_id: string | null;
  /** Absent: the entity follows the connection's status. */
  status?: StandInConnectionStatus;
}

/** A read-only snapshot of one connection; access tokens are deliberately not part of it. */
export interface StandInConnection {
  connectionId: string;
  companyId: string;
  accountId: string;
  customerId: string | null;
  customerName: string | null;
  customerEmail: string | null;
  providerId: string;
  authMethod: StandInAuthMethod;
  clientType: "production" | "sandbox";
  connectionType: "finch" | "provider";
  status: StandInConnectionStatus;
  /** Products the access token is scoped to (requested in the session and granted). */
  products: string[];
  /** Granted products the customer's provider account lacks permission for (403). */
  deniedProducts: string[];
  /** Products whose data is still syncing (202). */
  syncingProducts: string[];
  entities: StandInEntity[];
  username: string | null;
  createdAt: string;
}

/** Overrides for {@link FinchStandIn.completeSession}. */
export interface CompleteSessionOptions {
  /** Products the token is scoped to; defaults to the session's products. */
  grantedProducts?: string[];
  /** Products the provider account may not read; defaults to none. */
  deniedProducts?: string[];
  /** Defaults to `error_permissions` when something is denied, else `connected`. */
  status?: StandInConnectionStatus;
  username?: string;
  /**
   * A first sync that is not finished, until {@link FinchStandIn.finishInitialSync}; `status` defaults to
   * `processing`. Finch answers it as its docs say: an assisted connection's reads are empty 202s; an
   * automated one's are live fetches from the provider, 200 with data after "seconds to minutes"
   * (`readDelayMs`). `answer` overrides that choice (`"202"` for an automated connection too).
   */
  initialSync?: { readDelayMs?: number; status?: StandInConnectionStatus; answer?: "live" | "202" };
}

/** What completing Connect produced: what the browser redirect and the code exchange carry. */
export interface CompleteSessionResult {
  code: string;
  connectionId: string;
  accessToken: string;
  /** `redirect_uri?code=…`, or null when the session had no redirect_uri (embedded flow). */
  redirectUrl: string | null;
}

/** Changes applied by {@link FinchStandIn.setConnection}. */
export interface ConnectionPatch {
  status?: StandInConnectionStatus;
  products?: string[];
  deniedProducts?: string[];
  syncingProducts?: string[];
  entities?: StandInEntity[];
}

/** A scripted failure (or slowdown) for requests whose path starts with `path`. */
export interface FaultSpec {
  /** Exact path or prefix, e.g. `/employer/company` or `/employer/`. */
  path: string;
  /** Only this HTTP method (any when absent). */
  method?: string;
  /** How many matching requests fail; default 1, `Infinity` for all. */
  times?: number;
  /** HTTP status to answer; absent means only `delayMs` applies and the request then proceeds. */
  status?: number;
  /** Finch `finch_code`, e.g. `reauthenticate_user`, `account_setup_required`. */
  code?: string;
  message?: string;
  retryAfterSeconds?: number;
  delayMs?: number;
}

/** One request the stand-in answered (no headers, bodies, tokens or secrets are kept). */
export interface CallRecord {
  method: string;
  path: string;
  at: string;
  status: number;
  durationMs: number;
  /** Which credential kind the request carried, never the credential itself. */
  auth: "basic" | "bearer" | "none";
  connectionId?: string;
}

/** Emitted when Connect completes (browser or {@link FinchStandIn.completeSession}). */
export interface ConnectedEvent {
  sessionId: string;
  connectionId: string;
  customerId: string | null;
  reauthenticated: boolean;
}

/** Events the stand-in emits on {@link FinchStandIn.events}. */
export type FinchStandInEvents = {
  call: [CallRecord];
  connected: [ConnectedEvent];
  disconnected: [{ connectionId: string }];
  webhook: [{ targetUrl: string; eventType: string | undefined; status: number }];
};

/** Finch's error body (`code`, `name`, optional `finch_code`, `message`). */
export interface FinchErrorBody {
  code: number;
  name: string;
  finch_code?: string;
  message: string;
}

/** The three headers Finch signs a webhook with (a type alias so it fits the SDK's `HeadersLike`). */
export type FinchWebhookHeaders = {
  "finch-event-id": string;
  "finch-timestamp": string;
  "finch-signature": string;
};

/** `account.updated` as the SDK types it, but with `disconnected` allowed as Finch sends it. */
export type StandInAccountUpdateEvent = Omit<AccountUpdateEvent, "data"> & {
  data: Omit<AccountUpdateEvent.Data, "status"> & { status: StandInConnectionStatus };
};

/** The job events Finch sends when a sync finishes. */
export type JobCompletionEventType = NonNullable<JobCompletionEvent["event_type"]>;

/** Sandbox login Finch documents for its test providers (`good_user` / `good_pass`). */
export const SANDBOX_LOGIN = { username: "good_user", password: "good_pass" } as const;
