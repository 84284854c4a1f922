/**
 * `/u/:token` — unsubscribing from reminders and nudges by email (issue 23). Mail clients offer the
 * `List-Unsubscribe` link and, with `List-Unsubscribe-Post: List-Unsubscribe=One-Click`, POST to it themselves
 * (RFC 8058 §3.1: the POST carries no cookie or CSRF token; the URL's token is the proof). A GET — a person, or
 * a mail scanner — only shows a page whose button makes that POST. The verification outcome and calendar
 * changes still go.
 */
import type { AppContext } from "../context.ts";
import type { RateLimiter } from "../http/rate-limit.ts";
import { type RouteRequest, type Router, sendHtml, simplePage } from "../http/router.ts";
import { stopNudges, unsubscribeTarget } from "../onboarding/email-unsubscribe.ts";

const NOT_VALID = simplePage(
  "This link is not valid",
  "Check that the whole link was copied from the email, or ask your Fleet contact.",
);

const BUTTON =
  '<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit" style="font:inherit;font-weight:600;padding:.7rem 1.2rem;border-radius:6px;border:0;background:#1264a3;color:#fff;cursor:pointer">Stop reminders</button></form>';

/** Mounts `/u/:token` (GET: the page; POST: unsubscribe), counted against the page's rate limit. */
export function mountUnsubscribeRoutes(
  router: Router,
  ctx: AppContext,
  limited: (request: RouteRequest) => boolean,
): void {
  router.on("GET", "/u/:token", async (request) => {
    if (limited(request)) return;
    const target = await unsubscribeTarget(ctx, request.params.token ?? "");
    if (!target) return sendHtml(request.res, 404, NOT_VALID);
    if (target.stopped) {
      return sendHtml(request.res, 200, simplePage("Reminders are stopped", "You get no more reminders."));
    }
    const page = simplePage(
      "Stop reminders by email?",
      "You will get no more reminders about your Fleet onboarding. You will still hear when your connection is checked, and about changes to your call.",
    ).replace("</body>", `${BUTTON}</body>`);
    sendHtml(request.res, 200, page);
  });
  router.on("POST", "/u/:token", async (request) => {
    request.req.resume();
    if (limited(request)) return;
    if (!(await stopNudges(ctx, request.params.token ?? ""))) return sendHtml(request.res, 404, NOT_VALID);
    sendHtml(
      request.res,
      200,
      simplePage(
        "Reminders are stopped",
        "You will get no more reminders by email. You will still hear when your connection is checked, and about changes to your call.",
      ),
    );
  });
}

/** A limiter's check as the routes use it: true when refused (the 429 is sent). */
export function refuseWhenLimited(
  limiter: RateLimiter,
  clientAddress: (req: RouteRequest["req"]) => string,
): (request: RouteRequest) => boolean {
  return (request) => {
    const verdict = limiter.take(clientAddress(request.req));
    if (verdict.ok) return false;
    request.req.resume();
    request.res.setHeader("retry-after", String(verdict.retryAfterSeconds));
    sendHtml(
      request.res,
      429,
      simplePage("Too many requests", `Please wait ${verdict.retryAfterSeconds} seconds.`),
    );
    return true;
  };
}
