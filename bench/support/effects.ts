/**
 * Completion: when did each request's EFFECT appear, counted from the request's scheduled send time?
 *
 * - a check: the first `chat.update` reaching the Slack stand-in whose blocks say "Ticked by <@its user>"
 *   (or a later tick of the same box: the render then shows the newer state, which includes this one);
 * - every tick: its row in the `tick` table (the app writes one per real change, with the ticker's id and
 *   the app's clock at the write), read from the database after the run;
 * - a `/fleet status`: the answer reaching its response_url.
 *
 * All times are epoch milliseconds (performance.timeOrigin + performance.now() here and in the generator
 * process, the app's Date for database rows), so they compare across the processes of this machine.
 */
import { performance } from "node:perf_hooks";
import type { SlackStandIn } from "../../src/sandbox/slack/index.ts";
import type { SlackDriver } from "../../src/sandbox/slack-driver/index.ts";
import type { RequestMeta } from "./load.ts";

const epochNow = () => performance.timeOrigin + performance.now();
const TICKED_BY = /Ticked by <@([UW][A-Z0-9]+)>/g;

/** Watches the stand-in and the response_url sink for the effects of the planned requests. */
export class EffectTracker {
  /** Epoch ms of the first visible effect, by request index. */
  readonly updateAt = new Map<number, number>();
  readonly answerAt = new Map<number, number>();
  private checks = new Map<string, { index: number; slot: string; order: number }>();
  private pendingBySlot = new Map<string, Array<{ index: number; order: number }>>();
  private answers = new Map<string, number>();
  private expectedUpdates = 0;
  private expectedAnswers = 0;
  /** Epoch ms of the last chat.update and response_url answer seen. */
  lastUpdateAt = 0;
  lastAnswerAt = 0;
  private readonly onCall: (call: { method: string; args: Record<string, unknown>; ok: boolean }) => void;
  private readonly onResponse: (entry: { url: string }) => void;

  constructor(
    private readonly slack: SlackStandIn,
    private readonly driver: SlackDriver,
  ) {
    this.onCall = (call) => {
      if (call.method !== "chat.update" || !call.ok) return;
      const at = epochNow();
      this.lastUpdateAt = at;
      const blocks =
        typeof call.args.blocks === "string" ? call.args.blocks : JSON.stringify(call.args.blocks);
      for (const m of blocks.matchAll(TICKED_BY)) {
        const check = m[1] ? this.checks.get(m[1]) : undefined;
        if (!check) continue;
        const pending = this.pendingBySlot.get(check.slot) ?? [];
        const keep = [];
        for (const p of pending) {
          if (p.order <= check.order) this.updateAt.set(p.index, at);
          else keep.push(p);
        }
        this.pendingBySlot.set(check.slot, keep);
      }
    };
    this.onResponse = (entry) => {
      this.lastAnswerAt = epochNow();
      const index = this.answers.get(new URL(entry.url).pathname);
      if (index !== undefined && !this.answerAt.has(index)) this.answerAt.set(index, epochNow());
    };
    slack.events.on("call", this.onCall);
    driver.events.on("response", this.onResponse);
  }

  /** Registers the requests of a run (before it starts). */
  expect(meta: RequestMeta[]): void {
    this.updateAt.clear();
    this.answerAt.clear();
    this.checks.clear();
    this.pendingBySlot.clear();
    this.answers.clear();
    this.expectedUpdates = 0;
    this.expectedAnswers = 0;
    meta.forEach((m, index) => {
      if (m.kind === "command") {
        this.answers.set(new URL(m.responseUrl).pathname, index);
        this.expectedAnswers++;
      } else if (m.checked) {
        const list = this.pendingBySlot.get(m.slot) ?? [];
        const entry = { index, slot: m.slot, order: index };
        this.checks.set(m.userId, entry);
        list.push(entry);
        this.pendingBySlot.set(m.slot, list);
        this.expectedUpdates++;
      }
    });
  }

  /** Effects still missing. */
  outstanding(): number {
    return this.expectedUpdates - this.updateAt.size + (this.expectedAnswers - this.answerAt.size);
  }

  /**
   * Waits until every expected effect has appeared and the stand-in has seen no chat.update for
   * `quietMs` (so the unchecks' renders are in too); or until nothing at all happened for `idleMs` (a
   * check overtaken by a later click on the same box never shows its own name); at most `maxMs`.
   * Returns false only when work was still arriving at `maxMs`.
   */
  async drain(maxMs: number, quietMs = 750, idleMs = 5_000): Promise<boolean> {
    const started = epochNow();
    const until = started + maxMs;
    while (epochNow() < until) {
      const idle = epochNow() - Math.max(this.lastUpdateAt, this.lastAnswerAt, started);
      if (this.outstanding() === 0 ? idle > quietMs : idle > idleMs) return true;
      await new Promise((r) => setTimeout(r, 50));
    }
    return false;
  }

  stop(): void {
    this.slack.events.off("call", this.onCall);
    this.driver.events.off("response", this.onResponse);
  }
}

/** The `tick` rows of the load's users (ids starting with "UB"): user id → epoch ms of the write. */
export async function tickRows(db: {
  sql: { query: (q: string) => Promise<Array<Record<string, unknown>>> };
}): Promise<Map<string, number>> {
  const rows = await db.sql.query(
    `select user_id, (extract(epoch from at) * 1000)::float8 as at from tick where user_id like 'UB%'`,
  );
  return new Map(rows.map((r) => [String(r.user_id), Number(r.at)]));
}
