/** The HRIS read routes (/employer/*): product scopes, connection states and syncing, then the fake data. */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { FinchAccounts } from "./accounts.ts";
import { fakeBenefit, fakeCompany, fakeDirectory, fakeEmployments, fakeIndividuals } from "./fake-hr-data.ts";
import { fakePaymentList, fakePayStatements } from "./fake-payroll.ts";
import { readJson, sendJson } from "./http.ts";
import { type ConnectionRecord, finchError, providerName, type RequestContext } from "./records.ts";
import type { FinchErrorBody } from "./types.ts";

const PRODUCT_BY_ROUTE: Record<string, string> = {
  "GET /employer/company": "company",
  "GET /employer/directory": "directory",
  "POST /employer/individual": "individual",
  "POST /employer/employment": "employment",
  "GET /employer/payment": "payment",
  "POST /employer/pay-statement": "pay_statement",
  "GET /employer/benefits": "benefits",
};

const SYNCING_BODY: FinchErrorBody = {
  code: 202,
  name: "accepted",
  finch_code: "data_sync_in_progress",
  message: "The data for this product is being fetched. Please check back later.",
};

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
  const now = st.now();
  switch (route) {
    case "GET /employer/company":
      if (syncing) return sendJson(res, 202, SYNCING_BODY);
      return sendJson(res, 200, fakeCompany(connection));
    case "GET /employer/directory": {
      if (syncing) return sendJson(res, 202, SYNCING_BODY);
      return sendJson(res, 200, fakeDirectory(url.searchParams));
    }
    case "POST /employer/individual":
      if (syncing) return sendJson(res, 202, SYNCING_BODY);
      return sendJson(res, 200, { responses: fakeIndividuals(connection, body) });
    case "POST /employer/employment":
      if (syncing) return sendJson(res, 202, SYNCING_BODY);
      return sendJson(res, 200, { responses: fakeEmployments(body) });
    case "GET /employer/payment":
      if (syncing) return sendJson(res, 202, SYNCING_BODY);
      return sendJson(res, 200, fakePaymentList(url.searchParams, now));
    case "POST /employer/pay-statement":
      // Finch reports pay-statement syncing per payment (the SDK's PayStatementDataSyncInProgress);
      // the HTTP status says 202 as well, so status-based and item-based checks both see it.
      return sendJson(res, syncing ? 202 : 200, { responses: fakePayStatements(body, now, syncing) });
    case "GET /employer/benefits":
      if (syncing) return sendJson(res, 202, SYNCING_BODY);
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
  return (
    connection.status === "pending" ||
    connection.status === "processing" ||
    aliases.some((alias) => connection.syncing.has(alias))
  );
}
