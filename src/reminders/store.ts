/**
 * The reminder queue in the database: claims with a lease, so several replicas never take the same
 * reminder, and every state change is conditional on still holding the lease.
 *
 * Life of a reminder: pending → (claimed) sending → sent | cancelled | failed, or back to pending with a
 * "not before" time (kept in `lease_until`) after a transient failure. A lease that runs out (the replica
 * died) makes the reminder claimable again; the claimer then first looks for it in Slack, because the
 * dead replica may have posted it without recording that.
 *
 * Each statement is a single short UPDATE: no transaction or row lock is held while Slack is called. They
 * are written in SQL and run through the driver (`db.sql`), not Prisma: these run several times per
 * reminder, and even Prisma's `$queryRaw` costs a pass of its WebAssembly query compiler and client per
 * statement (measured: 0.9 ms against 3.0 ms for an `updateMany`; the driver skips both, see
 * docs/bench/2026-12-07-analysis.md, "hL"). Statements that must say whether they changed a row RETURN it.
 */
import type { Database } from "../db/client.ts";

/** What the queue needs of the database: its driver. */
type Db = Pick<Database, "sql">;

/** A reminder as handed to the sender by {@link claimDueReminders}. */
export interface ClaimedReminder {
  id: string;
  onboardingId: string | null;
  kind: string;
  dedupeKey: string;
  dueAt: Date;
  /** Posts begun before this claim (a post whose outcome is unknown counts). */
  attempts: number;
  /** Where a post was attempted (recorded with the attempt, before the post). */
  channelId: string | null;
  callAt: Date | null;
  userId: string | null;
  localDate: string | null;
  createdAt: Date;
  /** True when this claim took over a lease that ran out (its holder crashed or stalled). */
  leaseExpired: boolean;
}

/** A claimed row as the driver returns it (ids as text, timestamps as Dates). */
type ClaimedRow = Omit<ClaimedReminder, "attempts"> & { attempts: number | string };

/**
 * Claims up to `limit` due reminders of the given kinds for `owner` until `leaseUntil`; concurrent
 * claimers skip each other's rows.
 */
export async function claimDueReminders(
  db: Db,
  input: { owner: string; now: Date; leaseUntil: Date; limit: number; kinds: readonly string[] },
): Promise<ClaimedReminder[]> {
  const { owner, now, leaseUntil, limit } = input;
  // The sub-select locks the rows it picks (SKIP LOCKED: rows another replica is claiming right now are
  // passed over, not waited for); the UPDATE marks them ours in the same statement, and the sub-select's
  // previous status tells whether we took over an expired lease.
  const rows = (await db.sql.query(
    `UPDATE reminder AS r
    SET status = 'sending', leased_by = $1::text, lease_until = $2::timestamptz
    FROM (
      SELECT id, status AS prev_status
      FROM reminder
      WHERE due_at <= $3::timestamptz
        AND kind = ANY($4::text[])
        AND (
          (status = 'pending' AND (lease_until IS NULL OR lease_until <= $3::timestamptz))
          OR (status = 'sending' AND (lease_until IS NULL OR lease_until <= $3::timestamptz))
        )
      ORDER BY due_at
      LIMIT $5::int
      FOR UPDATE SKIP LOCKED
    ) AS due
    WHERE r.id = due.id
    RETURNING r.id::text AS "id", r.onboarding_id::text AS "onboardingId", r.kind, r.dedupe_key AS "dedupeKey",
      r.due_at AS "dueAt", r.attempts, r.channel_id AS "channelId", r.call_at AS "callAt",
      r.user_id AS "userId", r.local_date AS "localDate", r.created_at AS "createdAt",
      (due.prev_status = 'sending') AS "leaseExpired"`,
    [owner, leaseUntil, now, [...input.kinds], limit],
  )) as ClaimedRow[];
  return rows
    .map((row) => ({ ...row, attempts: Number(row.attempts) }))
    .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
}

/** What {@link beginAttempt} needs of one reminder. */
export interface BeginAttemptInput {
  id: string;
  owner: string;
  channelId: string;
  leaseUntil: Date;
}

/**
 * Right before a post: renews our lease, counts the attempt and records the channel, in one statement.
 * False when the lease is no longer ours (another replica took over): then we must not post.
 */
export async function beginAttempt(db: Db, input: BeginAttemptInput): Promise<boolean> {
  return (await beginAttempts(db, [input]))[0] === true;
}

/**
 * {@link beginAttempt} for several reminders in one statement (./scheduler/coalesce.ts gathers them): each
 * row keeps its own condition, and the answer for each input says whether its lease was still ours.
 * Ids must be distinct (a row is updated once per statement).
 */
export async function beginAttempts(db: Db, inputs: readonly BeginAttemptInput[]): Promise<boolean[]> {
  const rows = (await db.sql.query(
    `UPDATE reminder AS r
    SET lease_until = v.lease_until::timestamptz, attempts = r.attempts + 1, channel_id = v.channel_id
    FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) AS v(id, owner, channel_id, lease_until)
    WHERE r.id = v.id AND r.leased_by = v.owner AND r.status = 'sending'
    RETURNING r.id::text AS id`,
    [
      inputs.map((i) => i.id),
      inputs.map((i) => i.owner),
      inputs.map((i) => i.channelId),
      inputs.map((i) => i.leaseUntil.toISOString()),
    ],
  )) as Array<{ id: string }>;
  return answersFor(inputs, rows);
}

/** For each input, whether its id is among the rows a statement returned. */
function answersFor(inputs: readonly { id: string }[], rows: readonly { id: string }[]): boolean[] {
  const changed = new Set(rows.map((r) => r.id.toLowerCase()));
  return inputs.map((i) => changed.has(i.id.toLowerCase()));
}

/** Records the reminder as sent (posted now, or found already posted); false when the lease was lost. */
export async function markSent(
  db: Db,
  input: { id: string; owner: string; channelId: string; messageTs: string; sentAt: Date },
): Promise<boolean> {
  const rows = await db.sql.query(
    `UPDATE reminder
    SET status = 'sent', channel_id = $1::text, message_ts = $2::text, sent_at = $3::timestamptz,
      leased_by = NULL, lease_until = NULL, last_error = NULL
    WHERE id = $4::uuid AND leased_by = $5::text
    RETURNING 1 AS n`,
    [input.channelId, input.messageTs, input.sentAt, input.id, input.owner],
  );
  return rows.length === 1;
}

/** Gives the reminder back to the queue, claimable again from `notBefore` (null: at once). */
export async function releaseReminder(
  db: Db,
  input: { id: string; owner: string; notBefore: Date | null; error?: string | null },
): Promise<void> {
  const keepError = input.error === undefined;
  await db.sql.query(
    `UPDATE reminder
    SET status = 'pending', leased_by = NULL, lease_until = $1::timestamptz,
      last_error = CASE WHEN $2::boolean THEN last_error ELSE $3::text END
    WHERE id = $4::uuid AND leased_by = $5::text AND status = 'sending'`,
    [input.notBefore, keepError, input.error ?? null, input.id, input.owner],
  );
}

/** Ends a claimed reminder without sending it: `cancelled` (no longer wanted) or `failed` (cannot be sent). */
export async function finishUnsent(
  db: Db,
  input: { id: string; owner: string; status: "cancelled" | "failed"; reason: string },
): Promise<void> {
  await db.sql.query(
    `UPDATE reminder
    SET status = $1::text, last_error = $2::text, leased_by = NULL, lease_until = NULL
    WHERE id = $3::uuid AND leased_by = $4::text AND status = 'sending'`,
    [input.status, input.reason.slice(0, 500), input.id, input.owner],
  );
}

/** What {@link markSentAndRecord} needs of one sent reminder. */
export interface MarkSentAndRecordInput {
  id: string;
  owner: string;
  channelId: string;
  messageTs: string;
  sentAt: Date;
  onboardingId: string | null;
  messageKind: string | null;
  nudged: boolean;
  audit: { action: string; detail: Record<string, unknown> };
}

/**
 * {@link markSent} plus what follows a post, in one statement (one round trip instead of three or four):
 * the message recorded as the onboarding's (`messageKind`), the nudge time (`nudged`), and the audit event.
 * Resolves with whether the lease was still ours; everything else is written either way, as before.
 */
export async function markSentAndRecord(db: Db, input: MarkSentAndRecordInput): Promise<boolean> {
  return (await markSentAndRecordMany(db, [input]))[0] === true;
}

/**
 * {@link markSentAndRecord} for several reminders in one statement (./scheduler/coalesce.ts gathers them);
 * each reminder's row keeps its own lease condition. Ids must be distinct.
 */
export async function markSentAndRecordMany(
  db: Db,
  inputs: readonly MarkSentAndRecordInput[],
): Promise<boolean[]> {
  const rows = (await db.sql.query(
    `WITH v AS (
      SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::uuid[], $7::text[],
        $8::boolean[], $9::boolean[], $10::text[], $11::text[])
        AS v(id, owner, channel_id, message_ts, sent_at, onboarding_id, message_kind, remember, nudged, action, detail)
    ), sent AS (
      UPDATE reminder AS r
      SET status = 'sent', channel_id = v.channel_id, message_ts = v.message_ts,
        sent_at = v.sent_at::timestamptz, leased_by = NULL, lease_until = NULL, last_error = NULL
      FROM v
      WHERE r.id = v.id AND r.leased_by = v.owner
      RETURNING r.id::text AS id
    ), message AS (
      INSERT INTO slack_message (id, onboarding_id, kind, channel_id, ts)
      SELECT gen_random_uuid(), v.onboarding_id, v.message_kind, v.channel_id, v.message_ts FROM v WHERE v.remember
      ON CONFLICT (channel_id, ts) DO NOTHING
    ), nudged AS (
      UPDATE onboarding AS o SET last_nudge_at = n.at, updated_at = now()
      FROM (SELECT onboarding_id, max(sent_at::timestamptz) AS at FROM v WHERE v.nudged GROUP BY onboarding_id) AS n
      WHERE o.id = n.onboarding_id
    ), audited AS (
      INSERT INTO audit_event (onboarding_id, action, external, detail)
      SELECT v.onboarding_id, v.action, false, v.detail::jsonb FROM v
    )
    SELECT id FROM sent`,
    [
      inputs.map((i) => i.id),
      inputs.map((i) => i.owner),
      inputs.map((i) => i.channelId),
      inputs.map((i) => i.messageTs),
      inputs.map((i) => i.sentAt.toISOString()),
      inputs.map((i) => i.onboardingId),
      inputs.map((i) => i.messageKind ?? ""),
      inputs.map((i) => !!(i.onboardingId && i.messageKind && i.messageTs)),
      inputs.map((i) => i.nudged),
      inputs.map((i) => i.audit.action),
      inputs.map((i) => JSON.stringify(i.audit.detail)),
    ],
  )) as Array<{ id: string }>;
  return answersFor(inputs, rows);
}

/**
 * Queues the retry of a reminder's email copies (`kind`: day_before_email or nudge_email), due at `dueAt`, for
 * the same call and day; once per reminder (`dedupeKey`): a second failure of the same copies queues nothing.
 */
export async function queueEmailRetry(
  db: Db,
  input: {
    reminder: Pick<ClaimedReminder, "onboardingId" | "callAt" | "localDate">;
    kind: string;
    dedupeKey: string;
    dueAt: Date;
    error: string;
  },
): Promise<void> {
  const { reminder } = input;
  await db.sql.query(
    `INSERT INTO reminder (id, onboarding_id, kind, dedupe_key, due_at, call_at, local_date, last_error)
    VALUES (gen_random_uuid(), $1::uuid, $2::text, $3::text, $4::timestamptz, $5::timestamptz, $6::text, $7::text)
    ON CONFLICT (dedupe_key) DO NOTHING`,
    [
      reminder.onboardingId,
      input.kind,
      input.dedupeKey,
      input.dueAt,
      reminder.callAt,
      reminder.localDate,
      input.error.slice(0, 500),
    ],
  );
}
