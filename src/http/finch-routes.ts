/**
 * Finch's browser and server routes:
 * - `GET /connect/:token`, `GET /reconnect/:token` — our never-stale links: a page whose button (a POST to the
 *   same address) makes the Finch Connect session and redirects to it; the GET itself creates nothing, since mail
 *   scanners and link previews open links before people do;
 * - `GET /finch/callback` — Finch's redirect after Connect (code exchange, then verification);
 * - `POST /finch/webhooks` — signed events (raw body, 1 MB, verified by the SDK, de-duplicated by id).
 * Pages are short and friendly; codes and tokens never reach a log line or a page.
 */
import type { IncomingMessage } from "node:http";
import type { AppContext } from "../context.ts";
import { connectLinkToken, readConnectLinkToken } from "../crypto.ts";
import { isUsableWebhookSecret, unwrapFinchWebhook, type WebhookEvent } from "../finch/client.ts";
import { completeConnect } from "../finch/connect-callback.ts";
import { type BrowserAnswer, openConnectSession, SESSION_MINUTES } from "../finch/connect-session.ts";
import { verifyConnection } from "../finch/verify.ts";
import { handleFinchEvent } from "../finch/webhooks.ts";
import { confirmPage, connectLinkPages, type PageText, tooManyAttemptsPage } from "../html/connect-pages.ts";
import type { IncomingDelivery } from "../intake/delivery.ts";
import type { DurableIntake } from "../intake/intake.ts";
import { ONE_MEGABYTE } from "../limits.ts";
import { inDelivery } from "../slack-gateway/delivery-scope.ts";
import { clientAddressOf } from "./client-address.ts";
import { RateLimiter } from "./rate-limit.ts";
import { type RouteRequest, type Router, sendHtml, sendJson, sendText, simplePage } from "./router.ts";

/** Runs work after the response, so a graceful stop can wait for it (src/background.ts InFlight). */
export interface BackgroundWork {
  track<T>(work: Promise<T>): Promise<T>;
}

/** Remembers, in the browser, which onboarding it left for Finch: only to attribute a cancel or bad code. */
const COOKIE = "fleet_connect";

function cookieHeader(ctx: AppContext, onboardingId: string): string {
  const secure = ctx.publicUrl.startsWith("https:") ? "; Secure" : "";
  // The path as browsers see it (PUBLIC_URL may carry a prefix that a proxy strips).
  const path = new URL("finch/callback", ctx.publicUrl).pathname;
  return `${COOKIE}=${connectLinkToken(onboardingId, ctx.keys)}; Path=${path}; Max-Age=${SESSION_MINUTES * 60}; HttpOnly; SameSite=Lax${secure}`;
}

function onboardingFromCookie(ctx: AppContext, req: IncomingMessage): string | null {
  const header = req.headers.cookie ?? "";
  const value = header
    .split(";")
    .map((part) => part.trim())
    .find((part) => part.startsWith(`${COOKIE}=`))
    ?.slice(COOKIE.length + 1);
  return value ? readConnectLinkToken(value, ctx.keys) : null;
}

/** Answers a browser with a Connect outcome: the redirect to Finch (with the callback cookie) or a page. */
export function answerConnect(ctx: AppContext, { res }: RouteRequest, result: BrowserAnswer): void {
  if (result.kind === "redirect") {
    res.writeHead(302, {
      location: result.location,
      "cache-control": "no-store",
      "referrer-policy": "no-referrer",
      "set-cookie": cookieHeader(ctx, result.onboardingId),
    });
    res.end();
    return;
  }
  if (result.kind === "confirm") {
    sendHtml(res, 200, confirmPage(result));
    return;
  }
  sendHtml(res, result.status, simplePage(result.title, result.message));
}

/** Sends a short page with what `text` says. */
function sendPage(res: RouteRequest["res"], status: number, text: PageText): void {
  sendHtml(res, status, simplePage(text.title, text.message));
}

function header(req: IncomingMessage, name: string): string {
  const value = req.headers[name];
  return Array.isArray(value) ? (value[0] ?? "") : (value ?? "");
}

/** Mounts the Finch routes. */
export function mountFinchRoutes(
  router: Router,
  ctx: AppContext,
  background: BackgroundWork,
  intake: DurableIntake,
): void {
  // Finch webhooks go through the durable intake like Slack's deliveries: stored before the 200, applied after.
  intake.handle("finch", (delivery, live) => {
    // Keyed by the delivery: a retried webhook adopts the notes its first attempt posted.
    const scope = {
      key: delivery.key,
      attempt: delivery.attempts,
      receivedAt: delivery.receivedAt,
      replay: !live,
    };
    return inDelivery(scope, () => handleFinchEvent(ctx, delivery.body as WebhookEvent));
  });
  router.on("GET", "/connect/:token", connectRoute(ctx, "new"));
  router.on("GET", "/reconnect/:token", connectRoute(ctx, "reauth"));
  router.on("POST", "/connect/:token", connectRoute(ctx, "new"));
  router.on("POST", "/reconnect/:token", connectRoute(ctx, "reauth"));
  router.on("GET", "/finch/callback", callbackRoute(ctx, background));
  router.on("POST", "/finch/webhooks", webhookRoute(ctx, background, intake));
}

/**
 * `/connect/:token` and `/reconnect/:token`: a GET checks the link and shows its button; the button's POST
 * makes (or reuses) the Finch Connect session and redirects. A POST named from another site is refused (the
 * token is the only credential, but a link leaked into another page must not open sessions by itself).
 */
function connectRoute(ctx: AppContext, mode: "new" | "reauth") {
  return async (request: RouteRequest) => {
    const { req, res } = request;
    // Link previews and scanners send HEAD: they must not create Finch sessions.
    if (req.method === "HEAD") {
      res.writeHead(200, { "cache-control": "no-store" }).end();
      return;
    }
    const token = request.params.token ?? "";
    if (req.method === "GET") {
      answerConnect(ctx, request, await openConnectSession(ctx, token, mode, { preview: true }));
      return;
    }
    req.resume();
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== "null" && origin !== new URL(ctx.publicUrl).origin) {
      sendPage(res, 403, connectLinkPages.notOpenedHere);
      return;
    }
    answerConnect(ctx, request, await openConnectSession(ctx, token, mode));
  };
}

/** `GET /finch/callback`: the code exchange, a page for the browser, then the verification in Slack. */
function callbackRoute(ctx: AppContext, background: BackgroundWork) {
  const callbackLimiter = new RateLimiter(ctx.config.finch.callbackLimitPerMinute, 60_000);
  const clientAddress = clientAddressOf(ctx.config.http.trustedProxies);
  return async ({ url, req, res }: RouteRequest) => {
    // A HEAD (prefetch, scanner) must not spend the one-time code.
    if (req.method === "HEAD") {
      res.writeHead(200, { "cache-control": "no-store" }).end();
      return;
    }
    // Guessing codes costs a Finch exchange and a claim row each: a person needs a handful of tries at most.
    const verdict = callbackLimiter.take(clientAddress(req));
    if (!verdict.ok) {
      ctx.logger.warn({ route: "/finch/callback" }, "finch callback rate-limited");
      res.setHeader("retry-after", String(verdict.retryAfterSeconds));
      sendPage(res, 429, tooManyAttemptsPage(verdict));
      return;
    }
    const result = await completeConnect(ctx, {
      code: url.searchParams.get("code"),
      error: url.searchParams.get("error"),
      hintOnboardingId: onboardingFromCookie(ctx, req),
    });
    const verifyId = result.verifyOnboardingId;
    if (verifyId) {
      // Answer the browser at once; the verification posts its result in Slack.
      void background.track(
        verifyConnection(ctx, verifyId, { trigger: "callback", announce: "always" }).catch((err: unknown) =>
          ctx.logger.error({ err, onboardingId: verifyId }, "finch verification after connect failed"),
        ),
      );
    }
    sendHtml(res, result.status, simplePage(result.title, result.message));
  };
}

/** `POST /finch/webhooks`: verified, stored in the intake before the 200, applied after. */
function webhookRoute(ctx: AppContext, background: BackgroundWork, intake: DurableIntake) {
  return async ({ req, res, body }: RouteRequest) => {
    const secret = ctx.config.finch.webhookSecret;
    if (!secret) {
      req.resume();
      return sendText(
        res,
        503,
        "Finch webhooks are not configured here (FINCH_WEBHOOK_SECRET is unset); connections are polled instead.",
      );
    }
    if (!isUsableWebhookSecret(secret)) {
      req.resume();
      ctx.logger.error("FINCH_WEBHOOK_SECRET is not valid base64; every Finch webhook is refused");
      return sendText(res, 503, "Finch webhooks are misconfigured here (the signing secret is unusable).");
    }
    const raw = (await body(ONE_MEGABYTE)).toString("utf8");
    const headers = {
      "finch-event-id": header(req, "finch-event-id"),
      "finch-timestamp": header(req, "finch-timestamp"),
      "finch-signature": header(req, "finch-signature"),
    };
    let event: WebhookEvent;
    try {
      event = unwrapFinchWebhook(raw, headers, secret);
    } catch (err) {
      // The SDK's reasons (missing header, stale timestamp, no matching signature) carry no secrets.
      const reason = err instanceof Error ? err.message : "invalid";
      ctx.logger.warn({ reason }, "finch webhook refused");
      return sendText(res, 400, "Webhook signature or timestamp is not valid.");
    }
    if (typeof event !== "object" || event === null)
      return sendText(res, 400, "Webhook body is not an object.");
    const delivery = describeFinchEvent(headers["finch-event-id"], event);
    const outcome = await intake.take(delivery);
    if (outcome === "refused") {
      // Not stored anywhere: no 2xx, so Finch delivers it again later.
      res.setHeader("retry-after", "60");
      return sendText(res, 503, "Temporarily unable to accept webhooks; please retry.");
    }
    if (outcome === "duplicate") {
      ctx.logger.info({ eventType: event.event_type ?? null }, "duplicate finch webhook dropped");
      return sendJson(res, 200, { ok: true, duplicate: true });
    }
    sendJson(res, 200, { ok: true });
    // Applied after the answer (Finch reads, Slack posts); the intake retries it if this fails.
    if (outcome === "apply-now") void background.track(intake.applyNow(delivery));
  };
}

/** Describes a verified Finch webhook for the intake; events of one connection keep their order. */
function describeFinchEvent(eventId: string, event: WebhookEvent): IncomingDelivery {
  const e = event as {
    event_type?: string;
    connection_id?: string;
    account_id?: string;
    company_id?: string;
  };
  const connection = e.connection_id ?? e.account_id ?? e.company_id ?? null;
  return {
    key: `finch-event:${eventId}`,
    source: "finch",
    kind: `finch:${e.event_type ?? "unknown"}`,
    orderKey: connection ? `finch:${connection}` : null,
    userId: null,
    teamId: null,
    channelId: null,
    summary: `Finch webhook ${e.event_type ?? "unknown"}`,
    body: event,
    receivedAt: new Date(),
  };
}
