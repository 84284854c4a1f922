/** Finch webhooks as Finch signs and shapes them (the SDK's `webhooks.unwrap` accepts them). */
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import type { JobCompletionEvent } from "@tryfinch/finch-api/resources/webhooks";
import type {
  FinchWebhookHeaders,
  JobCompletionEventType,
  StandInAccountUpdateEvent,
  StandInAuthMethod,
  StandInConnection,
  StandInConnectionStatus,
  StandInEntity,
} from "./types.ts";

/** A local Finch API + Finch Connect for tests and the offline demo. */
/**
 * Signs a webhook body as Finch does: `v1,` + base64 HMAC-SHA256 over `{id}.{timestamp}.{body}`,
 * keyed with the base64-decoded secret (the SDK's `webhooks.verifySignature`).
 */
export function signFinchWebhook(input: {
  secret: string;
  id: string;
  timestamp: number | Date;
  body: string;
}): FinchWebhookHeaders {
  const key = Buffer.from(input.secret, "base64");
  // The SDK rejects secrets that do not round-trip through base64; fail the same way, early.
  if (key.toString("base64") !== input.secret) throw new Error("Webhook secret is not valid base64");
  const seconds =
    input.timestamp instanceof Date
      ? Math.floor(input.timestamp.getTime() / 1000)
      : Math.floor(input.timestamp);
  const signature = createHmac("sha256", key).update(`${input.id}.${seconds}.${input.body}`).digest("base64");
  return {
    "finch-event-id": input.id,
    "finch-timestamp": String(seconds),
    "finch-signature": `v1,${signature}`,
  };
}

/** The ids a webhook body names; a {@link StandInConnection} fits. */
export type WebhookConnectionRef = Pick<StandInConnection, "connectionId" | "companyId" | "accountId"> & {
  entities?: readonly StandInEntity[];
  authMethod?: StandInAuthMethod;
};

/** An `account.updated` event for a connection's new status. */
export function buildAccountUpdatedEvent(
  connection: WebhookConnectionRef,
  status: StandInConnectionStatus,
): StandInAccountUpdateEvent {
  const entityId = connection.entities?.[0]?.id;
  return {
    account_id: connection.accountId,
    company_id: connection.companyId,
    connection_id: connection.connectionId,
    ...(entityId === undefined ? {} : { entity_id: entityId }),
    event_type: "account.updated",
    data: { status, authentication_method: { type: connection.authMethod ?? "credential" } },
  };
}

/** A job completion event, by default `job.initial_data_sync_org.succeeded`. */
export function buildJobSucceededEvent(
  connection: WebhookConnectionRef,
  options: { eventType?: JobCompletionEventType; jobId?: string; baseUrl?: string } = {},
): JobCompletionEvent {
  const jobId = options.jobId ?? randomUUID();
  const baseUrl = options.baseUrl ?? "https://api.tryfinch.com/";
  const entityId = connection.entities?.[0]?.id;
  return {
    account_id: connection.accountId,
    company_id: connection.companyId,
    connection_id: connection.connectionId,
    ...(entityId === undefined ? {} : { entity_id: entityId }),
    event_type: options.eventType ?? "job.initial_data_sync_org.succeeded",
    data: { job_id: jobId, job_url: new URL(`jobs/automated/${jobId}`, baseUrl).toString() },
  };
}

export function newWebhookId(): string {
  return `msg_${randomBytes(20).toString("base64url").replace(/[-_]/g, "").slice(0, 27)}`;
}
