/**
 * `GET /healthz` (load balancers and the Dockerfile use it):
 * - 200 `ok` when the database answers;
 * - 200 `degraded` when it does not but the intake's local spool still takes deliveries: this instance keeps
 *   acknowledging Slack and Finch and applies everything once the database is back, so it must stay in the
 *   pool (restarting it would not bring the database back);
 * - 200 `degraded` too when the database answers but the intake falls behind: the oldest delivery waiting to
 *   be applied is older than `maxPendingAgeMs`, or dead letters number more than `maxDeadLetters`
 *   (HEALTH_* settings); the figures and the spool's set-aside files (`.unreadable`, `.rejected`) are shown;
 * - 503 when the spool is full too, or while shutting down, so traffic goes elsewhere.
 */
import type { Database } from "../db/client.ts";
import { intakeHealth } from "../intake/store.ts";
import { type RouteHandler, sendJson } from "./router.ts";

/** What the health route needs to know about the intake's spool. */
export interface SpoolState {
  size(): Promise<number>;
  hasRoom(): Promise<boolean>;
  setAside?(): Promise<{ unreadable: number; rejected: number }>;
}

/** When the intake counts as falling behind (HEALTH_MAX_PENDING_AGE_SECONDS, HEALTH_MAX_DEAD_LETTERS). */
export interface IntakeHealthLimits {
  maxPendingAgeMs: number;
  maxDeadLetters: number;
}

const DEFAULT_LIMITS: IntakeHealthLimits = { maxPendingAgeMs: 300_000, maxDeadLetters: 10 };

/** Builds the health route; `isStopping` makes it fail during graceful shutdown so traffic drains. */
export function healthRoute(
  db: Database,
  isStopping: () => boolean,
  spool: SpoolState,
  limits: IntakeHealthLimits = DEFAULT_LIMITS,
): RouteHandler {
  return async ({ res }) => {
    if (isStopping()) return sendJson(res, 503, { status: "stopping" });
    try {
      await withTimeout(db.ping(), 2_000);
      const spooled = await spool.size();
      const aside = await spool.setAside?.().catch(() => null);
      const setAside = aside && aside.unreadable + aside.rejected > 0 ? { spoolSetAside: aside } : {};
      const intake = await withTimeout(intakeHealth({ db }), 2_000);
      const problems = [
        intake.oldestPendingMs > limits.maxPendingAgeMs
          ? "the oldest delivery waiting to be applied is too old"
          : "",
        intake.deadLetters > limits.maxDeadLetters ? "too many dead letters (see the App Home)" : "",
      ].filter(Boolean);
      sendJson(res, 200, {
        status: problems.length ? "degraded" : "ok",
        database: db.kind,
        ...(problems.length ? { problem: problems.join("; ") } : {}),
        ...(problems.length
          ? {
              oldestPendingSeconds: Math.round(intake.oldestPendingMs / 1000),
              deadLetters: intake.deadLetters,
            }
          : {}),
        ...(spooled ? { spooled } : {}),
        ...setAside,
      });
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
