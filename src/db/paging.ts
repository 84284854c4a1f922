/**
 * Walking a long list page by page (keyset on the uuid `id`), so a job reaches the end of it in bounded memory
 * and rows already handled (say, alerted) never keep the rest from their turn.
 */

/** Default page size of the background jobs. */
export const PAGE_SIZE = 200;

/**
 * Yields every row `readPage` returns, asking for the next page after the last id seen until a short page
 * ends the walk. `readPage(after, take)` must order by `id` ascending and return only ids greater than `after`.
 */
export async function* everyRow<T extends { id: string }>(
  readPage: (after: string | undefined, take: number) => Promise<T[]>,
  pageSize = PAGE_SIZE,
): AsyncGenerator<T> {
  let after: string | undefined;
  for (;;) {
    const page = await readPage(after, pageSize);
    yield* page;
    if (page.length < pageSize) return;
    after = page.at(-1)?.id;
  }
}
