import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import Finch, {
  AuthenticationError,
  BadRequestError,
  InternalServerError,
  PermissionDeniedError,
  RateLimitError,
} from "@tryfinch/finch-api";
import type { ProviderListResponse } from "@tryfinch/finch-api/resources/providers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  buildAccountUpdatedEvent,
  buildJobSucceededEvent,
  type CompleteSessionOptions,
  type ConnectedEvent,
  type FinchProduct,
  FinchStandIn,
  signFinchWebhook,
} from "../../../src/sandbox/finch/index.ts";
import { DOCUMENTED_PROVIDERS } from "../../../src/sandbox/finch/provider-listing.ts";
import { standInProviders } from "../../../src/sandbox/finch/providers.ts";

const CLIENT_ID = "client_standin_test";
const CLIENT_SECRET = "secret_standin_test";
const REDIRECT_URI = "https://app.example/finch/callback";
const ALL_PRODUCTS: FinchProduct[] = [
  "company",
  "directory",
  "individual",
  "employment",
  "payment",
  "pay_statement",
  "benefits",
];
// The SDK's own test vector (finch-api-node tests/api-resources/webhooks.test.ts).
const VECTOR = {
  secret: "5WbX5kEWLlfzsGNjH64I8lOOqUB6e8FH",
  timestamp: 1676312382,
  id: "msg_2Lh9KRb0pzN4LePd3XiA4v12Axj",
  body: `{"company_id":"720be419-0293-4d32-a707-32179b0827ab"}`,
  signature: "v1,m7y0TV2C+hlHxU42wCieApTSTaA8/047OAplBqxIV/s=",
};

/**
 * A provider offering every product the stand-in serves, beside the templated ones (whose Justworks,
 * like Finch's, lists no benefits: see "GET /providers" below).
 */
const EVERY_PRODUCT_PROVIDER: ProviderListResponse = {
  id: "gusto",
  display_name: "Gusto",
  products: [...ALL_PRODUCTS],
  authentication_methods: [{ type: "credential" }],
};
// It replaces the stand-in's own Gusto (OAuth, fewer products): these tests log in with good_user/good_pass.
const PROVIDERS = [
  ...standInProviders().filter((p) => p.id !== EVERY_PRODUCT_PROVIDER.id),
  EVERY_PRODUCT_PROVIDER,
];

let standIn: FinchStandIn;

beforeEach(async () => {
  standIn = await FinchStandIn.start({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    providers: PROVIDERS,
  });
});

afterEach(async () => {
  await standIn.stop();
});

function appClient(clientSecret = CLIENT_SECRET): Finch {
  return new Finch({ clientID: CLIENT_ID, clientSecret, baseURL: standIn.url, maxRetries: 0 });
}

function tokenClient(accessToken: string, maxRetries = 0): Finch {
  return new Finch({ accessToken, baseURL: standIn.url, maxRetries });
}

function newSession(products: FinchProduct[] = ALL_PRODUCTS) {
  return appClient().connect.sessions.new({
    customer_id: "cust_42",
    customer_name: "Acme Robotics",
    products,
    redirect_uri: REDIRECT_URI,
    integration: { provider: "gusto", auth_method: "credential" },
  });
}

async function connect(products: FinchProduct[] = ALL_PRODUCTS, options: CompleteSessionOptions = {}) {
  const session = await newSession(products);
  const result = standIn.completeSession(session.session_id, options);
  return { ...result, client: tokenClient(result.accessToken) };
}

/** The rejection of a promise that must fail. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (error: unknown) => error,
  );
}

function daysAgo(days: number): string {
  return new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
}

function formAction(html: string, pageUrl: string): string {
  const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
  if (action === undefined) throw new Error("no form on the page");
  return new URL(action, pageUrl).toString();
}

describe("Connect sessions", () => {
  it("creates a session with Basic auth and answers 401 for a wrong secret", async () => {
    const session = await newSession();
    expect(session.session_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(session.connect_url).toBe(`${standIn.url}connect?session=${session.session_id}`);
    expect(standIn.calls.at(-1)).toMatchObject({ method: "POST", path: "/connect/sessions", status: 200 });
    expect(standIn.calls.at(-1)?.auth).toBe("basic");

    const error = await rejection(
      appClient("wrong").connect.sessions.new({
        customer_id: "c",
        customer_name: "C",
        products: ["company"],
      }),
    );
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).error).toMatchObject({ code: 401, name: "invalid_client_error" });
  });

  it("rejects a session without required fields with 400", async () => {
    const error = await rejection(
      appClient().connect.sessions.new({ customer_id: "", customer_name: "Acme", products: ["company"] }),
    );
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).error).toMatchObject({
      name: "bad_request",
      finch_code: "invalid_request",
    });
    expect((error as BadRequestError).message).toContain("customer_id");

    const noProducts = await rejection(
      appClient().connect.sessions.new({ customer_id: "c", customer_name: "Acme", products: [] }),
    );
    expect(noProducts).toBeInstanceOf(BadRequestError);
  });

  it("serves the Connect page, rejects a wrong password, and redirects with a code", async () => {
    const connected: ConnectedEvent[] = [];
    standIn.events.on("connected", (event) => connected.push(event));
    const session = await newSession();

    const pageResponse = await fetch(session.connect_url);
    expect(pageResponse.status).toBe(200);
    const html = await pageResponse.text();
    expect(html).toContain("Gusto (Finch stand-in)");
    expect(html).toContain("Acme Robotics");
    expect(html).toContain(">Cancel</a>");
    for (const product of ALL_PRODUCTS) {
      expect(html).toContain(`name="products" value="${product}" checked`);
    }

    const action = formAction(html, session.connect_url);
    const wrong = await fetch(action, {
      method: "POST",
      body: new URLSearchParams({ session: session.session_id, username: "good_user", password: "nope" }),
      redirect: "manual",
    });
    expect(wrong.status).toBe(200);
    expect(await wrong.text()).toContain("Incorrect username or password");

    // The customer's Gusto account lacks payroll and benefits permissions: both unchecked.
    const form = new URLSearchParams({
      session: session.session_id,
      username: "good_user",
      password: "good_pass",
    });
    for (const product of ALL_PRODUCTS) {
      if (product !== "payment" && product !== "benefits") form.append("products", product);
    }
    const done = await fetch(action, { method: "POST", body: form, redirect: "manual" });
    expect(done.status).toBe(302);
    const location = new URL(done.headers.get("location") ?? "");
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
    const code = location.searchParams.get("code");
    expect(code).toBeTruthy();
    expect(connected).toHaveLength(1);
    expect(connected[0]).toMatchObject({ sessionId: session.session_id, customerId: "cust_42" });

    // The session is spent: its page is gone.
    expect((await fetch(session.connect_url)).status).toBe(404);

    const token = await appClient().accessTokens.create({ code: code ?? "", redirect_uri: REDIRECT_URI });
    expect(token).toMatchObject({
      token_type: "bearer",
      customer_id: "cust_42",
      customer_name: "Acme Robotics",
      provider_id: "gusto",
      client_type: "production",
      connection_type: "provider",
      connection_id: connected[0]?.connectionId,
    });
    expect(token.products).toEqual(ALL_PRODUCTS);
    expect(token.access_token.length).toBeGreaterThanOrEqual(40);
    expect(token.entity_ids).toHaveLength(1);
    // The SDK sends client_id/client_secret in the body and strips the Authorization header.
    expect(standIn.calls.at(-1)).toMatchObject({ path: "/auth/token", auth: "none", status: 200 });

    const reuse = await rejection(appClient().accessTokens.create({ code: code ?? "" }));
    expect(reuse).toBeInstanceOf(BadRequestError);
    expect((reuse as BadRequestError).error).toMatchObject({ code: 400, name: "invalid_grant_error" });

    const client = tokenClient(token.access_token);
    const introspection = await client.account.introspect();
    expect(introspection).toMatchObject({
      client_id: CLIENT_ID,
      connection_id: token.connection_id,
      company_id: token.company_id,
      customer_id: "cust_42",
      provider_id: "gusto",
      username: "good_user",
      connection_status: { status: "error_permissions" },
    });
    expect(introspection.connection_status.message).toContain("benefits, payment");
    expect(introspection.products).toEqual(ALL_PRODUCTS);
    expect(introspection.authentication_methods?.[0]).toMatchObject({
      type: "credential",
      connection_status: { status: "error_permissions" },
    });
    expect(introspection.entities?.[0]).toMatchObject({ name: "Acme Robotics", status: "error_permissions" });

    expect((await client.hris.company.retrieve()).legal_name).toBe("Acme Robotics");
    for (const denied of [
      client.hris.payments.list({ start_date: daysAgo(90), end_date: daysAgo(0) }),
      client.hris.benefits.list(),
    ]) {
      const error = await rejection(denied);
      expect(error).toBeInstanceOf(PermissionDeniedError);
      expect((error as PermissionDeniedError).error).toMatchObject({
        code: 403,
        name: "error_permissions",
        finch_code: "insufficient_account_permissions",
      });
    }

    const recorded = JSON.stringify(standIn.calls);
    expect(recorded).not.toContain(token.access_token);
    expect(recorded).not.toContain(CLIENT_SECRET);
    expect(standIn.connection("cust_42")).toMatchObject({
      status: "error_permissions",
      deniedProducts: ["payment", "benefits"],
    });
  });

  it("redirects a cancelled Connect with error=access_denied", async () => {
    const session = await newSession();
    const html = await (await fetch(session.connect_url)).text();
    const href = /href="([^"]*cancel[^"]*)"/.exec(html)?.[1] ?? "";
    const cancelled = await fetch(new URL(href.replaceAll("&amp;", "&"), session.connect_url), {
      redirect: "manual",
    });
    expect(cancelled.status).toBe(302);
    const location = new URL(cancelled.headers.get("location") ?? "");
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
    expect(location.searchParams.get("error")).toBe("access_denied");
    expect(location.searchParams.get("error_description")).toBeTruthy();
    expect(location.searchParams.has("code")).toBe(false);
  });

  it("answers 404 for unknown and expired sessions", async () => {
    expect((await fetch(`${standIn.url}connect?session=nope`)).status).toBe(404);

    let now = new Date("2026-01-05T12:00:00Z");
    const timed = await FinchStandIn.start({
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      now: () => now,
    });
    try {
      const client = new Finch({
        clientID: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        baseURL: timed.url,
        maxRetries: 0,
      });
      const session = await client.connect.sessions.new({
        customer_id: "cust_1",
        customer_name: "Short Lived",
        products: ["company"],
        minutes_to_expire: 1,
      });
      expect((await fetch(session.connect_url)).status).toBe(200);
      now = new Date(now.getTime() + 2 * 60_000);
      const expired = await fetch(session.connect_url);
      expect(expired.status).toBe(404);
      expect(await expired.text()).toContain("not valid");
      expect(() => timed.completeSession(session.session_id)).toThrow();
    } finally {
      await timed.stop();
    }
  });
});

describe("GET /providers", () => {
  it("lists Finch's documented providers (the fixture, not the templates); Justworks without benefits", async () => {
    const listed = await FinchStandIn.start({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    try {
      const providers: ProviderListResponse[] = [];
      for await (const p of new Finch({
        clientID: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        baseURL: listed.url,
        maxRetries: 0,
      }).providers.list({
        headers: { Authorization: null },
      })) {
        providers.push(p);
      }
      expect(providers.map((p) => p.id)).toEqual(DOCUMENTED_PROVIDERS.map((p) => p.id));
      for (const doc of DOCUMENTED_PROVIDERS) {
        const p = providers.find((x) => x.id === doc.id)!;
        expect(p.authentication_methods?.map((m) => m.type)).toEqual(doc.authMethods);
        expect(p.products).toEqual(doc.products);
        expect(p.manual).toBe(doc.kind === "assisted");
      }
      const justworks = providers.find((p) => p.id === "justworks")!;
      expect(justworks.products).not.toContain("benefits");
      expect(justworks.products).toContain("directory");
    } finally {
      await listed.stop();
    }
  });

  it("refuses a Connect session for a product or auth method the provider does not offer", async () => {
    const session = (products: FinchProduct[], auth_method: "credential" | "assisted") =>
      rejection(
        appClient().connect.sessions.new({
          customer_id: "c1",
          customer_name: "Acme",
          products,
          integration: { provider: "justworks", auth_method },
        }),
      );
    const benefits = await session(["company", "benefits"], "credential");
    expect(benefits).toBeInstanceOf(BadRequestError);
    expect((benefits as BadRequestError).error).toMatchObject({
      message: expect.stringContaining("benefits"),
    });
    const assisted = await session(["company"], "assisted");
    expect(assisted).toBeInstanceOf(BadRequestError);
    expect((assisted as BadRequestError).error).toMatchObject({
      message: expect.stringContaining("assisted"),
    });
    const unknown = await rejection(
      appClient().connect.sessions.new({
        customer_id: "c1",
        customer_name: "Acme",
        products: ["company"],
        integration: { provider: "no_such_hr" },
      }),
    );
    expect(unknown).toBeInstanceOf(BadRequestError);
  });

  it("answers a connection's bearer token (the SDK's way) and refuses an invalid one on GET /providers", async () => {
    const { client } = await connect(["company"]);
    const ids: string[] = [];
    for await (const p of client.providers.list()) ids.push(p.id);
    expect(ids).toContain("justworks");
    const res = await fetch(`${standIn.url}providers`, { headers: { authorization: "Bearer nope" } });
    expect(res.status).toBe(401);
  });
});

describe("HRIS reads", () => {
  it("serves every product when granted", async () => {
    const { client } = await connect();

    const company = await client.hris.company.retrieve();
    expect(company).toMatchObject({ legal_name: "Acme Robotics", ein: "12-3456789" });

    const people = [];
    for await (const person of client.hris.directory.list({ limit: 2 })) people.push(person);
    expect(people.map((person) => person.first_name)).toEqual(["Ada", "Grace", "Katherine"]);
    expect(standIn.calls.filter((call) => call.path === "/employer/directory")).toHaveLength(2);

    const ids = people.map((person) => person.id);
    const individuals = await client.hris.individuals.retrieveMany({
      requests: [{ individual_id: ids[0] ?? "" }, { individual_id: "unknown-id" }],
    });
    expect(individuals.responses.map((item) => item.code)).toEqual([200, 404]);
    expect(individuals.responses[0]?.body).toMatchObject({ first_name: "Ada", last_name: "Lovelace" });
    expect(individuals.responses[1]?.body).toMatchObject({
      code: 404,
      name: "not_found_error",
      finch_code: "individual_not_found",
    });

    const employments = await client.hris.employments.retrieveMany({
      requests: ids.map((id) => ({ individual_id: id })),
    });
    expect(employments.responses).toHaveLength(3);
    for (const item of employments.responses) {
      expect(item.code).toBe(200);
      expect(item.body).toHaveProperty("income.amount");
      expect(item.body).toHaveProperty("title");
    }

    const payments = await client.hris.payments.list({ start_date: daysAgo(90), end_date: daysAgo(0) });
    expect(payments.items).toHaveLength(2);
    const newest = [...payments.items].sort((a, b) => (b.pay_date ?? "").localeCompare(a.pay_date ?? ""))[0];
    expect(newest?.individual_ids).toEqual(ids);
    const none = await client.hris.payments.list({ start_date: daysAgo(400), end_date: daysAgo(300) });
    expect(none.items).toEqual([]);

    const statements = await client.hris.payStatements.retrieveMany({
      requests: [{ payment_id: newest?.id ?? "" }, { payment_id: "no-such-payment" }],
    });
    expect(statements.responses.map((item) => item.code)).toEqual([200, 404]);
    expect(statements.responses[0]?.body).toHaveProperty("pay_statements.length", 3);

    const benefits = await client.hris.benefits.list();
    expect(benefits.items).toEqual([expect.objectContaining({ type: "401k", frequency: "every_paycheck" })]);
  });

  it("answers 403 insufficient_scope_error for a product the session never requested", async () => {
    const { client } = await connect(["company", "directory"]);
    const error = await rejection(
      client.hris.payments.list({ start_date: daysAgo(90), end_date: daysAgo(0) }),
    );
    expect(error).toBeInstanceOf(PermissionDeniedError);
    expect((error as PermissionDeniedError).error).toMatchObject({
      code: 403,
      name: "insufficient_scope_error",
    });
    expect((error as PermissionDeniedError).error).not.toHaveProperty("finch_code");
  });

  it("answers 202 with an empty body while data is still syncing; pay statements say so per payment", async () => {
    const { client, accessToken, connectionId } = await connect();
    standIn.setConnection(connectionId, { syncingProducts: ["directory", "pay_statement"] });

    // Finch docs: "an empty response from data endpoints with the HTTP status code 202".
    const raw = await fetch(`${standIn.url}employer/directory`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(raw.status).toBe(202);
    expect(await raw.text()).toBe("");
    // A client that builds the SDK's page before looking at the status fails on the empty body.
    await expect(client.hris.directory.list().withResponse()).rejects.toBeInstanceOf(TypeError);
    expect((await client.hris.directory.list().asResponse()).status).toBe(202);
    expect(await client.hris.company.retrieve()).toHaveProperty("legal_name");

    const statements = await client.hris.payStatements.retrieveMany({
      requests: [{ payment_id: "9a0e5b1c-2d3f-4a5b-8c6d-7e8f9a0b1c01" }],
    });
    expect(statements.responses[0]).toMatchObject({
      code: 202,
      body: { code: 202, name: "accepted", finch_code: "data_sync_in_progress" },
    });
  });

  it("models an automated provider's slow first sync: live reads, 200 after a delay, until it finishes, then Finch's webhooks", async () => {
    const { client, connectionId } = await connect(["company", "directory"], {
      initialSync: { readDelayMs: 150 },
    });
    expect((await client.account.introspect()).connection_status).toMatchObject({
      status: "processing",
      last_successful_sync: null,
    });
    const started = performance.now();
    // Finch: before the initial sync is done it "will request data live from the provider" — a 200, slowly.
    const live = await client.hris.company.retrieve().asResponse();
    expect(live.status).toBe(200);
    expect(await live.json()).toHaveProperty("legal_name");
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);

    const events = standIn.finishInitialSync(connectionId);
    expect(events.map((e) => e.event_type)).toEqual([
      "job.initial_data_sync_org.succeeded",
      "job.initial_data_sync_payroll.succeeded",
      "account.updated",
    ]);
    expect(events[2]).toMatchObject({
      connection_id: connectionId,
      data: { status: "connected", authentication_method: { type: "credential" } },
    });
    const fast = performance.now();
    expect(await client.hris.company.retrieve()).toHaveProperty("legal_name");
    expect(performance.now() - fast).toBeLessThan(140);
    expect((await client.account.introspect()).connection_status.status).toBe("connected");
  });

  it("answers an assisted connection's first sync with empty 202s (Finch Assist), and 202s when asked to", async () => {
    const assisted = await appClient().connect.sessions.new({
      customer_id: "cust_43",
      customer_name: "Assisted Co",
      products: ["company", "directory"],
      redirect_uri: REDIRECT_URI,
      integration: { provider: "adp_totalsource", auth_method: "assisted" },
    });
    const done = standIn.completeSession(assisted.session_id, { initialSync: {} });
    const response = await tokenClient(done.accessToken).hris.company.retrieve().asResponse();
    expect(response.status).toBe(202);
    expect(await response.text()).toBe("");

    const forced = await connect(["company"], { initialSync: { answer: "202" } });
    expect((await forced.client.hris.company.retrieve().asResponse()).status).toBe(202);
  });

  it("answers 401 reauthenticate_user and account_setup_required, while introspect still works", async () => {
    const { client, connectionId } = await connect();
    standIn.setConnection(connectionId, { status: "reauth" });
    const error = await rejection(client.hris.company.retrieve());
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).error).toMatchObject({
      code: 401,
      name: "authentication_error",
      finch_code: "reauthenticate_user",
    });
    expect((await client.account.introspect()).connection_status.status).toBe("reauth");

    standIn.setConnection(connectionId, { status: "error_no_account_setup" });
    const setup = await rejection(client.hris.directory.list());
    expect((setup as AuthenticationError).error).toMatchObject({ finch_code: "account_setup_required" });
  });

  it("reauthenticates a broken connection, keeping its ids", async () => {
    const first = await connect();
    standIn.setConnection(first.connectionId, { status: "reauth" });

    const session = await appClient().connect.sessions.reauthenticate({
      connection_id: first.connectionId,
      redirect_uri: REDIRECT_URI,
    });
    expect(session.connect_url).toContain("/connect?session=");
    const again = standIn.completeSession(session.session_id);
    expect(again.connectionId).toBe(first.connectionId);

    const token = await appClient().accessTokens.create({ code: again.code, redirect_uri: REDIRECT_URI });
    expect(token).toMatchObject({ connection_id: first.connectionId, customer_id: "cust_42" });
    const introspection = await tokenClient(token.access_token).account.introspect();
    expect(introspection.connection_status.status).toBe("connected");
  });

  it("rejects unknown tokens with 401 invalid_token_error", async () => {
    const error = await rejection(tokenClient("not-a-token").account.introspect());
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).error).toMatchObject({ code: 401, name: "invalid_token_error" });
  });
});

describe("faults and disconnect", () => {
  it("injects a 500 once, then recovers", async () => {
    const { client } = await connect();
    standIn.injectFault({ path: "/employer/company", status: 500 });
    const error = await rejection(client.hris.company.retrieve());
    expect(error).toBeInstanceOf(InternalServerError);
    expect((error as InternalServerError).status).toBe(500);
    expect(await client.hris.company.retrieve()).toHaveProperty("id");
  });

  it("injects 429 with Retry-After, a coded 401, and a retried 503", async () => {
    const { client, accessToken } = await connect();
    standIn.injectFault({ path: "/employer/", status: 429, retryAfterSeconds: 7 });
    const limited = await rejection(client.hris.benefits.list());
    expect(limited).toBeInstanceOf(RateLimitError);
    expect((limited as RateLimitError).headers.get("retry-after")).toBe("7");

    standIn.injectFault({ path: "/employer/directory", status: 401, code: "reauthenticate_user" });
    const reauth = await rejection(client.hris.directory.list());
    expect((reauth as AuthenticationError).error).toMatchObject({ finch_code: "reauthenticate_user" });

    standIn.injectFault({ path: "/introspect", status: 503, retryAfterSeconds: 0 });
    await tokenClient(accessToken, 1).account.introspect();
    const statuses = standIn.calls.filter((call) => call.path === "/introspect").map((call) => call.status);
    expect(statuses).toEqual([503, 200]);
  });

  it("disconnects: the token stops working", async () => {
    const { client, connectionId } = await connect();
    const disconnected: string[] = [];
    standIn.events.on("disconnected", (event) => disconnected.push(event.connectionId));
    expect(await client.account.disconnect()).toEqual({ status: "success" });
    const error = await rejection(client.account.introspect());
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).error).toMatchObject({ name: "invalid_token_error" });
    expect(standIn.connection(connectionId)?.status).toBe("disconnected");
    expect(disconnected).toEqual([connectionId]);
  });
});

describe("webhooks", () => {
  it("reproduces the SDK's test vector", () => {
    const headers = signFinchWebhook({
      secret: VECTOR.secret,
      id: VECTOR.id,
      timestamp: VECTOR.timestamp,
      body: VECTOR.body,
    });
    expect(headers).toEqual({
      "finch-event-id": VECTOR.id,
      "finch-timestamp": String(VECTOR.timestamp),
      "finch-signature": VECTOR.signature,
    });
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      vi.setSystemTime(new Date(VECTOR.timestamp * 1000));
      expect(() => appClient().webhooks.verifySignature(VECTOR.body, headers, VECTOR.secret)).not.toThrow();
    } finally {
      vi.useRealTimers();
    }
  });

  it("signs fresh events that webhooks.unwrap accepts, and nothing tampered", async () => {
    const { connectionId } = await connect();
    const connection = standIn.connection(connectionId);
    if (connection === undefined) throw new Error("connection missing");
    const event = buildAccountUpdatedEvent(connection, "reauth");
    expect(event).toMatchObject({
      event_type: "account.updated",
      connection_id: connectionId,
      data: { status: "reauth" },
    });
    const body = JSON.stringify(event);
    const headers = signFinchWebhook({
      secret: VECTOR.secret,
      id: "msg_fresh",
      timestamp: Math.floor(Date.now() / 1000),
      body,
    });
    expect(appClient().webhooks.unwrap(body, headers, VECTOR.secret)).toEqual(event);
    expect(() =>
      appClient().webhooks.unwrap(body.replace("reauth", "connected"), headers, VECTOR.secret),
    ).toThrow(/signature/);
    const stale = signFinchWebhook({
      secret: VECTOR.secret,
      id: "msg_old",
      timestamp: VECTOR.timestamp,
      body,
    });
    expect(() => appClient().webhooks.unwrap(body, stale, VECTOR.secret)).toThrow(/too old/);
  });

  it("delivers a signed webhook that the receiver verifies with the SDK", async () => {
    const { connectionId } = await connect();
    const received: unknown[] = [];
    const receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        try {
          const headers: IncomingHttpHeaders = req.headers;
          received.push(
            appClient().webhooks.unwrap(Buffer.concat(chunks).toString("utf8"), headers, VECTOR.secret),
          );
          res.writeHead(200).end("ok");
        } catch {
          res.writeHead(400).end("bad signature");
        }
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = receiver.address() as AddressInfo;
      const connection = standIn.connection(connectionId);
      if (connection === undefined) throw new Error("connection missing");
      const event = buildJobSucceededEvent(connection, { baseUrl: standIn.url });
      const delivery = await standIn.sendWebhook(
        `http://127.0.0.1:${port}/webhooks/finch`,
        VECTOR.secret,
        event,
      );
      expect(delivery.status).toBe(200);
      expect(received).toEqual([event]);
      expect(event).toMatchObject({ event_type: "job.initial_data_sync_org.succeeded" });
      expect(event.data?.job_url.startsWith(standIn.url)).toBe(true);
    } finally {
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
  });
});
