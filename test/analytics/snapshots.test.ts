/**
 * `/fleet report` from snapshots (src/analytics/snapshots.ts), on PGlite and on PostgreSQL: a snapshot is the
 * report taken live at its `to` (deep-equal to buildOnboardingReport then), a second ask within 5 minutes runs
 * no statement, a late change shows once the snapshot is retaken (refresher or max age), and a week boundary
 * never serves last week's window. The small seed takes fast, so the snapshots here count every taking as slow
 * (`slowTakeMs: -1`); the last test keeps the default's other side (fast: always live).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { buildOnboardingReport, type OnboardingReport, reportWindow } from "../../src/analytics/report.ts";
import {
  ReportSnapshots,
  SNAPSHOT_KEEP_WARM_MS,
  SNAPSHOT_MAX_AGE_MS,
  type SnapshotContext,
} from "../../src/analytics/snapshots.ts";
import type { Config } from "../../src/config.ts";
import { ManualClock } from "../../src/context.ts";
import type { Database } from "../../src/db/client.ts";
import { createLogger } from "../../src/logger.ts";
import { DB_KINDS, openTestDatabase } from "../helpers/db.ts";
import { NOW, seedKnownTrail } from "./seed.ts";

const MIN = 60_000;
const STALL_DAYS = 5;

describe.each(DB_KINDS)("report snapshots on %s", (kind) => {
  let db: Database;
  let statements = 0;
  let clock: ManualClock;
  let ctx: SnapshotContext;
  let snapshots: ReportSnapshots;
  const snapshotReport = (c: SnapshotContext, weeks: number) => snapshots.report(c, weeks);
  beforeAll(async () => {
    db = await openTestDatabase(kind);
    await seedKnownTrail(db);
  });
  afterAll(async () => {
    snapshots?.dispose();
    await db?.close();
  });
  beforeEach(() => {
    clock = new ManualClock(NOW);
    statements = 0;
    // The report's SQL goes through db.sql.query only: counted here.
    const counted: Database = {
      ...db,
      sql: {
        ...db.sql,
        query: (text, params) => {
          statements++;
          return db.sql.query(text, params);
        },
      },
    };
    ctx = {
      db: counted,
      clock,
      config: { thresholds: { stallAfterDays: STALL_DAYS } } as Config,
      logger: createLogger({ level: "silent" }),
    };
    snapshots?.dispose();
    snapshots = new ReportSnapshots({ slowTakeMs: -1 });
  });

  /** The report as the old `/fleet report` took it: live, at the clock's now. */
  const live = (weeks: number): Promise<OnboardingReport> => {
    const now = clock.now();
    return buildOnboardingReport(db, reportWindow(now, weeks), { now, stallAfterDays: STALL_DAYS });
  };

  /** A late event: a verified check of onboarding `key`'s journey, at the clock's now. */
  const verifyNow = async (customer: string) => {
    const o = await db.prisma.onboarding.findFirstOrThrow({ where: { customer: { name: customer } } });
    await db.prisma.verification.create({
      data: {
        onboardingId: o.id,
        status: "verified",
        trigger: "callback",
        createdAt: clock.now(),
        outcome: { connection: { methods: [{ type: "assisted" }] } },
      },
    });
  };

  it("answers a second ask within 5 minutes from the snapshot, without a statement, with the live figures", async () => {
    const first = await snapshotReport(ctx, 2);
    expect(first).toEqual(await live(2));
    const taken = statements;
    expect(taken).toBeGreaterThan(0);
    clock.advance(SNAPSHOT_MAX_AGE_MS - MIN);
    const second = await snapshotReport(ctx, 2);
    expect(statements).toBe(taken);
    // The figures as of the snapshot: its `to` says when.
    expect(second.to).toEqual(NOW);
    expect(second).toEqual(first);
    // Another window is another snapshot.
    await snapshotReport(ctx, 1);
    expect(statements).toBe(2 * taken);
  });

  it("asks made while a report is being taken share it", async () => {
    const [a, b] = await Promise.all([snapshotReport(ctx, 2), snapshotReport(ctx, 2)]);
    const once = statements;
    expect(a).toBe(b);
    // One report's statements, not two.
    statements = 0;
    await new ReportSnapshots({ slowTakeMs: -1 }).report(ctx, 2);
    expect(once).toBe(statements);
  });

  it("shows a late change once retaken: by the refresher, or when the snapshot is older than 5 minutes", async () => {
    const before = await snapshotReport(ctx, 2);
    // Week 2 (from 03-16): C connected, nothing verified yet (report.test.ts).
    expect(before.weeks[1]?.counts.verified).toBe(0);
    clock.advance(MIN);
    await verifyNow("Co c");
    // Within the max age: the snapshot (as of its `to`), not the change.
    expect((await snapshotReport(ctx, 2)).weeks[1]?.counts.verified).toBe(0);
    clock.advance(MIN);
    await snapshots.refresh(ctx);
    const refreshed = await snapshotReport(ctx, 2);
    expect(refreshed.to).toEqual(clock.now());
    expect(refreshed).toEqual(await live(2));
    expect(refreshed.weeks[1]?.counts.verified).toBe(1);
    expect(refreshed.journeys.find((j) => j.providerId === "gusto")?.toVerified.n).toBe(1);

    // No refresher run: the next ask after the max age takes it live.
    clock.advance(MIN);
    await verifyNow("Co e");
    clock.advance(SNAPSHOT_MAX_AGE_MS + MIN);
    const aged = await snapshotReport(ctx, 2);
    expect(aged.to).toEqual(clock.now());
    expect(aged).toEqual(await live(2));
    expect(aged.weeks[1]?.counts.verified).toBe(2);
  });

  it("never serves last week's window after Monday 00:00 UTC, and counts a change made just before it", async () => {
    clock.set(new Date("2026-03-22T23:58:00Z"));
    const sunday = await snapshotReport(ctx, 2);
    expect(sunday.from.toISOString()).toBe("2026-03-09T00:00:00.000Z");
    clock.set(new Date("2026-03-22T23:59:00Z"));
    await verifyNow("Co d");
    // Three minutes later, well within the max age, but in the next week: a new window, taken now.
    clock.set(new Date("2026-03-23T00:01:00Z"));
    const taken = statements;
    const monday = await snapshotReport(ctx, 2);
    expect(statements).toBeGreaterThan(taken);
    expect(monday.from.toISOString()).toBe("2026-03-16T00:00:00.000Z");
    expect(monday).toEqual(await live(2));
    // D's first verified check, a minute before the boundary, counts in the week now closed; the new week has none.
    const sundayWeek = sunday.weeks[1]?.counts.verified ?? Number.NaN;
    expect(monday.weeks.map((w) => w.counts.verified)).toEqual([sundayWeek + 1, 0]);
  });

  it("keeps a slow window warm in the background on PostgreSQL only (PGlite runs one statement at a time)", async () => {
    expect(snapshots.keepsWarm).toBe(false);
    await snapshotReport(ctx, 2);
    expect(snapshots.keepsWarm).toBe(kind === "postgres");
  });

  it("stays stopped once disposed (the app stopped), even when a take under way ends after", async () => {
    const asked = snapshotReport(ctx, 2);
    snapshots.dispose();
    await asked;
    expect(snapshots.keepsWarm).toBe(false);
  });

  it("forgets a window not asked for in 24 hours: the refresher then takes nothing", async () => {
    await snapshotReport(ctx, 2);
    clock.advance(SNAPSHOT_KEEP_WARM_MS + MIN);
    const taken = statements;
    await snapshots.refresh(ctx);
    expect(statements).toBe(taken);
    expect(snapshots.keepsWarm).toBe(false);
  });

  it("takes a report that is fast to take live at every ask: a change shows at once, nothing is kept warm", async () => {
    const fast = new ReportSnapshots({ slowTakeMs: Number.POSITIVE_INFINITY });
    const before = await fast.report(ctx, 1);
    const taken = statements;
    const o = await db.prisma.onboarding.findFirstOrThrow({ where: { customer: { name: "Co c" } } });
    await db.prisma.tick.create({
      data: { onboardingId: o.id, itemKey: "step9", checked: true, at: clock.now() },
    });
    clock.advance(MIN);
    const after = await fast.report(ctx, 1);
    expect(statements).toBe(2 * taken);
    expect(after).toEqual(await live(1));
    expect(after.slowestSteps.map((s) => s.itemKey)).toContain("step9");
    expect(before.slowestSteps.map((s) => s.itemKey)).not.toContain("step9");
    await fast.refresh(ctx);
    expect(statements).toBe(2 * taken);
    fast.dispose();
  });
});
