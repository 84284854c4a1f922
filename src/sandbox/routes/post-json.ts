/** The sandbox API's POST routes: same-origin only, a JSON body, and errors the page can show. */
import type { IncomingMessage } from "node:http";
import { z } from "zod";
import { type RouteRequest, type Router, sendJson } from "../../http/router.ts";
import { PageError } from "./session.ts";

const BODY_LIMIT = 256 * 1024;

/** Registers a POST route whose handler gets the parsed JSON body and answers with JSON. */
export function postJson(
  router: Router,
  path: string,
  handler: (input: unknown, request: RouteRequest) => Promise<unknown>,
): void {
  router.on("POST", path, async (request) => {
    const { req, res, body } = request;
    if (!sameOrigin(req)) return sendJson(res, 403, { error: "Cross-site requests are refused." });
    let input: unknown;
    try {
      const raw = (await body(BODY_LIMIT)).toString("utf8");
      input = raw.trim() === "" ? {} : JSON.parse(raw);
    } catch (err) {
      if (err instanceof SyntaxError) return sendJson(res, 400, { error: "The body is not JSON." });
      throw err;
    }
    try {
      sendJson(res, 200, await handler(input, request));
    } catch (err) {
      if (err instanceof PageError) return sendJson(res, err.status, { error: err.message });
      if (err instanceof z.ZodError) {
        return sendJson(res, 400, {
          error: err.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "),
        });
      }
      throw err;
    }
  });
}

/** Browsers send Origin on cross-site POSTs: only the page itself (or curl, which sends none) may act. */
function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}
