/**
 * Set-aside spool files for tests (issue 22 point 8): whole deliveries "the database refused", written by a
 * spool of their own and moved into an app's spool folder as `.rejected`, as its replay would leave them; and
 * the rep's Home as the next view published after an action.
 */
import { mkdirSync, mkdtempSync, readdirSync, renameSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KeyRing } from "../../src/crypto.ts";
import { Spool } from "../../src/intake/spool.ts";
import { HOME_TEAM, REP } from "./harness.ts";

/** Puts one `.rejected` file per event id into `dir` (oldest first); returns their names. */
export async function putRejected(dir: string, keys: KeyRing, eventIds: string[]): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const staging = mkdtempSync(join(tmpdir(), "fc-stage-"));
  const other = new Spool(staging, keys, { maxFiles: 100, maxBytes: 10_000_000 });
  for (const [i, eventId] of eventIds.entries()) {
    await other.append({
      key: `evt:${eventId}`,
      source: "slack",
      kind: "event:app_home_opened",
      orderKey: null,
      userId: REP.id,
      teamId: HOME_TEAM.id,
      channelId: null,
      summary: `event ${i}`,
      body: { type: "event_callback", event_id: eventId, event: { type: "unknown_event" } },
      receivedAt: new Date(1_700_000_000_000 + i * 1_000),
    });
  }
  const names = readdirSync(staging)
    .sort()
    .map((name) => `${name}.rejected`);
  for (const name of names) renameSync(join(staging, name.replace(/\.rejected$/, "")), join(dir, name));
  return names;
}
