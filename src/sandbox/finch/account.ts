/** GET /introspect and POST /disconnect: what a connection's token says about it, and revoking it. */
import { randomUUID } from "node:crypto";
import type { DisconnectResponse, Introspection } from "@tryfinch/finch-api/resources/account";
import type { FinchAccounts } from "./accounts.ts";
import {
  type ConnectionRecord,
  clientType,
  connectionType,
  introspectStatus,
  statusMessage,
} from "./records.ts";

export function introspect(
  st: FinchAccounts,
  connection: ConnectionRecord,
  tokenId: string | undefined,
): Introspection {
  const status = introspectStatus(connection.status);
  const connectionStatus = {
    status,
    last_successful_sync: lastSync(connection),
    ...(statusMessage(connection) === undefined ? {} : { message: statusMessage(connection) }),
  };
  return {
    id: tokenId ?? randomUUID(),
    client_id: st.clientId,
    client_type: clientType(connection),
    connection_id: connection.connectionId,
    connection_status: connectionStatus,
    connection_type: connectionType(connection),
    products: [...connection.products],
    provider_id: connection.providerId,
    payroll_provider_id: connection.providerId,
    account_id: connection.accountId,
    company_id: connection.companyId,
    customer_id: connection.customerId,
    customer_name: connection.customerName,
    customer_email: connection.customerEmail,
    manual: connection.authMethod === "assisted",
    username: connection.username,
    authentication_methods: [
      {
        type: connection.authMethod,
        connection_status: connectionStatus,
        products: [...connection.products],
      },
    ],
    entities: connection.entities.map((entity) => ({
      id: entity.id,
      name: entity.name,
      source_id: entity.source_id,
      status: entity.status ?? connection.status,
    })),
  };
}

function lastSync(connection: ConnectionRecord): string | null {
  if (connection.status === "pending" || connection.status === "processing") return null;
  return connection.createdAt.toISOString();
}

export function disconnect(st: FinchAccounts, connection: ConnectionRecord): DisconnectResponse {
  connection.status = "disconnected";
  connection.statusPinned = true;
  st.revokeTokens(connection.connectionId);
  st.events.emit("disconnected", { connectionId: connection.connectionId });
  return { status: "success" };
}
