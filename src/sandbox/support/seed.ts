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
