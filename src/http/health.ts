/**
 * `GET /healthz` (load balancers and the Dockerfile use it):
 * - 200 `ok` when the database answers;
 * - 200 `degraded` when it does not but the intake's local spool still takes deliveries: this instance keeps
 *   acknowledging Slack and Finch and applies everything once the database is back, so it must stay in the
 *   pool (restarting it would not bring the database back);
 * - 503 when the spool is full too, or while shutting down, so traffic goes elsewhere.
 */
import type { Database } from "../db/client.ts";
import { type RouteHandler, sendJson } from "./router.ts";

/** What the health route needs to know about the intake's spool. */
export interface SpoolState {
  size(): Promise<number>;
  hasRoom(): Promise<boolean>;
}

/** Builds the health route; `isStopping` makes it fail during graceful shutdown so traffic drains. */
export function healthRoute(db: Database, isStopping: () => boolean, spool: SpoolState): RouteHandler {
  return async ({ res }) => {
    if (isStopping()) return sendJson(res, 503, { status: "stopping" });
    try {
      await withTimeout(db.ping(), 2_000);
      const spooled = await spool.size();
      sendJson(res, 200, { status: "ok", database: db.kind, ...(spooled ? { spooled } : {}) });
    } catch {
      const spooled = await spool.size().catch(() => -1);
      if (await spool.hasRoom().catch(() => false)) {
        return sendJson(res, 200, {
          status: "degraded",
          database: db.kind,
          problem: "database did not answer; deliveries are spooled and applied when it is back",
          spooled,
        });
      }
      sendJson(res, 503, {
        status: "unavailable",
        database: db.kind,
        problem: "database did not answer and the intake spool is full",
        spooled,
      });
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
