/**
 * Onboarding analytics, in SQL that runs on both PGlite and PostgreSQL (plain PostgreSQL: CTEs, FILTER,
 * percentile_cont). Every figure is computed from the audit trail and the onboarding tables; week windows are
 * computed by the caller (UTC Mondays) and passed in, so the session time zone never matters.
 *
 * Definitions (also in README "Onboarding report"):
 * - an invitation is *sent* at `invite.sent_at`; *accepted* at the first `invite.accepted`/`invite.approved`
 *   audit event for its email, *declined* at the first `invite.declined`; *expired* when it was neither and is
 *   still `sent` 14 days after it was sent (Slack Connect invitations expire then), at that moment;
 * - an onboarding starts at `/fleet onboard` (its row), is *connected* at its first `finch.connected` audit
 *   event and *verified* at its first verification whose outcome is `verified`; its auth method is the first
 *   `authentication_methods[].type` introspect reported in its latest verification that names one;
 * - an *email* customer has an HR admin who works by email (an invite with status `email`, EMAIL_STATUS in
 *   src/onboarding/email-fallback.ts: via=email, or a refused, declined or unanswered invitation); the others
 *   count as Slack. Not the channel: every onboarding gets one (the rep's side of the checklist), email or not.
 */
import type { Database } from "../db/client.ts";

/** n, median and 90th percentile of a duration, in hours (null when n is 0). */
export interface DurationStat {
  n: number;
  medianHours: number | null;
  p90Hours: number | null;
}

/** Slack Connect invitations expire after 14 days. */
export const INVITE_EXPIRY_DAYS = 14;
const WEEK_SECONDS = 7 * 86_400;

async function rowsOf<T = Record<string, unknown>>(
  db: Database,
  text: string,
  params: unknown[],
): Promise<T[]> {
  return (await db.sql.query(text, params)) as T[];
}

const stat = (n: unknown, p50: unknown, p90: unknown): DurationStat => ({
  n: Number(n ?? 0),
  medianHours: p50 === null || p50 === undefined ? null : Number(p50) / 3600,
  p90Hours: p90 === null || p90 === undefined ? null : Number(p90) / 3600,
});

/** One event counted in a week: `kind` and the 0-based index of the week from `from`. */
export interface WeeklyCount {
  kind: WeeklyKind;
  week: number;
  n: number;
}

/** What is counted per week. */
export type WeeklyKind =
  | "started_slack"
  | "started_email"
  | "invite_sent"
  | "invite_accepted"
  | "invite_declined"
  | "invite_expired"
  | "connected"
  | "verified";

const IN_WINDOW = (col: string) => `${col} >= $1::timestamptz and ${col} < $2::timestamptz`;
const ACCEPTED = `('invite.accepted', 'invite.approved')`;
const DECLINED = `('invite.declined')`;

/**
 * The invitations whose first `actions` audit event for their email falls in [$1, $2), with that moment
 * (`at`) and when they were sent. Starts from the window's events (audit_event by action and time) and keeps
 * an invitation only if its earliest event in the window is its first ever (one index probe each: the
 * subquery, unlike NOT EXISTS, is never turned into a hash join over the whole history), so the cost follows
 * the window, not the history.
 */
const firstInviteEvents = (name: string, actions: string) => `
  ${name} as (
    select f.id, f.sent_at, f.at from (
      select i.id, i.onboarding_id, i.email, i.sent_at, min(a.at) as at
        from audit_event a
        -- by its unique key (limit 1 keeps this a probe per event, not a hash over every invitation)
        cross join lateral (select * from invite i where i.onboarding_id = a.onboarding_id
                              and i.email = a.detail->>'email' and i.sent_at is not null limit 1) i
       where a.action in ${actions} and ${IN_WINDOW("a.at")}
       group by i.id, i.onboarding_id, i.email, i.sent_at
    ) f
     where f.at = (select min(e.at) from audit_event e where e.onboarding_id = f.onboarding_id
                     and e.action in ${actions} and e.detail->>'email' = f.email)
  )`;

/**
 * Invitations in [$1, $2): `inv_sent` (sent in it), `inv_accepted` and `inv_declined` (first accept or decline
 * event in it), and `inv_expired` (still `sent` with neither, 14 days after sending, in it and by $3).
 */
const INVITES_CTE = `
  inv_sent as (select i.sent_at from invite i where ${IN_WINDOW("i.sent_at")}),
  ${firstInviteEvents("inv_accepted", ACCEPTED)},
  ${firstInviteEvents("inv_declined", DECLINED)},
  inv_expired as (
    select e.at from (
      select i.sent_at + make_interval(days => ${INVITE_EXPIRY_DAYS}) as at, i.onboarding_id, i.email from invite i
       -- a day wider than the window (for the session's daylight saving), then exactly
       where i.sent_at >= $1::timestamptz - make_interval(days => ${INVITE_EXPIRY_DAYS + 1})
         and i.sent_at < $2::timestamptz - make_interval(days => ${INVITE_EXPIRY_DAYS - 1})
         and i.status = 'sent'
    ) e
     where ${IN_WINDOW("e.at")} and e.at <= $3::timestamptz
       and not exists (select 1 from audit_event a where a.onboarding_id = e.onboarding_id
                         and a.action in ('invite.accepted', 'invite.approved', 'invite.declined')
                         and a.detail->>'email' = e.email)
  )`;

/**
 * Onboardings first connected (`first_connected`: first `finch.connected` audit event) and first verified
 * (`first_verified`: first verification whose outcome is `verified`) in [$1, $2), each from the window's events
 * and kept only when its earliest in the window is its first ever (as for invitations).
 */
const FIRSTS_CTE = `
  first_connected as (
    select w.id, w.at from (
      select a.onboarding_id as id, min(a.at) as at from audit_event a
       where a.action = 'finch.connected' and ${IN_WINDOW("a.at")} and a.onboarding_id is not null group by 1
    ) w
     where w.at = (select min(e.at) from audit_event e where e.action = 'finch.connected' and e.onboarding_id = w.id)
  ),
  first_verified as (
    select w.id, w.at from (
      select v.onboarding_id as id, min(v.created_at) as at from verification v
       where v.status = 'verified' and ${IN_WINDOW("v.created_at")} group by 1
    ) w
     where w.at = (select min(e.created_at) from verification e where e.status = 'verified' and e.onboarding_id = w.id)
  )`;

/** An onboarding's start, as an email customer's or a Slack customer's (see the definitions above). */
const STARTED_KIND = `case when exists (select 1 from invite i where i.onboarding_id = o.id and i.status = 'email')
  then 'started_email' else 'started_slack' end`;

/** `kind`, week index (from $1) and count of the rows of `from`, by their moment `at`. */
const weekly = (kind: string, at: string, from: string) =>
  `(select ${kind} as kind, floor(extract(epoch from (${at} - $1::timestamptz)) / ${WEEK_SECONDS})::int as week,
           count(*)::int as n from ${from} group by 1, 2)`;

/** Counts per kind and week in [from, to); `now` bounds expiries (an invitation expires only once past). */
export async function weeklyCounts(db: Database, from: Date, to: Date, now: Date): Promise<WeeklyCount[]> {
  const rows = await rowsOf<{ kind: WeeklyKind; week: number; n: number }>(
    db,
    // Counted per kind as they come (a union of ~26 rows each, not a sort of every event in the window).
    `with ${INVITES_CTE}, ${FIRSTS_CTE}
     ${weekly(STARTED_KIND, "o.created_at", `onboarding o where ${IN_WINDOW("o.created_at")}`)}
     union all ${weekly("'invite_sent'", "sent_at", "inv_sent")}
     union all ${weekly("'invite_accepted'", "at", "inv_accepted")}
     union all ${weekly("'invite_declined'", "at", "inv_declined")}
     union all ${weekly("'invite_expired'", "at", "inv_expired")}
     union all ${weekly("'connected'", "at", "first_connected")}
     union all ${weekly("'verified'", "at", "first_verified")}
     order by 2, 1`,
    [from, to, now],
  );
  return rows.map((r) => ({ kind: r.kind, week: Number(r.week), n: Number(r.n) }));
}

/** Invitations in [from, to): sent, accepted, declined, expired, and time to accept. */
export interface InvitationFigures {
  sent: number;
  accepted: number;
  declined: number;
  expired: number;
  timeToAccept: DurationStat;
}

/** Invitation figures for [from, to). */
export async function invitationFigures(
  db: Database,
  from: Date,
  to: Date,
  now: Date,
): Promise<InvitationFigures> {
  const rows = await rowsOf(
    db,
    `with ${INVITES_CTE}
     select (select count(*) from inv_sent)::int as sent,
       (select count(*) from inv_accepted)::int as accepted,
       (select count(*) from inv_declined)::int as declined,
       (select count(*) from inv_expired)::int as expired,
       (select percentile_cont(0.5) within group (order by extract(epoch from (at - sent_at))::float8)
          from inv_accepted) as accept_p50,
       (select percentile_cont(0.9) within group (order by extract(epoch from (at - sent_at))::float8)
          from inv_accepted) as accept_p90`,
    [from, to, now],
  );
  const r = rows[0] ?? {};
  return {
    sent: Number(r.sent ?? 0),
    accepted: Number(r.accepted ?? 0),
    declined: Number(r.declined ?? 0),
    expired: Number(r.expired ?? 0),
    timeToAccept: stat(r.accepted, r.accept_p50, r.accept_p90),
  };
}

/** Time from `/fleet onboard` to connected and to verified, for one provider and auth method. */
export interface JourneyFigures {
  providerId: string;
  authMethod: string;
  toConnected: DurationStat;
  toVerified: DurationStat;
}

/** Onboardings connected or verified in [from, to), by provider and auth method. */
export async function journeyFigures(db: Database, from: Date, to: Date): Promise<JourneyFigures[]> {
  const secs = (col: string) => `extract(epoch from (${col} - o.created_at))::float8`;
  const pct = (p: number, col: string) => `percentile_cont(${p}) within group (order by ${secs(col)})`;
  const rows = await rowsOf(
    db,
    // The auth method: the first `authentication_methods[].type` of the latest verification that names one.
    `with ${FIRSTS_CTE},
     ids as (select id from first_connected union select id from first_verified)
     select o.provider_id, coalesce(m.auth_method, 'unknown') as auth_method,
       count(c.at)::int as connected_n, ${pct(0.5, "c.at")} as connected_p50, ${pct(0.9, "c.at")} as connected_p90,
       count(v.at)::int as verified_n, ${pct(0.5, "v.at")} as verified_p50, ${pct(0.9, "v.at")} as verified_p90
     from ids join onboarding o on o.id = ids.id
       left join first_connected c on c.id = ids.id
       left join first_verified v on v.id = ids.id
       left join lateral (
         select x.outcome->'connection'->'methods'->0->>'type' as auth_method from verification x
          where x.onboarding_id = ids.id and x.outcome->'connection'->'methods'->0->>'type' is not null
          order by x.created_at desc limit 1
       ) m on true
     group by 1, 2 order by 1, 2`,
    [from, to],
  );
  return rows.map((r) => ({
    providerId: String(r.provider_id),
    authMethod: String(r.auth_method),
    toConnected: stat(r.connected_n, r.connected_p50, r.connected_p90),
    toVerified: stat(r.verified_n, r.verified_p50, r.verified_p90),
  }));
}

/** A checklist step and how long after `/fleet onboard` it was first ticked. */
export interface StepFigures {
  itemKey: string;
  toDone: DurationStat;
}

/** The steps that took longest to be ticked (first tick in [from, to)), slowest median first. */
export async function slowestSteps(db: Database, from: Date, to: Date, limit = 5): Promise<StepFigures[]> {
  const rows = await rowsOf(
    db,
    // From the window's ticks (tick.at index), each kept only if no checked tick of its step came before.
    `with in_window as (
       select onboarding_id, item_key, min(at) as done_at from tick
        where checked and at >= $1::timestamptz and at < $2::timestamptz group by 1, 2
     ),
     firsts as (
       select f.* from in_window f
        where not exists (select 1 from tick e where e.onboarding_id = f.onboarding_id
                            and e.item_key = f.item_key and e.checked and e.at < f.done_at)
     )
     select f.item_key, count(*)::int as n,
       percentile_cont(0.5) within group (order by extract(epoch from (f.done_at - o.created_at))::float8) as p50,
       percentile_cont(0.9) within group (order by extract(epoch from (f.done_at - o.created_at))::float8) as p90
     from firsts f join onboarding o on o.id = f.onboarding_id
     where f.done_at >= $1::timestamptz and f.done_at < $2::timestamptz
     group by f.item_key order by p50 desc, f.item_key limit $3::int`,
    [from, to, limit],
  );
  return rows.map((r) => ({ itemKey: String(r.item_key), toDone: stat(r.n, r.p50, r.p90) }));
}

/** Active onboardings without customer activity for `stallDays`, by stage and the last step ticked. */
export interface StallFigures {
  stage: "invitation not accepted" | "not connected" | "not verified" | "verified, not closed";
  lastStep: string | null;
  count: number;
}

/** Where customers stall now. */
export async function stalls(db: Database, now: Date, stallDays: number): Promise<StallFigures[]> {
  const rows = await rowsOf(
    db,
    `with active as (
       select o.id, coalesce(o.last_customer_activity_at, o.created_at) as last_activity,
         exists(select 1 from invite i where i.onboarding_id = o.id and i.status in ('accepted', 'approved'))
           as accepted,
         exists(select 1 from finch_connection c where c.onboarding_id = o.id) as connected,
         exists(select 1 from finch_connection c where c.onboarding_id = o.id and c.verified_at is not null)
           as verified,
         (select t.item_key from tick t where t.onboarding_id = o.id and t.checked
           order by t.at desc, t.id desc limit 1) as last_step
       from onboarding o where o.status = 'active'
     )
     select case when verified then 'verified, not closed' when connected then 'not verified'
                 when accepted then 'not connected' else 'invitation not accepted' end as stage,
            last_step, count(*)::int as n
       from active where last_activity < $1::timestamptz - make_interval(days => $2::int)
      group by 1, 2 order by 3 desc, 1, 2`,
    [now, stallDays],
  );
  return rows.map((r) => ({
    stage: r.stage as StallFigures["stage"],
    lastStep: r.last_step === null ? null : String(r.last_step),
    count: Number(r.n),
  }));
}
