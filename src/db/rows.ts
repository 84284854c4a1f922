/**
 * Rows read straight from the driver (`db.sql`) in the shape Prisma gives the same columns.
 *
 * The hot paths (a checklist tick, its render, `/fleet status`) read through the driver, not Prisma: each
 * Prisma operation costs ~1–2 ms of CPU in its WebAssembly query planner and client, whatever its size,
 * against ~0.2 ms for the statement itself (docs/bench/2026-11-29-analysis.md). Every column is `@map`ped
 * to the snake_case of its field, so a row converts by name; test/db/rows.test.ts reads the same records
 * both ways and compares them, so a renamed column fails a test instead of reading `undefined`.
 */

const camel = (key: string) => key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** One driver row with camelCase keys (values as the driver parsed them: Date, boolean, number, string, JSON). */
export function camelRow<T>(row: Record<string, unknown>): T {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) out[camel(key)] = value;
  return out as T;
}

/**
 * A `json_agg`'d list of rows (as built by `jsonRows()` in SQL) with camelCase keys; the listed fields hold
 * timestamps, which JSON carries as text, and become Dates as Prisma returns them.
 */
export function camelJsonRows<T>(value: unknown, dateFields: readonly string[] = []): T[] {
  const list = typeof value === "string" ? (JSON.parse(value) as unknown) : value;
  if (!Array.isArray(list)) return [];
  return list.map((raw) => {
    const row = camelRow<Record<string, unknown>>(raw as Record<string, unknown>);
    for (const field of dateFields) {
      const at = row[field];
      if (typeof at === "string") row[field] = new Date(at);
    }
    return row as T;
  });
}
