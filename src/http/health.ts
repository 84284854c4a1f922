/** `GET /healthz`: 200 when the database answers, 503 otherwise (load balancers and the Dockerfile use it). */
import type { Database } from "../db/client.ts";
import { type RouteHandler, sendJson } from "./router.ts";

/** Builds the health route; `isStopping` makes it fail during graceful shutdown so traffic drains. */
export function healthRoute(db: Database, isStopping: () => boolean): RouteHandler {
  return async ({ res }) => {
    if (isStopping()) return sendJson(res, 503, { status: "stopping" });
    try {
      await withTimeout(db.ping(), 2_000);
      sendJson(res, 200, { status: "ok", database: db.kind });
    } catch {
      sendJson(res, 503, { status: "unavailable", database: db.kind, problem: "database did not answer" });
    }
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timeout")), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}
