/**
 * Spool files set aside (`.unreadable`: no key opens them; `.rejected`: the database refused them) as reps see
 * them in the App Home: every instance's (src/intake/set-aside-ledger.ts keeps them in the shared database), a
 * page at a time, oldest first, each naming the instance that holds it.
 */

import type { SetAsidePage } from "../blocks/home-set-aside.ts";
import type { AppContext } from "../context.ts";
import { setAsideValue } from "../intake/set-aside-ledger.ts";

export type { SetAsidePage };

/** How many set-aside files the Home tab lists per page. */
export const HOME_SET_ASIDE = 5;

/** Every instance's set-aside files, one page of them; `null` when this app has no spool. */
export async function loadSetAside(ctx: AppContext, page = 0): Promise<SetAsidePage | null> {
  if (!ctx.setAside) return null;
  const found = await ctx.setAside.page(page, HOME_SET_ASIDE);
  return {
    total: found.total,
    items: found.items.map((file) => ({ ...file, value: setAsideValue(file) })),
    page: found.page,
    pageSize: HOME_SET_ASIDE,
  };
}
