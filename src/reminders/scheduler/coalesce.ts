/**
 * Coalescing the drain's per-reminder writes: the scheduler's workers each renew a lease before a post and
 * record it after, at nearly the same moments. Instead of one statement (one pg round trip and socket write)
 * per call, calls made while the event loop turns — and while the previous statement of the same kind is
 * in flight — go out as one multi-row statement (src/reminders/store.ts, `…Many`). Each row keeps its own
 * conditions (our lease, still sending), so exactly-once is untouched: each caller gets its own row's answer.
 */

import type { Database } from "../../db/client.ts";
import {
  type BeginAttemptInput,
  beginAttempts,
  type MarkSentAndRecordInput,
  markSentAndRecordMany,
} from "../store.ts";

/** A call waiting for its batch. */
interface Waiting<I, O> {
  input: I;
  resolve: (out: O) => void;
  reject: (err: unknown) => void;
}

/**
 * Gathers calls into batches for `run` (one answer per input, in order): at most `maxInFlight` batches in
 * flight (default 1); the next starts once one returns, with everything that came meanwhile (up to `maxBatch`; calls with the same
 * `key` go to separate batches, as one statement updates a row once). When a batch of several fails, each call
 * is tried alone, so one bad row cannot fail the others and each caller meets its own error.
 */
export class Coalescer<I, O> {
  private waiting: Waiting<I, O>[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly run: (inputs: I[]) => Promise<O[]>,
    private readonly key: (input: I) => string,
    private readonly options: { maxBatch?: number; maxInFlight?: number } = {},
  ) {}

  /** Resolves with this input's answer once its batch has run. */
  call(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ input, resolve, reject });
      this.schedule();
    });
  }

  /** Starts a batch after the current turn of the event loop (so calls from other I/O callbacks join it). */
  private schedule(): void {
    if (this.scheduled || this.inFlight >= (this.options.maxInFlight ?? 1)) return;
    this.scheduled = true;
    setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    const batch = this.take();
    if (batch.length === 0) return;
    this.inFlight++;
    try {
      await this.settle(batch);
    } finally {
      this.inFlight--;
      if (this.waiting.length > 0) this.schedule();
    }
  }

  /** The next batch: waiting calls in order, distinct keys, at most `maxBatch`. */
  private take(): Waiting<I, O>[] {
    const keys = new Set<string>();
    const batch: Waiting<I, O>[] = [];
    const rest: Waiting<I, O>[] = [];
    for (const w of this.waiting) {
      const k = this.key(w.input);
      if (batch.length < (this.options.maxBatch ?? 64) && !keys.has(k)) {
        keys.add(k);
        batch.push(w);
      } else rest.push(w);
    }
    this.waiting = rest;
    return batch;
  }

  private async settle(batch: Waiting<I, O>[]): Promise<void> {
    try {
      const out = await this.run(batch.map((w) => w.input));
      for (const [i, w] of batch.entries()) w.resolve(out[i] as O);
    } catch (err) {
      if (batch.length === 1) {
        batch[0]?.reject(err);
        return;
      }
      await Promise.all(batch.map((w) => this.settle([w])));
    }
  }
}

/** The drain's coalesced queue writes, one pair per running scheduler. */
export interface QueueWrites {
  /** {@link beginAttempts} for one reminder: false when the lease is no longer ours (then do not post). */
  beginAttempt(input: BeginAttemptInput): Promise<boolean>;
  /** {@link markSentAndRecordMany} for one reminder: whether the lease was still ours. */
  markSentAndRecord(input: MarkSentAndRecordInput): Promise<boolean>;
}

/** Coalescing queue writes on `db`. */
export function coalescedQueueWrites(db: Pick<Database, "sql">): QueueWrites {
  const begins = new Coalescer(
    (inputs: BeginAttemptInput[]) => beginAttempts(db, inputs),
    (i) => i.id,
  );
  const marks = new Coalescer(
    (inputs: MarkSentAndRecordInput[]) => markSentAndRecordMany(db, inputs),
    (i) => i.id,
  );
  return {
    beginAttempt: (input) => begins.call(input),
    markSentAndRecord: (input) => marks.call(input),
  };
}
