/** Pure HTML helpers, a floor below email, the private page and the HTTP routes (they all use them). */

/** Escapes text for HTML. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
