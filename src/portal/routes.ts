/**
 * The private progress page's routes, for a customer who works by email:
 * - `GET /p/:token` — the page (reads only: mail scanners open links before people do);
 * - `GET /p/:token/call.ics` — the call's calendar file;
 * - `POST /p/:token/tick` — tick or untick a customer step (stored in the durable intake, then Slack's tick path);
 * - `POST /p/:token/recheck` — Slack's Re-check (same verification, same cooldown);
 * - `POST /p/:token/connect` — open Finch Connect (the session is created here, never on a GET);
 * - `POST /p/:token/reconnect` — after go-live, reauthenticate a connection with a health problem.
 * Every POST needs the page's CSRF token (and, when the browser sends one, our own Origin). Bad, expired and
 * revoked links get a clear page and change nothing; every request counts against a per-client rate limit
 * (PORTAL_LIMIT_PER_MINUTE: a person needs a few dozen requests at most; guessing a 256-bit token needs ~2^255).
 */

import { emailActor } from "../audit/actor.ts";
import { audit } from "../audit/audit.ts";
import type { AppContext } from "../context.ts";
import { connectLinkToken } from "../crypto.ts";
import { openConnectSession } from "../finch/connect-session.ts";
import { recheckFromPage } from "../finch/recheck.ts";
import { clientAddressOf } from "../http/client-address.ts";
import { answerConnect } from "../http/finch-routes.ts";
import { RateLimiter } from "../http/rate-limit.ts";
import {
  BodyTooLargeError,
  type RouteHandler,
  type RouteRequest,
  type Router,
  sendHtml,
  simplePage,
} from "../http/router.ts";
import type { DurableIntake } from "../intake/intake.ts";
import { buildCallCalendar, callCalendarFileName } from "../onboarding/calendar.ts";
import { currentCallEntry } from "../onboarding/call-calendar.ts";
import { checkPageTick } from "../onboarding/checklist-service.ts";
import {
  findPortalLink,
  type LinkLookup,
  type PortalLink,
  portalUrlFor,
} from "../onboarding/portal-links.ts";
import { isValidTimeZone } from "../time.ts";
import { CSRF_FIELD, csrfTokenFor, isValidCsrfToken } from "./csrf.ts";
import { buildPortalPage } from "./page.ts";
import { readPortalPage } from "./page-data.ts";
import { describePageTick, handlePageTicks, savingPageTicks, withSaving } from "./tick-intake.ts";
import { mountUnsubscribeRoutes, refuseWhenLimited } from "./unsubscribe-routes.ts";

/** A form post is a few hundred bytes. */
const FORM_LIMIT = 4096;

const REFUSAL: Record<Exclude<LinkLookup, { ok: true }>["reason"], [number, string, string]> = {
  unknown: [
    404,
    "This link is not valid",
    "Check that the whole link was copied from the email, or ask your Fleet contact for a new one.",
  ],
  expired: [
    410,
    "This link has expired",
    "Links to your private page work for 14 days. Ask your Fleet contact for a new one: nothing has changed.",
  ],
  revoked: [
    410,
    "This link no longer works",
    "Your Fleet contact turned it off, or the onboarding is complete. Ask them for a new one if you still need it.",
  ],
};

function send(res: RouteRequest["res"], status: number, html: string): void {
  sendHtml(res, status, html);
}

/** The link of a request, or a refusal page already sent. */
async function linkOf(ctx: AppContext, request: RouteRequest): Promise<PortalLink | null> {
  const found = await findPortalLink(ctx, request.params.token ?? "");
  if (found.ok) return found.link;
  const [status, title, message] = REFUSAL[found.reason];
  send(request.res, status, simplePage(title, message));
  return null;
}

/** The form of a POST, when it comes from our own page with the link's CSRF token; else a refusal is sent. */
async function checkedForm(
  ctx: AppContext,
  request: RouteRequest,
  link: PortalLink,
): Promise<URLSearchParams | null> {
  const origin = request.req.headers.origin;
  const ours = new URL(ctx.publicUrl).origin;
  const type = String(request.req.headers["content-type"] ?? "")
    .split(";")[0]
    ?.trim();
  const form =
    type === "application/x-www-form-urlencoded"
      ? new URLSearchParams((await request.body(FORM_LIMIT)).toString("utf8"))
      : null;
  if (
    !form ||
    // Browsers send `Origin: null` for a form posted under `Referrer-Policy: no-referrer` (Fetch standard,
    // "append a request Origin header"): only a named other site is refused; the CSRF token decides the rest.
    (origin !== undefined && origin !== "null" && origin !== ours) ||
    !isValidCsrfToken(link, form.get(CSRF_FIELD), ctx.keys)
  ) {
    if (!form) request.req.resume();
    ctx.logger.warn(
      { onboardingId: link.onboardingId },
      "private page: a post without its page's token refused",
    );
    send(
      request.res,
      403,
      simplePage(
        "This action was not accepted",
        "It did not come from your private page. Open the link from your email again and use the buttons there.",
      ),
    );
    return null;
  }
  return form;
}

async function showPage(
  ctx: AppContext,
  request: RouteRequest,
  link: PortalLink,
  token: string,
  notice?: string,
) {
  const read = await readPortalPage(ctx, link.onboardingId, link.email);
  const data = { ...read, steps: withSaving(read.steps, await savingPageTicks(ctx, link.onboardingId)) };
  const asked = request.url.searchParams.get("tz");
  const readerZone = asked && isValidTimeZone(asked) ? asked : (data.call?.timeZone ?? "UTC");
  const html = buildPortalPage(data, {
    pageUrl: portalUrlFor(ctx, token),
    csrf: csrfTokenFor(link, ctx.keys),
    readerZone,
    notice: notice ?? null,
  });
  send(request.res, notice ? 409 : 200, html);
}

/** `GET /p/:token/call.ics`: the call's calendar file, the same entry (UID, SEQUENCE) as the one in Slack. */
async function sendCallCalendar(ctx: AppContext, request: RouteRequest, link: PortalLink): Promise<void> {
  const entry = await currentCallEntry(ctx, link.onboardingId);
  if (!entry) {
    send(request.res, 404, simplePage("No call is booked", "Your Fleet contact will propose one."));
    return;
  }
  request.res.writeHead(200, {
    "content-type": "text/calendar; charset=utf-8",
    "content-disposition": `attachment; filename="${callCalendarFileName(entry)}"`,
    "cache-control": "no-store",
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
  });
  request.res.end(buildCallCalendar(entry));
}

/** How long a page tick's answer waits for its first attempt (a slow Slack must not hold the page). */
const TICK_ANSWER_BUDGET_MS = 1500;

/**
 * `POST /p/:token/tick`: checked by the tick rules (a refusal is answered on the page), stored in the durable
 * intake (src/portal/tick-intake.ts), then back to the page (post/redirect/get) once its first attempt is done
 * or its budget is spent; a failed attempt (Slack's chat.update) is the intake's to retry, not the reader's.
 */
async function postTick(
  ctx: AppContext,
  intake: DurableIntake,
  request: RouteRequest,
  link: PortalLink,
  form: URLSearchParams,
) {
  const token = request.params.token ?? "";
  const tick = { itemKey: form.get("item") ?? "", checked: form.get("done") === "1" };
  const actor = emailActor(link.email);
  const allowed = await checkPageTick(ctx, { onboardingId: link.onboardingId, itemKey: tick.itemKey, actor });
  if (!allowed.ok) return showPage(ctx, request, link, token, allowed.message);
  const delivery = describePageTick(link, { ...tick, channelId: allowed.channelId });
  const outcome = await intake.take(delivery);
  if (outcome === "refused") {
    request.res.setHeader("retry-after", "60");
    const message = "Your change was not saved. Nothing changed: please try again in a minute.";
    return send(request.res, 503, simplePage("Please try again", message));
  }
  if (outcome === "apply-now") {
    let timer: NodeJS.Timeout | undefined;
    const budget = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, TICK_ANSWER_BUDGET_MS);
    });
    await Promise.race([intake.applyNow(delivery), budget]);
    clearTimeout(timer);
  }
  // A reload of the page that follows does not post the tick again.
  request.res.writeHead(303, {
    location: portalUrlFor(ctx, token),
    "cache-control": "no-store",
    "referrer-policy": "no-referrer",
  });
  request.res.end();
}

/** `POST /p/:token/recheck`: Slack's Re-check (same verification, same cooldown), then back to the page. */
async function postRecheck(ctx: AppContext, request: RouteRequest, link: PortalLink): Promise<void> {
  const token = request.params.token ?? "";
  const refused = await recheckFromPage(ctx, link.onboardingId, emailActor(link.email));
  if (refused) return showPage(ctx, request, link, token, refused);
  request.res.writeHead(303, {
    location: portalUrlFor(ctx, token),
    "cache-control": "no-store",
    "referrer-policy": "no-referrer",
  });
  request.res.end();
}

/** `POST /p/:token/connect`: the app's Connect code creates (or reuses) the Finch session and redirects. */
async function postConnect(ctx: AppContext, request: RouteRequest, link: PortalLink): Promise<void> {
  await audit(ctx, {
    onboardingId: link.onboardingId,
    action: "portal.connect",
    actor: emailActor(link.email),
  });
  const answer = await openConnectSession(ctx, connectLinkToken(link.onboardingId, ctx.keys), "new");
  answerConnect(ctx, request, answer);
}

/** `POST /p/:token/reconnect`: after go-live, while a health problem is open, the reauthentication session. */
async function postReconnect(ctx: AppContext, request: RouteRequest, link: PortalLink): Promise<void> {
  await audit(ctx, {
    onboardingId: link.onboardingId,
    action: "portal.reconnect",
    actor: emailActor(link.email),
  });
  const answer = await openConnectSession(ctx, connectLinkToken(link.onboardingId, ctx.keys), "reauth");
  answerConnect(ctx, request, answer);
}

/**
 * Runs a page route; an unexpected failure is logged here without the path (it holds the token, which the
 * server's own "route failed" line would print) and answered with a plain page.
 */
function guarded(ctx: AppContext, handler: RouteHandler): RouteHandler {
  return async (request) => {
    try {
      await handler(request);
    } catch (err) {
      if (err instanceof BodyTooLargeError) throw err; // the server answers 413
      ctx.logger.error({ err, route: "private page" }, "private page request failed");
      if (request.res.headersSent) request.res.destroy();
      else send(request.res, 500, simplePage("Something went wrong", "Please try again in a minute."));
    }
  };
}

/** Mounts the private page's routes. */
export function mountPortalRoutes(router: Router, ctx: AppContext, intake: DurableIntake): void {
  handlePageTicks(ctx, intake);
  const limiter = new RateLimiter(ctx.config.http.portalLimitPerMinute, 60_000);
  const clientAddress = clientAddressOf(ctx.config.http.trustedProxies);
  /** Rate limit, then the link; null when a refusal was sent. */
  const open = async (request: RouteRequest): Promise<PortalLink | null> => {
    const verdict = limiter.take(clientAddress(request.req));
    if (!verdict.ok) {
      request.req.resume();
      request.res.setHeader("retry-after", String(verdict.retryAfterSeconds));
      send(
        request.res,
        429,
        simplePage("Too many requests", `Please wait ${verdict.retryAfterSeconds} seconds.`),
      );
      return null;
    }
    return linkOf(ctx, request);
  };
  /** A POST: rate limit, link, then the checked form; null when a refusal was sent. */
  const openPost = async (request: RouteRequest) => {
    const link = await open(request);
    const form = link && (await checkedForm(ctx, request, link));
    return link && form ? { link, form } : null;
  };

  mountUnsubscribeRoutes(router, ctx, refuseWhenLimited(limiter, clientAddress));
  router.on(
    "GET",
    "/p/:token",
    guarded(ctx, async (request) => {
      const link = await open(request);
      if (link) await showPage(ctx, request, link, request.params.token ?? "");
    }),
  );
  router.on(
    "GET",
    "/p/:token/call.ics",
    guarded(ctx, async (request) => {
      const link = await open(request);
      if (link) await sendCallCalendar(ctx, request, link);
    }),
  );
  router.on(
    "POST",
    "/p/:token/tick",
    guarded(ctx, async (request) => {
      const checked = await openPost(request);
      if (checked) await postTick(ctx, intake, request, checked.link, checked.form);
    }),
  );
  router.on(
    "POST",
    "/p/:token/recheck",
    guarded(ctx, async (request) => {
      const checked = await openPost(request);
      if (checked) await postRecheck(ctx, request, checked.link);
    }),
  );
  router.on(
    "POST",
    "/p/:token/connect",
    guarded(ctx, async (request) => {
      const checked = await openPost(request);
      if (checked) await postConnect(ctx, request, checked.link);
    }),
  );
  router.on(
    "POST",
    "/p/:token/reconnect",
    guarded(ctx, async (request) => {
      const checked = await openPost(request);
      if (checked) await postReconnect(ctx, request, checked.link);
    }),
  );
}
