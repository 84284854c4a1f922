/** Finding the onboarding a command or action is about. */
import { lookupText } from "../blocks/onboarding-answers.ts";
import type { AppContext } from "../context.ts";
import type { Onboarding } from "../db/generated/client.ts";
import { camelRow } from "../db/rows.ts";
import { customerNameKey } from "./names.ts";

export type OnboardingWithCustomer = Onboarding & { customer: { id: string; name: string } };

/**
 * An onboarding with its company, read through the driver: every command and the checklist's buttons start
 * here, so it skips Prisma's per-call planning (src/db/rows.ts).
 */
const WITH_CUSTOMER = `select o.*, json_build_object('id', c.id, 'name', c.name) as customer
  from onboarding o join customer c on c.id = o.customer_id`;

/** The onboarding whose customer channel this is (active or not). */
export async function onboardingByChannel(
  ctx: AppContext,
  channelId: string,
): Promise<OnboardingWithCustomer | null> {
  const [row] = await ctx.db.sql.query(`${WITH_CUSTOMER} where o.channel_id = $1::text`, [channelId]);
  return row ? camelRow<OnboardingWithCustomer>(row) : null;
}

/** The onboarding with this id and its company; null for an unknown id or none (a value from Slack's client). */
export async function onboardingById(
  ctx: AppContext,
  onboardingId: string | null,
): Promise<OnboardingWithCustomer | null> {
  if (!onboardingId) return null;
  const [row] = await ctx.db.sql.query(`${WITH_CUSTOMER} where o.id = $1::uuid`, [onboardingId]);
  return row ? camelRow<OnboardingWithCustomer>(row) : null;
}

/** Resolves `[company]`: by name (exact key, else a unique prefix), else the channel the command came from. */
export async function resolveOnboarding(
  ctx: AppContext,
  company: string | undefined,
  channelId: string | undefined,
): Promise<{ ok: true; onboarding: OnboardingWithCustomer } | { ok: false; message: string }> {
  if (!company) {
    const here = channelId ? await onboardingByChannel(ctx, channelId) : null;
    if (here) return { ok: true, onboarding: here };
    return {
      ok: false,
      message: lookupText.whichCustomer,
    };
  }
  const key = customerNameKey(company);
  if (!key) return { ok: false, message: lookupText.unknown(company) };
  const [exact] = await ctx.db.sql.query(
    `${WITH_CUSTOMER} where c.name_key = $1::text order by o.status asc, o.created_at desc limit 1`,
    [key],
  );
  if (exact) return { ok: true, onboarding: camelRow<OnboardingWithCustomer>(exact) };
  const candidates = await ctx.db.prisma.onboarding.findMany({
    where: { customer: { nameKey: { startsWith: key } }, status: "active" },
    include: { customer: true },
    take: 6,
  });
  if (candidates.length === 1 && candidates[0]) return { ok: true, onboarding: candidates[0] };
  if (candidates.length > 1) {
    return {
      ok: false,
      message: lookupText.several(
        company,
        candidates.map((c) => c.customer.name),
      ),
    };
  }
  return {
    ok: false,
    message: lookupText.unknownStartOne(company),
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An onboarding id from a value that came back from Slack's client (a button, a modal), or null. */
export function onboardingIdFrom(value: string | undefined | null): string | null {
  return value && UUID.test(value) ? value : null;
}
