/** The HRIS read routes (/employer/*): product scopes, connection states and syncing, then the fake data. */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { FinchAccounts } from "./accounts.ts";
import { fakeBenefit, fakeCompany, fakeDirectory, fakeEmployments, fakeIndividuals } from "./fake-hr-data.ts";
import { fakePaymentList, fakePayStatements } from "./fake-payroll.ts";
import { readJson, sendJson, sleep } from "./http.ts";
import { type ConnectionRecord, finchError, providerName, type RequestContext } from "./records.ts";

const PRODUCT_BY_ROUTE: Record<string, string> = {
  "GET /employer/company": "company",
  "GET /employer/directory": "directory",
  "POST /employer/individual": "individual",
  "POST /employer/employment": "employment",
  "GET /employer/payment": "payment",
  "POST /employer/pay-statement": "pay_statement",
  "GET /employer/benefits": "benefits",
};

/**
 * Finch docs (Integration Types): "Until the access_token is ready for use, Finch will return an empty
 * response from data endpoints with the HTTP status code 202". Empty means no body at all; the JSON
 * content type is kept, so a client that parses before looking at the status gets `null`, not a list.
 */
function sendSyncing(res: ServerResponse): void {
  res.writeHead(202, { "Content-Type": "application/json", "Content-Length": 0 });
  res.end();
}

export async function readHris(
  st: FinchAccounts,
  route: string,
  url: URL,
  req: IncomingMessage,
  res: ServerResponse,
  context: RequestContext,
): Promise<void> {
  const connection = st.requireToken(req, context);
  const product = PRODUCT_BY_ROUTE[route];
  if (product === undefined) throw new Error(`unmapped route ${route}`);
  const body = req.method === "POST" ? await readJson(req) : {};
  const syncing = gateProduct(connection, product);
  // Finch docs (Data Syncs): before the initial sync is done, reads are live fetches that "may take longer".
  if (connection.readDelayMs > 0) await sleep(connection.readDelayMs);
  const now = st.now();
  switch (route) {
    case "GET /employer/company":
      if (syncing) return sendSyncing(res);
      return sendJson(res, 200, fakeCompany(connection));
    case "GET /employer/directory": {
      if (syncing) return sendSyncing(res);
      return sendJson(res, 200, fakeDirectory(url.searchParams));
    }
    case "POST /employer/individual":
      if (syncing) return sendSyncing(res);
      return sendJson(res, 200, { responses: fakeIndividuals(connection, body) });
    case "POST /employer/employment":
      if (syncing) return sendSyncing(res);
      return sendJson(res, 200, { responses: fakeEmployments(body) });
    case "GET /employer/payment":
      if (syncing) return sendSyncing(res);
      return sendJson(res, 200, fakePaymentList(url.searchParams, now));
    case "POST /employer/pay-statement":
      // Finch reports pay-statement syncing per payment (the SDK's PayStatementDataSyncInProgress);
      // the HTTP status says 202 as well, so status-based and item-based checks both see it.
      return sendJson(res, syncing ? 202 : 200, { responses: fakePayStatements(body, now, syncing) });
    case "GET /employer/benefits":
      if (syncing) return sendSyncing(res);
      return sendJson(res, 200, [fakeBenefit()]);
    default:
      throw new Error(`unmapped route ${route}`);
  }
}

/** Throws Finch's error for a product the connection may not read; true while it syncs. */
function gateProduct(connection: ConnectionRecord, product: string): boolean {
  const aliases = product === "benefits" ? ["benefits", "deduction"] : [product];
  if (!aliases.some((alias) => connection.products.has(alias))) {
    throw finchError(
      403,
      "insufficient_scope_error",
      `The access token is not authorized for the ${product} product`,
    );
  }
  if (connection.status === "reauth") {
    throw finchError(401, "authentication_error", "Please reauthenticate user", "reauthenticate_user");
  }
  if (connection.status === "error_no_account_setup") {
    throw finchError(
      401,
      "authentication_error",
      "The employer has not finished setting up the account",
      "account_setup_required",
    );
  }
  if (aliases.some((alias) => connection.denied.has(alias))) {
    throw finchError(
      403,
      "error_permissions",
      `The connected ${providerName(connection.providerId)} account lacks permission ` +
        `to read ${product} data`,
      "insufficient_account_permissions",
    );
  }
  const syncing = aliases.some((alias) => connection.syncing.has(alias));
  // An automated connection's first sync answers live (200, slowly); otherwise pending/processing means 202.
  if (connection.liveFirstSync) return syncing;
  return connection.status === "pending" || connection.status === "processing" || syncing;
}
