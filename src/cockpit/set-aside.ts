/**
 * Spool files set aside (`.unreadable`: no key opens them; `.rejected`: the database refused them) as reps see
 * them in the App Home: a page at a time, oldest first. The spool is this process's own folder: each replica
 * lists what it set aside.
 */

import type { SetAsidePage } from "../blocks/home-set-aside.ts";
import type { AppContext } from "../context.ts";

export type { SetAsidePage };

/** How many set-aside files the Home tab lists per page. */
export const HOME_SET_ASIDE = 5;

/** The set-aside files of this process's spool, one page of them; `null` when there is no spool. */
export async function loadSetAside(ctx: AppContext, page = 0): Promise<SetAsidePage | null> {
  if (!ctx.spool) return null;
  const files = await ctx.spool.listSetAside();
  const lastPage = Math.max(0, Math.ceil(files.length / HOME_SET_ASIDE) - 1);
  const shown = Math.min(Math.max(0, Math.floor(page)), lastPage);
  return {
    total: files.length,
    items: files.slice(shown * HOME_SET_ASIDE, (shown + 1) * HOME_SET_ASIDE),
    page: shown,
    pageSize: HOME_SET_ASIDE,
  };
}
