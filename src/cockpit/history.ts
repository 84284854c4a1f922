/** The audit trail of one onboarding: latest entries for Slack, and the full history as CSV. */

import type { HistoryEntry } from "../blocks/history.ts";
import type { AppContext } from "../context.ts";

/** The rep's line per entry lives with the history message (src/blocks). */
export { describeEntry } from "../blocks/history.ts";
export type { HistoryEntry };

/** The newest entries first. */
export async function latestHistory(
  ctx: AppContext,
  onboardingId: string,
  limit = 15,
): Promise<HistoryEntry[]> {
  return ctx.db.prisma.auditEvent.findMany({
    where: { onboardingId },
    orderBy: [{ at: "desc" }, { id: "desc" }],
    take: limit,
    select: { at: true, action: true, actorUserId: true, actorTeamId: true, external: true, detail: true },
  });
}

/** RFC 4180 CSV of the full history (oldest first), streamed from the database in pages. */
export async function historyCsv(ctx: AppContext, onboardingId: string): Promise<string> {
  const lines = ["at,action,actor_user_id,actor_team_id,external,detail"];
  let cursor: bigint | undefined;
  for (;;) {
    const page = await ctx.db.prisma.auditEvent.findMany({
      where: { onboardingId, ...(cursor !== undefined ? { id: { gt: cursor } } : {}) },
      orderBy: { id: "asc" },
      take: 1000,
    });
    for (const e of page) {
      lines.push(
        [
          e.at.toISOString(),
          e.action,
          e.actorUserId ?? "",
          e.actorTeamId ?? "",
          e.external ? "yes" : "no",
          e.detail ? JSON.stringify(e.detail) : "",
        ]
          .map(csvField)
          .join(","),
      );
    }
    if (page.length < 1000) break;
    cursor = page.at(-1)?.id;
  }
  return `${lines.join("\r\n")}\r\n`;
}

/** Quotes a CSV field when needed; neutralises spreadsheet formulas (=, +, -, @) typed by anyone. */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
