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
 * - a *Slack* customer has a Slack Connect channel; the others (no channel: email-only) count as email.
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

/**
 * The invitations that can count in the window [$1, $2) — sent in it or up to 14 days before (so sent or
 * expired in it), or accepted or declined in it (audit_event by action and time) — with their accept and
 * decline moments (first audit event each). Starting from the window keeps the cost to its events, not the
 * whole history (docs/bench/scale-plans.md).
 */
const INVITES_CTE = `
  inv_ids as (
    select i.id from invite i
     where i.sent_at >= $1::timestamptz - make_interval(days => ${INVITE_EXPIRY_DAYS}) and i.sent_at < $2::timestamptz
    union
    select i.id from audit_event a join invite i on i.onboarding_id = a.onboarding_id and i.email = a.detail->>'email'
     where a.action in ('invite.accepted', 'invite.approved', 'invite.declined')
       and a.at >= $1::timestamptz and a.at < $2::timestamptz
  ),
  inv as (
    select i.id, i.status, i.sent_at,
      (select min(a.at) from audit_event a
        where a.onboarding_id = i.onboarding_id and a.action in ('invite.accepted', 'invite.approved')
          and a.detail->>'email' = i.email) as accepted_at,
      (select min(a.at) from audit_event a
        where a.onboarding_id = i.onboarding_id and a.action = 'invite.declined'
          and a.detail->>'email' = i.email) as declined_at
    from invite i join inv_ids using (id) where i.sent_at is not null
  ),
  inv_expired as (
    select id, sent_at + make_interval(days => ${INVITE_EXPIRY_DAYS}) as expired_at from inv
     where status = 'sent' and accepted_at is null and declined_at is null
  )`;

/**
 * Each onboarding's start, first connection, first verification, provider and auth method — for the
 * onboardings that can count in the window [$1, $2): started, connected or verified in it (a first moment in
 * the window means some such event is in it).
 */
const JOURNEYS_CTE = `
  journey_ids as (
    select o.id from onboarding o where o.created_at >= $1::timestamptz and o.created_at < $2::timestamptz
    union
    select a.onboarding_id from audit_event a
     where a.action = 'finch.connected' and a.at >= $1::timestamptz and a.at < $2::timestamptz
       and a.onboarding_id is not null
    union
    select v.onboarding_id from verification v
     where v.status = 'verified' and v.created_at >= $1::timestamptz and v.created_at < $2::timestamptz
  ),
  journeys as (
    select o.id, o.provider_id, o.created_at as started, o.channel_id,
      (select min(a.at) from audit_event a where a.onboarding_id = o.id and a.action = 'finch.connected')
        as connected,
      (select min(v.created_at) from verification v where v.onboarding_id = o.id and v.status = 'verified')
        as verified,
      coalesce((select v.outcome->'connection'->'methods'->0->>'type' from verification v
                 where v.onboarding_id = o.id and v.outcome->'connection'->'methods'->0->>'type' is not null
                 order by v.created_at desc limit 1), 'unknown') as auth_method
    from onboarding o join journey_ids using (id)
  )`;

/** Counts per kind and week in [from, to); `now` bounds expiries (an invitation expires only once past). */
export async function weeklyCounts(db: Database, from: Date, to: Date, now: Date): Promise<WeeklyCount[]> {
  const rows = await rowsOf<{ kind: WeeklyKind; week: number; n: number }>(
    db,
    `with ${INVITES_CTE}, ${JOURNEYS_CTE},
     events as (
       select case when channel_id is null then 'started_email' else 'started_slack' end as kind, started as at
         from journeys
       union all select 'invite_sent', sent_at from inv
       union all select 'invite_accepted', accepted_at from inv where accepted_at is not null
       union all select 'invite_declined', declined_at from inv where declined_at is not null
       union all select 'invite_expired', expired_at from inv_expired where expired_at <= $3::timestamptz
       union all select 'connected', connected from journeys where connected is not null
       union all select 'verified', verified from journeys where verified is not null
     )
     select kind, floor(extract(epoch from (at - $1::timestamptz)) / ${WEEK_SECONDS})::int as week,
            count(*)::int as n
       from events where at >= $1::timestamptz and at < $2::timestamptz
      group by 1, 2 order by 2, 1`,
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
    `with ${INVITES_CTE},
     w as (select inv.*, e.expired_at from inv left join inv_expired e on e.id = inv.id)
     select
       count(*) filter (where sent_at >= $1 and sent_at < $2)::int as sent,
       count(*) filter (where accepted_at >= $1 and accepted_at < $2)::int as accepted,
       count(*) filter (where declined_at >= $1 and declined_at < $2)::int as declined,
       count(*) filter (where expired_at >= $1 and expired_at < $2 and expired_at <= $3)::int as expired,
       percentile_cont(0.5) within group (order by case when accepted_at >= $1 and accepted_at < $2
         then extract(epoch from (accepted_at - sent_at))::float8 end) as accept_p50,
       percentile_cont(0.9) within group (order by case when accepted_at >= $1 and accepted_at < $2
         then extract(epoch from (accepted_at - sent_at))::float8 end) as accept_p90
     from w`,
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
  const inWindow = (col: string) => `${col} >= $1::timestamptz and ${col} < $2::timestamptz`;
  const secs = (col: string) => `extract(epoch from (${col} - started))::float8`;
  const pct = (p: number, col: string) =>
    `percentile_cont(${p}) within group (order by case when ${inWindow(col)} then ${secs(col)} end)`;
  const rows = await rowsOf(
    db,
    `with ${JOURNEYS_CTE}
     select provider_id, auth_method,
       count(*) filter (where ${inWindow("connected")})::int as connected_n,
       ${pct(0.5, "connected")} as connected_p50, ${pct(0.9, "connected")} as connected_p90,
       count(*) filter (where ${inWindow("verified")})::int as verified_n,
       ${pct(0.5, "verified")} as verified_p50, ${pct(0.9, "verified")} as verified_p90
     from journeys
     where ${inWindow("connected")} or ${inWindow("verified")}
     group by provider_id, auth_method order by provider_id, auth_method`,
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
