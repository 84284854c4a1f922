/** Bulk data for the benchmark, the scale test and the fan-out measurement, written in SQL. */
import type { Database } from "../../db/client.ts";
import type { SlackStandIn } from "../slack/index.ts";

/** Inserts `count` active onboardings (every 50th owned by `repUserId`), with invites and a few ticks. */
export async function seedOnboardings(
  db: Database,
  count: number,
  repUserId: string,
  homeTeamId: string,
): Promise<void> {
  await db.sql.exec(`
    insert into customer (id, name, name_key)
      select gen_random_uuid(), 'Scale Customer ' || g, 'scale customer ' || g from generate_series(1, ${count}) g;
    insert into onboarding (id, customer_id, provider_id, owner_user_id, created_by_user_id, home_team_id,
        integration_user_name, integration_user_email, time_zone, call_at, channel_id, checklist_ts, updated_at)
      select gen_random_uuid(), c.id, 'justworks',
        case when row_number() over () % 50 = 0 then '${repUserId}' else 'U0OTHER' || (row_number() over () % 40) end,
        '${repUserId}', '${homeTeamId}', 'Fleet Integration', 'int@fleet.example', 'America/New_York',
        now() + ((row_number() over ()) % 90) * interval '1 day' + interval '1 hour',
        'CSCALE' || row_number() over (), '1700000000.000100', now()
      from customer c where c.name_key like 'scale customer %';
    insert into invite (id, onboarding_id, email, status, updated_at)
      select gen_random_uuid(), o.id, 'hr@' || o.channel_id || '.example', 'sent', now() from onboarding o
      where o.channel_id like 'CSCALE%';
    insert into step_state (onboarding_id, item_key, done, source)
      select o.id, k, true, 'slack' from onboarding o, unnest(array['add-user','grant-admin']) k
      where o.channel_id like 'CSCALE%';
    analyze;
  `);
}

/**
 * The reminder fan-out: `count` onboardings whose kick-off call is 6 hours away, each in a private channel of
 * its own on the Slack stand-in (named `${label}-${i}`). No reminder rows are written: the scheduler plans
 * them, and since the day-before moment has passed, every one is due at its first tick. Returns the channels.
 */
export async function seedFanout(
  db: Database,
  slack: SlackStandIn,
  input: { count: number; label: string; repUserId: string; homeTeamId: string },
): Promise<string[]> {
  const { count, label, repUserId, homeTeamId } = input;
  const callAt = new Date(Date.now() + 6 * 3_600_000);
  const channels: string[] = [];
  for (let i = 0; i < count; i++)
    channels.push(slack.addChannel({ name: `${label}-${i}`, isPrivate: true }).id);
  await db.sql.exec(
    `insert into customer (id, name, name_key) select gen_random_uuid(), 'Fan ' || g, 'fan ' || g from generate_series(1, ${count}) g`,
  );
  const customers = await db.sql.query(`select id from customer order by name_key`);
  const values = customers.map((c, i) => `('${c.id}', '${channels[i]}')`).join(",");
  await db.sql.exec(`
    insert into onboarding (id, customer_id, provider_id, owner_user_id, created_by_user_id, home_team_id,
      integration_user_name, integration_user_email, time_zone, call_at, channel_id, checklist_ts, updated_at)
    select gen_random_uuid(), v.customer_id::uuid, 'justworks', '${repUserId}', '${repUserId}', '${homeTeamId}', 'F I',
      'i@f.example', 'America/New_York', '${callAt.toISOString()}', v.channel_id, null, now()
    from (values ${values}) as v(customer_id, channel_id)`);
  const onboardings = await db.sql.query(`select id from onboarding`);
  if (onboardings.length !== count) throw new Error("fan-out seeding failed");
  return channels;
}

/** How many reminders the stand-in holds in each channel (1 each when the fan-out went right). */
export function remindersPerChannel(slack: SlackStandIn, channels: string[]): number[] {
  return channels.map(
    (id) => slack.messages(id).filter((m) => m.metadata?.event_type === "onboarding_reminder").length,
  );
}

/**
 * Gives the scale test's onboardings (seedOnboardings) two years of history, set-based (one statement per
 * table, generate_series / INSERT … SELECT, never row by row): starts spread over 730 days, a third closed
 * (`done`) with a verified, health-watched connection; invitations sent and mostly accepted; checklist
 * ticks; audit rows (created, invitation accepted, connected, ticks); verifications. Then ANALYZE.
 */
export async function seedHistory(db: Database): Promise<void> {
  await db.sql.exec(`
    create temporary table scale_o as
      select o.id, o.channel_id, row_number() over (order by o.id) as n from onboarding o
       where o.channel_id like 'CSCALE%';
    update onboarding o set created_at = now() - ((s.n % 730) * interval '1 day') - ((s.n % 24) * interval '1 hour'),
        status = case when s.n % 3 = 0 then 'done' else 'active' end,
        closed_at = case when s.n % 3 = 0 then now() - ((s.n % 730) * interval '1 day') + interval '10 days' end,
        last_customer_activity_at = now() - ((s.n % 60) * interval '1 day')
      from scale_o s where s.id = o.id;
    update invite i set sent_at = o.created_at + interval '1 hour',
        status = case when s.n % 10 = 0 then 'sent' when s.n % 17 = 0 then 'declined' else 'accepted' end
      from onboarding o, scale_o s where o.id = i.onboarding_id and s.id = o.id;
    insert into tick (onboarding_id, item_key, checked, source, user_id, at)
      select o.id, k.key, true, 'slack', 'U0HR', o.created_at + k.after
        from onboarding o join scale_o s on s.id = o.id,
        (values ('add-user', interval '2 days'), ('grant-admin', interval '3 days'),
                ('verify-permissions', interval '4 days')) as k(key, after);
    insert into audit_event (onboarding_id, action, actor_user_id, detail, at)
      select o.id, 'onboarding.created', o.owner_user_id, null, o.created_at from onboarding o join scale_o s on s.id = o.id
      union all
      select i.onboarding_id, 'invite.' || i.status, 'U0HR', jsonb_build_object('email', i.email),
             i.sent_at + interval '1 day' from invite i join scale_o s on s.id = i.onboarding_id
       where i.status in ('accepted', 'declined')
      union all
      select o.id, 'finch.connected', 'U0HR', null, o.created_at + interval '4 days'
        from onboarding o join scale_o s on s.id = o.id where s.n % 3 <> 1
      union all
      select t.onboarding_id, 'checklist.tick', t.user_id, jsonb_build_object('item', t.item_key), t.at
        from tick t join scale_o s on s.id = t.onboarding_id;
    insert into finch_connection (id, onboarding_id, connection_id, provider_id, token_ciphertext, token_key_id,
        status, products, code_hash, verified_at, next_health_check_at, created_at, updated_at)
      select gen_random_uuid(), o.id, 'conn_' || s.n, 'justworks', 'v1:scale', 'k1', 'connected',
             array['company','directory','individual','employment'], md5(s.n::text),
             o.created_at + interval '5 days',
             case when o.status = 'done' then now() + ((s.n % 1440) * interval '1 minute') - interval '12 hours' end,
             o.created_at + interval '4 days', now()
        from onboarding o join scale_o s on s.id = o.id where s.n % 3 <> 1;
    insert into verification (id, onboarding_id, status, outcome, trigger, created_at)
      select gen_random_uuid(), c.onboarding_id, 'verified',
             '{"outcome":"verified","connection":{"methods":[{"type":"assisted"}]}}'::jsonb, 'connect', c.verified_at
        from finch_connection c join scale_o s on s.id = c.onboarding_id;
    drop table scale_o;
  `);
  // A live database is vacuumed by autovacuum; this one was just bulk-updated (half its onboarding rows are
  // dead versions) and the bench's server may run with autovacuum off: without the visibility map every
  // index read also reads the table. VACUUM cannot share a multi-statement string (one transaction).
  await db.sql.exec("vacuum analyze");
}
