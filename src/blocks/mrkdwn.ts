/** Small helpers for putting people's data into Slack mrkdwn safely (shared by the reminder views). */

const SLACK_USER_ID = /^[UW][A-Z0-9]{2,20}$/;
const SLACK_CHANNEL_ID = /^[CGD][A-Z0-9]{2,20}$/;
const graphemes = new Intl.Segmenter("en", { granularity: "grapheme" });

/** Slack mrkdwn treats `&`, `<` and `>` as control characters: user data must be escaped. */
export function escapeMrkdwn(value: string): string {
  return value.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/** Shortens to at most `max` UTF-16 units without splitting an emoji or accented letter. */
export function clipText(value: string, max: number): string {
  if (value.length <= max) return value;
  let out = "";
  for (const { segment } of graphemes.segment(value)) {
    if (out.length + segment.length > max - 1) break;
    out += segment;
  }
  return `${out.trimEnd()}…`;
}

/** `<@U…>` mentions of the valid user ids among `userIds`, de-duplicated, in order. */
export function mentions(userIds: readonly string[]): string {
  return [...new Set(userIds.filter((id) => SLACK_USER_ID.test(id)))].map((id) => `<@${id}>`).join(" ");
}

/** `<#C…>` for a valid channel id, else an empty string. */
export function channelLink(channelId: string | null | undefined): string {
  return channelId && SLACK_CHANNEL_ID.test(channelId) ? `<#${channelId}>` : "";
}

/** "1 step" / "3 steps". */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
