/**
 * Wall-clock time in IANA zones, correct across daylight-saving changes (luxon does the zone math;
 * we only add the checks people need: the time must exist in that zone and lie ahead).
 */
import { DateTime } from "luxon";
import { NOT_A_ZONE, zoneName } from "./time-zones.ts";

/** Is this an IANA zone the runtime knows? */
export function isValidTimeZone(zone: string): boolean {
  return DateTime.local().setZone(zone).isValid;
}

/** Result of reading a local date-time. */
export type LocalTimeResult = { ok: true; instant: Date } | { ok: false; reason: string };

/** Reads `YYYY-MM-DDTHH:mm` (also with a space instead of T) as wall-clock time in `zone`. */
export function parseLocalDateTime(text: string, zone: string): LocalTimeResult {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})$/.exec(text.trim());
  if (!m) return { ok: false, reason: `"${clip(text)}" is not a date and time like 2026-12-03T14:30` };
  if (!isValidTimeZone(zone)) return { ok: false, reason: `"${clip(zone)}" ${NOT_A_ZONE}` };
  const [year, month, day, hour, minute] = m.slice(1).map(Number) as [number, number, number, number, number];
  const dt = DateTime.fromObject({ year, month, day, hour, minute }, { zone });
  if (!dt.isValid) return { ok: false, reason: `${text.trim()} is not a real date` };
  // luxon moves a time inside a spring-forward gap; if the fields changed, that wall time never happens.
  if (dt.year !== year || dt.month !== month || dt.day !== day || dt.hour !== hour || dt.minute !== minute) {
    return {
      ok: false,
      reason: `${text.trim()} does not exist in ${zoneName(zone, dt.toJSDate())}: clocks skip that hour`,
    };
  }
  return { ok: true, instant: dt.toJSDate() };
}

/** The instant at `HH:mm` local time on the calendar day before `instant`'s local day in `zone`. */
export function localTimeOnDayBefore(instant: Date, zone: string, hhmm: string): Date {
  const [hour, minute] = hhmm.split(":").map(Number) as [number, number];
  return dayBeforeWithoutChange(instant, zone, hour, minute) ?? luxonDayBefore(instant, zone, hour, minute);
}

function luxonDayBefore(instant: Date, zone: string, hour: number, minute: number): Date {
  const day = DateTime.fromJSDate(instant, { zone }).startOf("day").minus({ days: 1 });
  // If that wall time does not exist (DST gap), luxon moves it forward, which is what a person expects.
  return day.set({ hour, minute }).toJSDate();
}

/**
 * {@link localTimeOnDayBefore} in 3 zone-offset look-ups instead of luxon's ~7 (each an Intl `formatToParts`,
 * the bulk of planning a fan-out's reminders): when the offset is the same at the previous local midnight, at
 * the instant and at the result, no clock change lies between and the answer is plain arithmetic — luxon's.
 * Otherwise (or an unknown zone) undefined: luxon decides, gaps and repeated hours included.
 */
function dayBeforeWithoutChange(instant: Date, zone: string, hour: number, minute: number): Date | undefined {
  const at = instant.getTime();
  const offset = zoneOffsetMs(at, zone);
  if (offset === undefined) return undefined;
  const local = new Date(at + offset);
  const y = local.getUTCFullYear();
  const m = local.getUTCMonth();
  const d = local.getUTCDate();
  if (zoneOffsetMs(Date.UTC(y, m, d - 1) - offset, zone) !== offset) return undefined;
  const result = Date.UTC(y, m, d - 1, hour, minute) - offset;
  return zoneOffsetMs(result, zone) === offset ? new Date(result) : undefined;
}

/**
 * `yyyyLLdd'T'HHmmss` wall-clock time of `instant` in `zone` (as luxon's `toFormat` gives it), from one cached
 * `Intl` offset look-up instead of a luxon DateTime; luxon for a zone `Intl` lacks.
 */
export function compactWallTime(instant: Date, zone: string): string {
  const offset = zoneOffsetMs(instant.getTime(), zone);
  if (offset === undefined) return DateTime.fromJSDate(instant, { zone }).toFormat("yyyyLLdd'T'HHmmss");
  const wall = new Date(instant.getTime() + offset);
  const year = wall.getUTCFullYear();
  if (year < 1000 || year > 9999) return DateTime.fromJSDate(instant, { zone }).toFormat("yyyyLLdd'T'HHmmss");
  const two = (n: number) => String(n).padStart(2, "0");
  return `${year}${two(wall.getUTCMonth() + 1)}${two(wall.getUTCDate())}T${two(wall.getUTCHours())}${two(wall.getUTCMinutes())}${two(wall.getUTCSeconds())}`;
}

/** The zone's offset from UTC at `ms` (whole seconds, as luxon computes it); undefined for a zone Intl lacks. */
function zoneOffsetMs(ms: number, zone: string): number | undefined {
  const format = offsetFormat(zone);
  if (!format) return undefined;
  const p: Partial<Record<Intl.DateTimeFormatPartTypes, number>> = {};
  for (const part of format.formatToParts(ms)) p[part.type] = Number(part.value);
  const { year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0 } = p;
  const wall = Date.UTC(year, month - 1, day, hour === 24 ? 0 : hour, minute, second);
  return wall - (ms - (((ms % 1000) + 1000) % 1000));
}

/** One numeric formatter per zone, bounded (null: Intl does not know the zone). */
function offsetFormat(zone: string): Intl.DateTimeFormat | null {
  let format = offsetFormats.get(zone);
  if (format === undefined) {
    if (offsetFormats.size >= 500) offsetFormats.clear();
    try {
      format = new Intl.DateTimeFormat("en-US", {
        timeZone: zone,
        hourCycle: "h23",
        year: "numeric",
        month: "numeric",
        day: "numeric",
        hour: "numeric",
        minute: "numeric",
        second: "numeric",
      });
    } catch {
      format = null;
    }
    offsetFormats.set(zone, format);
  }
  return format;
}

/** {@link offsetFormat}'s formatters. */
const offsetFormats = new Map<string, Intl.DateTimeFormat | null>();

/** Local calendar parts of an instant in a zone. */
export function localParts(
  instant: Date,
  zone: string,
): { date: string; time: string; weekday: number; hour: number } {
  const dt = DateTime.fromJSDate(instant, { zone });
  return { date: dt.toISODate() ?? "", time: dt.toFormat("HH:mm"), weekday: dt.weekday, hour: dt.hour };
}

/** Human text for an instant in a zone, e.g. "Thu, Dec 3, 2026, 2:30 PM EST". */
export function formatInZone(instant: Date, zone: string): string {
  // What luxon's toFormat("ccc, LLL d, yyyy, h:mm a ZZZZ") gives, from one cached Intl formatter per zone:
  // luxon builds a new Intl.DateTimeFormat for the zone name on every call (~1 ms of CPU each time).
  let format = readableFormats.get(zone);
  if (!format) {
    if (!isValidTimeZone(zone))
      return DateTime.fromJSDate(instant, { zone }).toFormat("ccc, LLL d, yyyy, h:mm a ZZZZ");
    format = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      weekday: "short",
      month: "short",
      day: "numeric",
      year: "numeric",
      hour: "numeric",
      minute: "2-digit",
      hour12: true,
      timeZoneName: "short",
    });
    readableFormats.set(zone, format);
  }
  const part: Partial<Record<Intl.DateTimeFormatPartTypes, string>> = {};
  for (const p of format.formatToParts(instant)) part[p.type] = p.value;
  return `${part.weekday}, ${part.month} ${part.day}, ${part.year}, ${part.hour}:${part.minute} ${part.dayPeriod} ${part.timeZoneName}`;
}

/** {@link formatInZone}'s formatters, one per zone (a few zones in practice). */
const readableFormats = new Map<string, Intl.DateTimeFormat>();

/** Slack date token: every reader sees the time in their own zone; `fallback` for old clients. */
export function slackDate(instant: Date, zone: string, format = "{date_short_pretty} at {time}"): string {
  const unix = Math.floor(instant.getTime() / 1000);
  return `<!date^${unix}^${format}|${formatInZone(instant, zone)}>`;
}

/** The value Slack's datetimepicker needs (unix seconds). */
export function toUnixSeconds(instant: Date): number {
  return Math.floor(instant.getTime() / 1000);
}

function clip(text: string, max = 40): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
