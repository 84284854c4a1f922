/**
 * A local stand-in for the Finch API and Finch Connect, faithful to `@tryfinch/finch-api` 10.x.
 *
 * Every path, method, auth scheme and response shape below was read from the SDK's sources
 * (`resources/**`, `client.ts`, `core/error.ts`, `resources/webhooks.ts`), and responses are typed
 * with the SDK's own types so a drift shows up as a compile error. Error bodies follow Finch's
 * documented schema `{ code, name, finch_code?, message }` (developer.tryfinch.com, "Error Types").
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { WebhookEvent } from "@tryfinch/finch-api/resources/webhooks";
import { disconnect, introspect } from "./account.ts";
import { FinchAccounts } from "./accounts.ts";
import {
  cancelConnect,
  createReauthSession,
  createSession,
  exchangeCode,
  showConnectPage,
  submitConnectForm,
} from "./connect-flow.ts";
import { readHris } from "./hris.ts";
import { authKind, readJson, readText, sendJson, sendPage, sleep } from "./http.ts";
import {
  errorBody,
  type FaultRecord,
  faultError,
  finchError,
  type RequestContext,
  StandInHttpError,
} from "./records.ts";
import type {
  CallRecord,
  FaultSpec,
  FinchStandInOptions,
  FinchWebhookHeaders,
  StandInAccountUpdateEvent,
} from "./types.ts";
import { newWebhookId, signFinchWebhook } from "./webhooks.ts";

/** In-process Finch API and Finch Connect on 127.0.0.1, with recorded calls and scripted faults. */
export class FinchStandIn extends FinchAccounts {
  readonly #server: Server;
  #faults: FaultRecord[] = [];
  #calls: CallRecord[] = [];

  private constructor(server: Server, url: string, options: FinchStandInOptions) {
    super(url, options);
    this.#server = server;
  }

  /** Starts the HTTP server on 127.0.0.1. */
  static async start(options: FinchStandInOptions): Promise<FinchStandIn> {
    let standIn: FinchStandIn | undefined;
    const server = createServer((req, res) => {
      if (standIn === undefined) {
        res.writeHead(503).end();
        return;
      }
      void standIn.#handle(req, res);
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 0, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    standIn = new FinchStandIn(server, `http://127.0.0.1:${port}/`, options);
    return standIn;
  }

  /** Stops the server, dropping keep-alive connections so the promise settles promptly. */
  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  /** Requests answered so far, oldest first. */
  get calls(): readonly CallRecord[] {
    return [...this.#calls];
  }

  /** Adds a scripted fault; the oldest matching fault wins. */
  injectFault(spec: FaultSpec): void {
    this.#faults.push({ spec: { ...spec }, remaining: spec.times ?? 1 });
  }

  /** Removes every scripted fault. */
  clearFaults(): void {
    this.#faults = [];
  }

  /** POSTs a signed webhook to `targetUrl`, as Finch delivers one. */
  async sendWebhook(
    targetUrl: string,
    secret: string,
    event: WebhookEvent | StandInAccountUpdateEvent,
    options: { id?: string; timestamp?: number } = {},
  ): Promise<{ status: number; body: string; headers: FinchWebhookHeaders }> {
    const body = JSON.stringify(event);
    const headers = signFinchWebhook({
      secret,
      id: options.id ?? newWebhookId(),
      timestamp: options.timestamp ?? Math.floor(this.now().getTime() / 1000),
      body,
    });
    const response = await fetch(targetUrl, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body,
    });
    const text = await response.text();
    this.events.emit("webhook", { targetUrl, eventType: event.event_type, status: response.status });
    return { status: response.status, body: text, headers };
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const at = this.now().toISOString();
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const method = (req.method ?? "GET").toUpperCase();
    const context: RequestContext = { auth: authKind(req.headers.authorization) };
    res.setHeader("Finch-Request-Id", randomUUID());
    res.once("finish", () => {
      const call: CallRecord = {
        method,
        path: url.pathname,
        at,
        status: res.statusCode,
        durationMs: Math.round(performance.now() - started),
        auth: context.auth,
        ...(context.connectionId === undefined ? {} : { connectionId: context.connectionId }),
      };
      this.#calls.push(call);
      this.events.emit("call", call);
    });
    try {
      const fault = this.#takeFault(method, url.pathname);
      if (fault?.delayMs) await sleep(fault.delayMs);
      if (fault?.status !== undefined) throw faultError(fault);
      await this.#route(method, url, req, res, context);
    } catch (error) {
      if (error instanceof StandInHttpError) {
        sendJson(res, error.status, error.body, error.headers);
      } else {
        sendJson(res, 500, errorBody(500, "server_error", "The Finch stand-in failed to handle the request"));
      }
    }
  }

  async #route(
    method: string,
    url: URL,
    req: IncomingMessage,
    res: ServerResponse,
    context: RequestContext,
  ): Promise<void> {
    const route = `${method} ${url.pathname}`;
    switch (route) {
      case "POST /connect/sessions":
        this.requireClient(req);
        return sendJson(res, 200, createSession(this, await readJson(req)));
      case "POST /connect/sessions/reauthenticate":
        this.requireClient(req);
        return sendJson(res, 200, createReauthSession(this, await readJson(req)));
      case "GET /connect":
        return sendPage(res, showConnectPage(this, url.searchParams.get("session") ?? ""));
      case "POST /connect/complete":
        return sendPage(res, submitConnectForm(this, new URLSearchParams(await readText(req))));
      case "GET /connect/cancel":
        return sendPage(res, cancelConnect(this, url.searchParams.get("session") ?? ""));
      case "POST /connect/cancel":
        return sendPage(
          res,
          cancelConnect(this, new URLSearchParams(await readText(req)).get("session") ?? ""),
        );
      case "POST /auth/token":
        return sendJson(res, 200, exchangeCode(this, req, await readJson(req)));
      case "GET /providers":
        // The SDK sends a bearer token only when it has one (`__security: { bearerAuth }`); the catalogue
        // is the same for every caller, but a token that is sent must be valid.
        if (req.headers.authorization !== undefined) this.requireToken(req, context);
        return sendJson(res, 200, this.providers);
      case "GET /introspect":
        return sendJson(res, 200, introspect(this, this.requireToken(req, context), context.tokenId));
      case "POST /disconnect":
        return sendJson(res, 200, disconnect(this, this.requireToken(req, context)));
      case "GET /employer/company":
      case "GET /employer/directory":
      case "POST /employer/individual":
      case "POST /employer/employment":
      case "GET /employer/payment":
      case "POST /employer/pay-statement":
      case "GET /employer/benefits":
        return readHris(this, route, url, req, res, context);
      default:
        throw finchError(404, "not_found_error", `The stand-in has no route ${route}`, "item_not_found");
    }
  }

  #takeFault(method: string, path: string): FaultSpec | undefined {
    const index = this.#faults.findIndex(
      (fault) =>
        fault.remaining > 0 &&
        path.startsWith(fault.spec.path) &&
        (fault.spec.method === undefined || fault.spec.method.toUpperCase() === method),
    );
    const fault = this.#faults[index];
    if (fault === undefined) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.#faults.splice(index, 1);
    return fault.spec;
  }
}
