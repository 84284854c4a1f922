/**
 * Connection health after go-live: what introspect says about a verified connection, judged against what it
 * had when it was verified. Pure: the use case (health-check.ts) reads Finch and the database and acts.
 *
 * Problems, most serious first: `disconnected` (closed at the provider or Finch), `reauth` (Finch cannot sign
 * in), `lost_access` (a product or permission the connection had is gone), `stale_sync` (a product's data has
 * not synced for FINCH_STALE_SYNC_DAYS; introspect's `last_successful_sync`, per authentication method).
 */

/** A problem kind. */
export type HealthProblemKind = "disconnected" | "reauth" | "lost_access" | "stale_sync";

/** A judged problem, with what it concerns. */
export interface HealthProblem {
  kind: HealthProblemKind;
  /** Products lost or stale (empty for reauth and disconnected). */
  products: string[];
  /** The oldest last successful sync of a stale product. */
  lastSync?: Date;
}

/** What introspect said (or what a failed introspect means). */
export interface HealthReading {
  /** Finch's connection status (`connected`, `reauth`, `disconnected`, `error_permissions`, `pending` …). */
  status: string;
  products: string[];
  /** `connection_status.last_successful_sync` (ISO), when given. */
  lastSuccessfulSync?: string | null;
  /** Per authentication method: its products and last successful sync. */
  methods?: Array<{ products?: string[]; lastSuccessfulSync?: string | null }>;
}

const DAY_MS = 86_400_000;

const parse = (iso: string | null | undefined): Date | null => {
  if (!iso) return null;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
};

/** The last successful sync of each expected product (its method's, else the connection's). */
export function lastSyncByProduct(reading: HealthReading, products: string[]): Map<string, Date | null> {
  const overall = parse(reading.lastSuccessfulSync);
  const result = new Map<string, Date | null>();
  for (const product of products) {
    const times = (reading.methods ?? [])
      .filter((m) => m.products?.includes(product))
      .map((m) => parse(m.lastSuccessfulSync))
      .filter((d): d is Date => d !== null);
    // Several methods may serve one product: the freshest one counts.
    result.set(product, times.length ? new Date(Math.max(...times.map((d) => d.getTime()))) : overall);
  }
  return result;
}

/** Judges a reading against the products the connection had when verified; null when healthy. */
export function judgeHealth(
  reading: HealthReading,
  expectedProducts: string[],
  now: Date,
  staleDays: number,
): HealthProblem | null {
  if (reading.status === "disconnected") return { kind: "disconnected", products: [] };
  if (reading.status === "reauth") return { kind: "reauth", products: [] };
  // Still syncing (a re-sync after a reconnect): nothing to say yet.
  if (reading.status === "pending" || reading.status === "processing") return null;
  const lost = expectedProducts.filter((p) => !reading.products.includes(p));
  if (lost.length > 0 || reading.status === "error_permissions") {
    return { kind: "lost_access", products: lost };
  }
  const cutoff = now.getTime() - staleDays * DAY_MS;
  const stale = [...lastSyncByProduct(reading, expectedProducts)].filter(
    ([, at]) => at !== null && at.getTime() < cutoff,
  );
  if (stale.length === 0) return null;
  const oldest = new Date(Math.min(...stale.map(([, at]) => (at as Date).getTime())));
  return { kind: "stale_sync", products: stale.map(([p]) => p).sort(), lastSync: oldest };
}

/** A stable text of a problem, stored beside it: a change of what is lost counts as a new problem. */
export function problemDetail(problem: HealthProblem): string {
  return problem.products.join(",");
}

/** What the customer and the rep read lives with the other sentences (src/blocks). */
export { healthReason } from "../blocks/health-notes.ts";
