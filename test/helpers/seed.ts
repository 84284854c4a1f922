/** Bulk data for scale tests and the benchmark: N onboardings with customers, invites and ticks, in SQL. */
import type { Database } from "../../src/db/client.ts";

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
