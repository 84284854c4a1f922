/**
 * `/fleet report [weeks]` from a snapshot when taking the report is slow: the report of each window asked for is
 * taken by the same SQL as always (buildOnboardingReport); when that took longer than SNAPSHOT_SLOW_TAKE_MS it
 * is kept in this app's memory and retaken in the background while someone asks for it, so a rep's command
 * reads no table. At 500,000 onboardings a report takes seconds ("where customers stall" must visit every idle
 * active onboarding); a small installation (or the sandbox) keeps taking it live, exact to the moment. Closed
 * weeks are not cached apart: they still change (an invitation's status, an email customer, a provider switch,
 * a later verification's auth method), and a whole report taken at one moment is exactly the report of that
 * moment; its `to` says which.
 */
import { performance } from "node:perf_hooks";
import { memorySlot } from "../app-memory.ts";
import type { AppContext } from "../context.ts";
import { type OnboardingReport, reportForLastWeeks, reportWindow } from "./report.ts";

/** A report that took longer than this to take is served from its snapshot (the target is 100 ms). */
export const SNAPSHOT_SLOW_TAKE_MS = 250;
/** A snapshot is served while at most this old. */
export const SNAPSHOT_MAX_AGE_MS = 5 * 60_000;
/** The refresher's period (PostgreSQL only): under the max age, so a window kept warm is always served from memory. */
export const SNAPSHOT_REFRESH_MS = 2 * 60_000;
/** A window is kept warm this long after it was last asked for (then forgotten: no work for unused reports). */
export const SNAPSHOT_KEEP_WARM_MS = 24 * 3_600_000;

/** What taking a report needs. */
export type SnapshotContext = Pick<AppContext, "db" | "clock" | "config" | "logger">;

/** One window (a number of weeks): its last snapshot (if taking it was slow), the one being taken, the last ask. */
interface Entry {
  report: OnboardingReport | null;
  /** Whether the last taking was slow: only then is the snapshot served and kept warm. */
  slow: boolean;
  taking: Promise<OnboardingReport> | null;
  askedAt: number;
}

/** Whether `report` may answer for `weeks` at `now`: same window start (same week), taken at most max age ago. */
export function isFresh(report: OnboardingReport, weeks: number, now: Date): boolean {
  const age = now.getTime() - report.to.getTime();
  return (
    report.from.getTime() === reportWindow(now, weeks).from.getTime() &&
    age >= 0 &&
    age <= SNAPSHOT_MAX_AGE_MS
  );
}

/** This app's snapshots, by number of weeks. */
export class ReportSnapshots {
  private readonly entries = new Map<number, Entry>();
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly slowTakeMs: number;

  constructor(options: { slowTakeMs?: number } = {}) {
    this.slowTakeMs = options.slowTakeMs ?? SNAPSHOT_SLOW_TAKE_MS;
  }

  /** A fresh snapshot, else one taken now (joining a refresh under way when that one is fresh). */
  async report(ctx: SnapshotContext, weeks: number): Promise<OnboardingReport> {
    const now = ctx.clock.now();
    const entry = this.entryOf(weeks);
    entry.askedAt = now.getTime();
    if (entry.slow && entry.report && isFresh(entry.report, weeks, now)) return entry.report;
    const taken = await this.take(ctx, weeks, entry);
    // A refresh started before a week boundary (or a clock moved back) answers for another window.
    return isFresh(taken, weeks, now) ? taken : reportForLastWeeks(ctx, weeks);
  }

  /** Retakes every window asked for within the keep-warm time, forgets the others (the refresher's tick). */
  async refresh(ctx: SnapshotContext): Promise<void> {
    const now = ctx.clock.now().getTime();
    for (const [weeks, entry] of this.entries) {
      if (entry.taking) continue;
      if (!entry.slow || now - entry.askedAt > SNAPSHOT_KEEP_WARM_MS) {
        this.entries.delete(weeks);
        continue;
      }
      try {
        await this.take(ctx, weeks, entry);
      } catch (err) {
        ctx.logger.warn({ err, weeks }, "report snapshot: not retaken; the next ask takes it");
      }
    }
    if (this.entries.size === 0) this.stopWarming();
  }

  /** Whether the refresher runs (windows are kept warm). */
  get keepsWarm(): boolean {
    return this.timer !== null;
  }

  /** Stops the refresher for good (the app stops): a take still under way does not start it again. */
  dispose(): void {
    this.stopped = true;
    this.stopWarming();
  }

  private stopWarming(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private entryOf(weeks: number): Entry {
    let entry = this.entries.get(weeks);
    if (!entry) {
      entry = { report: null, slow: false, taking: null, askedAt: 0 };
      this.entries.set(weeks, entry);
    }
    return entry;
  }

  /** One taking per window at a time: asks during a refresh wait for it instead of running the SQL again. */
  private take(ctx: SnapshotContext, weeks: number, entry: Entry): Promise<OnboardingReport> {
    const started = performance.now();
    entry.taking ??= reportForLastWeeks(ctx, weeks)
      .then((report) => {
        entry.report = report;
        entry.slow = performance.now() - started > this.slowTakeMs;
        // Only on PostgreSQL: a single PGlite runs one statement at a time, so a background take would hold up
        // every tick behind it; there a snapshot older than the max age is retaken by the next ask.
        if (entry.slow && ctx.db.kind === "postgres") this.keepWarm(ctx);
        return report;
      })
      .finally(() => {
        entry.taking = null;
      });
    return entry.taking;
  }

  private keepWarm(ctx: SnapshotContext): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => void this.refresh(ctx), SNAPSHOT_REFRESH_MS);
    this.timer.unref();
  }
}

/** This app's report snapshots (src/app-memory.ts): built on the first `/fleet report`, stopped with the app. */
export const REPORT_SNAPSHOTS = memorySlot("report snapshots", () => new ReportSnapshots());

/** `/fleet report [weeks]`: the report of the last `weeks` weeks from this app's snapshots. */
export function snapshotReport(
  ctx: SnapshotContext & Pick<AppContext, "memory">,
  weeks: number,
): Promise<OnboardingReport> {
  return ctx.memory.of(REPORT_SNAPSHOTS).report(ctx, weeks);
}
