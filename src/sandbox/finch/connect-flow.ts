/** Finch Connect: sessions, the Connect page's form and cancel, and the code-for-token exchange. */
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { CreateAccessTokenResponse } from "@tryfinch/finch-api/resources/access-tokens";
import type {
  SessionNewResponse,
  SessionReauthenticateResponse,
} from "@tryfinch/finch-api/resources/connect/sessions";
import type { FinchAccounts } from "./accounts.ts";
import { hashKey, type PageReply, parseBasic, withQuery } from "./http.ts";
import { cancelledPage, connectedPage, connectPage, notFoundPage } from "./pages.ts";
import { clientType, connectionType, finchError, invalidRequest, type SessionRecord } from "./records.ts";
import {
  optionalPositiveNumber,
  optionalRedirectUri,
  optionalString,
  parseIntegration,
  requireProducts,
  requireString,
} from "./request-fields.ts";
import { SANDBOX_LOGIN } from "./types.ts";

const NEW_SESSION_MINUTES = 129_600; // SDK docs: new sessions default to 90 days

const REAUTH_SESSION_MINUTES = 43_200; // SDK docs: reauthentication sessions default to 30 days

export function createSession(st: FinchAccounts, body: Record<string, unknown>): SessionNewResponse {
  const customerId = requireString(body, "customer_id");
  const customerName = requireString(body, "customer_name");
  const products = requireProducts(body.products, true);
  const customerEmail = optionalString(body, "customer_email");
  const redirectUri = optionalRedirectUri(body.redirect_uri);
  const minutes = optionalPositiveNumber(body, "minutes_to_expire") ?? NEW_SESSION_MINUTES;
  const sandbox = body.sandbox ?? null;
  if (sandbox !== null && sandbox !== "finch" && sandbox !== "provider") {
    throw invalidRequest("sandbox must be 'finch' or 'provider'");
  }
  if (body.manual !== undefined && body.manual !== null && typeof body.manual !== "boolean") {
    throw invalidRequest("manual must be a boolean");
  }
  const { providerId, authMethod } = parseIntegration(body.integration);
  requireOffered(st, providerId, authMethod, products);
  const session: SessionRecord = {
    id: randomUUID(),
    kind: "new",
    customerId,
    customerName,
    customerEmail,
    products,
    redirectUri,
    expiresAt: st.now().getTime() + minutes * 60_000,
    providerId,
    authMethod,
    sandbox,
    connectionId: null,
    completed: false,
  };
  st.sessions.set(session.id, session);
  return { session_id: session.id, connect_url: st.connectUrl(session.id) };
}

/**
 * Finch offers a provider only with the products and auth methods GET /providers lists; the stand-in
 * refuses anything else, so Fleet must ask /providers first instead of requesting what it wishes for.
 */
function requireOffered(
  st: FinchAccounts,
  providerId: string,
  authMethod: string,
  products: readonly string[],
): void {
  const provider = st.providers.find((p) => p.id === providerId);
  if (provider === undefined)
    throw invalidRequest(`integration.provider "${providerId}" is not a Finch provider`);
  const methods = (provider.authentication_methods ?? []).map((m) => m.type);
  if (!methods.includes(authMethod as (typeof methods)[number])) {
    throw invalidRequest(
      `integration.auth_method "${authMethod}" is not offered for ${providerId} (offered: ${methods.join(", ")})`,
    );
  }
  const unsupported = products.filter(
    (p) => !provider.products.includes(p) && !(p === "deduction" && provider.products.includes("benefits")),
  );
  if (unsupported.length > 0) {
    throw invalidRequest(`${providerId} does not support the product(s): ${unsupported.join(", ")}`);
  }
}

export function createReauthSession(
  st: FinchAccounts,
  body: Record<string, unknown>,
): SessionReauthenticateResponse {
  const connectionId = requireString(body, "connection_id");
  const connection = st.connections.get(connectionId);
  if (connection === undefined || connection.status === "disconnected") {
    throw finchError(404, "not_found_error", `Connection ${connectionId} not found`, "item_not_found");
  }
  const products =
    body.products === undefined || body.products === null
      ? [...connection.products]
      : requireProducts(body.products, true);
  const minutes = optionalPositiveNumber(body, "minutes_to_expire") ?? REAUTH_SESSION_MINUTES;
  const session: SessionRecord = {
    id: randomUUID(),
    kind: "reauthenticate",
    customerId: connection.customerId,
    customerName: connection.customerName,
    customerEmail: connection.customerEmail,
    products,
    redirectUri: optionalRedirectUri(body.redirect_uri),
    expiresAt: st.now().getTime() + minutes * 60_000,
    providerId: connection.providerId,
    authMethod: connection.authMethod,
    sandbox: connection.sandbox,
    connectionId,
    completed: false,
  };
  st.sessions.set(session.id, session);
  return { session_id: session.id, connect_url: st.connectUrl(session.id) };
}

export function showConnectPage(st: FinchAccounts, sessionId: string): PageReply {
  const session = st.usableSession(sessionId);
  if (session === undefined) return { status: 404, html: notFoundPage() };
  return { status: 200, html: connectPage(session) };
}

export function submitConnectForm(st: FinchAccounts, form: URLSearchParams): PageReply {
  const session = st.usableSession(form.get("session") ?? "");
  if (session === undefined) return { status: 404, html: notFoundPage() };
  const username = form.get("username") ?? "";
  const password = form.get("password") ?? "";
  if (username !== SANDBOX_LOGIN.username || password !== SANDBOX_LOGIN.password) {
    return { status: 200, html: connectPage(session, "Incorrect username or password.") };
  }
  const checked = new Set(form.getAll("products"));
  // An unchecked product stands for a permission the customer's provider account lacks.
  const deniedProducts = session.products.filter((product) => !checked.has(product));
  const result = st.finishSession(session, { deniedProducts, username });
  if (result.redirectUrl === null) return { status: 200, html: connectedPage(result.code) };
  return { location: result.redirectUrl };
}

export function cancelConnect(st: FinchAccounts, sessionId: string): PageReply {
  const session = st.usableSession(sessionId);
  if (session === undefined) return { status: 404, html: notFoundPage() };
  if (session.redirectUri === null) return { status: 200, html: cancelledPage() };
  // Finch documents no cancel redirect for Connect; OAuth's `access_denied` is the closest contract.
  return {
    location: withQuery(session.redirectUri, {
      error: "access_denied",
      error_description: "The user closed Finch Connect without connecting",
    }),
  };
}

export function exchangeCode(
  st: FinchAccounts,
  req: IncomingMessage,
  body: Record<string, unknown>,
): CreateAccessTokenResponse {
  // The SDK sends client_id/client_secret in the JSON body and removes the Authorization header.
  const basic = parseBasic(req.headers.authorization);
  const clientId = typeof body.client_id === "string" ? body.client_id : basic?.id;
  const clientSecret = typeof body.client_secret === "string" ? body.client_secret : basic?.secret;
  if (!st.clientMatches(clientId, clientSecret)) {
    throw finchError(401, "invalid_client_error", "The provided application credentials are incorrect");
  }
  const code = requireString(body, "code");
  const record = st.codes.get(hashKey(code));
  if (record === undefined || record.used || record.expiresAt <= st.now().getTime()) {
    throw finchError(
      400,
      "invalid_grant_error",
      "The authorization code is invalid, expired or already used",
    );
  }
  const redirectUri = typeof body.redirect_uri === "string" ? body.redirect_uri : undefined;
  if (redirectUri !== undefined && record.redirectUri !== null && redirectUri !== record.redirectUri) {
    throw finchError(400, "invalid_grant_error", "redirect_uri does not match the Connect session");
  }
  const accessToken = record.accessToken;
  record.used = true;
  record.accessToken = null;
  const connection = st.connections.get(record.connectionId);
  const token = accessToken === null ? undefined : st.tokens.get(hashKey(accessToken));
  if (accessToken === null || connection === undefined || token === undefined || token.revoked) {
    throw finchError(400, "invalid_grant_error", "The connection behind this code was disconnected");
  }
  return {
    access_token: accessToken,
    token_type: "bearer",
    client_type: clientType(connection),
    connection_id: connection.connectionId,
    connection_type: connectionType(connection),
    entity_ids: connection.entities.map((entity) => entity.id),
    products: [...connection.products],
    provider_id: connection.providerId,
    account_id: connection.accountId,
    company_id: connection.companyId,
    customer_id: connection.customerId,
    customer_name: connection.customerName,
  };
}
