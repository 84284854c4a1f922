/**
 * Time zones as people say them: "Chicago time (CT)", not "America/Chicago". The stored zone stays the IANA
 * name (the zone math needs it); every text a person reads names it with {@link zoneName}, and every zone a
 * person types ("Central", "CT", "Pacific", "Berlin", or an IANA name) is read with {@link resolveTimeZone}.
 */
import { DateTime } from "luxon";

/** The complaint about a zone nobody knows (after the quoted text). */
export const NOT_A_ZONE = 'is not a time zone (say e.g. "Central", "CT", "Pacific" or "Berlin")';

/** Zones already judged (luxon computes an offset to judge one; reminders ask it several times each). */
const validity = new Map<string, boolean>();

function isValidTimeZone(zone: string): boolean {
  let valid = validity.get(zone);
  if (valid === undefined) {
    valid = DateTime.local().setZone(zone).isValid;
    // Bounded: zones come from stored rows and typed text; a flood of junk must not grow it forever.
    if (validity.size >= 1_000) validity.clear();
    validity.set(zone, valid);
  }
  return valid;
}

/** A zone people pick often, with the words they use for it. */
export interface CommonZone {
  /** IANA name (stored). */
  id: string;
  /** The city people name the zone by. */
  city: string;
  /** What people call the zone itself ("Central"), when that is not the city. */
  spoken?: string;
  /** The region's own short name, when one exists for the whole year (US "CT"); else the season's. */
  abbr?: string;
  /** What else people type for it (compared without case, spaces or punctuation). */
  aliases: readonly string[];
  group: "Americas" | "Europe & Africa" | "Asia & Pacific" | "Other";
}

/** The zones offered in the modals (first the US ones, as most customers are there). */
export const COMMON_ZONES: readonly CommonZone[] = [
  {
    id: "America/New_York",
    city: "New York",
    spoken: "Eastern",
    abbr: "ET",
    aliases: ["eastern", "et", "est", "edt", "us/eastern"],
    group: "Americas",
  },
  {
    id: "America/Chicago",
    city: "Chicago",
    spoken: "Central",
    abbr: "CT",
    aliases: ["central", "ct", "cst", "cdt", "us/central"],
    group: "Americas",
  },
  {
    id: "America/Denver",
    city: "Denver",
    spoken: "Mountain",
    abbr: "MT",
    aliases: ["mountain", "mt", "mst", "mdt", "us/mountain"],
    group: "Americas",
  },
  {
    id: "America/Phoenix",
    city: "Phoenix",
    spoken: "Arizona",
    abbr: "MST",
    aliases: ["arizona", "us/arizona"],
    group: "Americas",
  },
  {
    id: "America/Los_Angeles",
    city: "Los Angeles",
    spoken: "Pacific",
    abbr: "PT",
    aliases: ["pacific", "pt", "pst", "pdt", "us/pacific"],
    group: "Americas",
  },
  {
    id: "America/Anchorage",
    city: "Anchorage",
    spoken: "Alaska",
    abbr: "AKT",
    aliases: ["alaska", "akst", "akdt", "us/alaska"],
    group: "Americas",
  },
  {
    id: "Pacific/Honolulu",
    city: "Honolulu",
    spoken: "Hawaii",
    abbr: "HT",
    aliases: ["hawaii", "hst", "us/hawaii"],
    group: "Americas",
  },
  {
    id: "America/Halifax",
    city: "Halifax",
    spoken: "Atlantic",
    abbr: "AT",
    aliases: ["atlantic"],
    group: "Americas",
  },
  { id: "America/Toronto", city: "Toronto", abbr: "ET", aliases: [], group: "Americas" },
  { id: "America/Vancouver", city: "Vancouver", abbr: "PT", aliases: [], group: "Americas" },
  { id: "America/Mexico_City", city: "Mexico City", aliases: [], group: "Americas" },
  { id: "America/Sao_Paulo", city: "São Paulo", abbr: "BRT", aliases: ["brasilia"], group: "Americas" },
  { id: "Europe/London", city: "London", aliases: ["uk", "gmt", "bst", "british"], group: "Europe & Africa" },
  { id: "Europe/Dublin", city: "Dublin", aliases: ["ireland"], group: "Europe & Africa" },
  { id: "Europe/Lisbon", city: "Lisbon", aliases: ["portugal"], group: "Europe & Africa" },
  { id: "Europe/Paris", city: "Paris", aliases: ["france"], group: "Europe & Africa" },
  {
    id: "Europe/Berlin",
    city: "Berlin",
    aliases: ["cet", "cest", "germany", "central european"],
    group: "Europe & Africa",
  },
  { id: "Europe/Madrid", city: "Madrid", aliases: ["spain"], group: "Europe & Africa" },
  { id: "Europe/Amsterdam", city: "Amsterdam", aliases: ["netherlands"], group: "Europe & Africa" },
  { id: "Europe/Athens", city: "Athens", aliases: ["eet", "eest", "greece"], group: "Europe & Africa" },
  {
    id: "Africa/Johannesburg",
    city: "Johannesburg",
    abbr: "SAST",
    aliases: ["south africa", "sast"],
    group: "Europe & Africa",
  },
  { id: "Asia/Dubai", city: "Dubai", aliases: ["gulf"], group: "Asia & Pacific" },
  {
    id: "Asia/Kolkata",
    city: "India",
    abbr: "IST",
    aliases: ["ist", "calcutta", "mumbai", "delhi"],
    group: "Asia & Pacific",
  },
  { id: "Asia/Singapore", city: "Singapore", abbr: "SGT", aliases: ["sgt"], group: "Asia & Pacific" },
  { id: "Asia/Tokyo", city: "Tokyo", abbr: "JST", aliases: ["japan", "jst"], group: "Asia & Pacific" },
  { id: "Australia/Sydney", city: "Sydney", abbr: "AET", aliases: ["aest", "aedt"], group: "Asia & Pacific" },
  {
    id: "Pacific/Auckland",
    city: "Auckland",
    abbr: "NZT",
    aliases: ["new zealand", "nzst", "nzdt"],
    group: "Asia & Pacific",
  },
  { id: "UTC", city: "UTC", aliases: ["utc", "z", "zulu", "etc/utc"], group: "Other" },
];

const byId = new Map(COMMON_ZONES.map((z) => [z.id, z]));

function zoneKey(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/\b(standard|daylight)\b/g, "")
    .replace(/\btime( zone)?\b/g, "")
    .replace(/[^a-z0-9/]/g, "");
}

/** Every key → IANA id: aliases, cities, "city time (abbr)" labels and the whole-year abbreviations. */
const byKey = (() => {
  const keys = new Map<string, string>();
  for (const z of COMMON_ZONES) {
    // The first zone to claim a key keeps it ("ET" is New York's, not Toronto's).
    const claim = (k: string) => {
      const key = zoneKey(k);
      if (key && !keys.has(key)) keys.set(key, z.id);
    };
    claim(z.id);
    claim(z.city);
    if (z.spoken) claim(z.spoken);
    if (z.abbr) claim(z.abbr);
    for (const a of z.aliases) claim(a);
  }
  return keys;
})();

/** The canonical IANA name for a typed zone, or null: "Central", "CT", "chicago", "America/Chicago" all work. */
export function resolveTimeZone(text: string | null | undefined): string | null {
  const raw = String(text ?? "").trim();
  if (!raw || raw.length > 64) return null;
  // A label we print ("Chicago time (CT)") reads back: try the words in parentheses and the words before.
  const inParens = /\(([^)]*)\)\s*$/.exec(raw)?.[1];
  for (const candidate of [raw, inParens, raw.replace(/\([^)]*\)\s*$/, "")]) {
    const found = candidate ? byKey.get(zoneKey(candidate)) : undefined;
    if (found) return found;
  }
  if (!/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/.test(raw) || !isValidTimeZone(raw)) return null;
  // Intl knows "america/chicago" too: store its spelling, unless it is an older alias (Katmandu for Kathmandu).
  const resolved = new Intl.DateTimeFormat("en-US", { timeZone: raw }).resolvedOptions().timeZone;
  return resolved.toLowerCase() === raw.toLowerCase() ? resolved : raw;
}

/** The zone's short name at `at` for people outside the US list: "CET"/"CEST", "GMT"/"BST", else "GMT+5:45". */
function seasonalAbbr(zone: string, at: Date): string {
  const part = (locale: string) =>
    new Intl.DateTimeFormat(locale, { timeZone: zone, timeZoneName: "short" })
      .formatToParts(at)
      .find((p) => p.type === "timeZoneName")?.value ?? "";
  const gb = part("en-GB");
  return /^[A-Z]{2,5}$/.test(gb) ? gb : part("en-US") || gb;
}

/** "Chicago time (CT)", "Berlin time (CET)", "UTC": how a person names the zone (never the IANA name). */
export function zoneName(zone: string, at: Date = new Date()): string {
  if (zone === "UTC" || zone === "Etc/UTC") return "UTC";
  const known = byId.get(zone);
  const city = known?.city ?? (zone.split("/").at(-1) ?? zone).replaceAll("_", " ");
  if (!isValidTimeZone(zone)) return `${city} time`;
  return `${city} time (${known?.abbr ?? seasonalAbbr(zone, at)})`;
}

/**
 * "Tuesday, December 8, 2026 at 3:00 PM Chicago time (CT)": the time in `zone`, labelled with it. `short`
 * leaves out the year ("Monday, December 7 at …"), for a second time next to a first.
 */
export function formatCallTime(instant: Date, zone: string, style: "long" | "short" = "long"): string {
  const dt = DateTime.fromJSDate(instant, { zone });
  const day = dt.toFormat(style === "long" ? "cccc, LLLL d, yyyy" : "cccc, LLLL d");
  return `${day} at ${dt.toFormat("h:mm a")} ${zoneName(zone, instant)}`;
}

/** Only the clock time in `zone`, labelled: "3:00 PM Chicago time (CT)". */
export function formatClockTime(instant: Date, zone: string): string {
  return `${DateTime.fromJSDate(instant, { zone }).toFormat("h:mm a")} ${zoneName(zone, instant)}`;
}

/**
 * The same instant for every reader in their own Slack zone, labelled so: "Dec 8 at 1:00 PM your time".
 * The fallback (old clients) is the time in `zone`, labelled with that zone.
 */
export function yourTime(instant: Date, zone: string, format = "{date_short_pretty} at {time}"): string {
  const unix = Math.floor(instant.getTime() / 1000);
  return `<!date^${unix}^${format} your time|${formatCallTime(instant, zone, "short")}>`;
}

/** The zones offered in a select menu, grouped; `current` is added first when it is not a common one. */
export function zoneChoices(current?: string): { group: string; zones: { id: string; label: string }[] }[] {
  const groups = new Map<string, { id: string; label: string }[]>();
  const put = (group: string, id: string) => {
    const list = groups.get(group) ?? [];
    const spoken = byId.get(id)?.spoken;
    list.push({ id, label: spoken ? `${spoken} — ${zoneName(id)}` : zoneName(id) });
    groups.set(group, list);
  };
  if (current && !byId.has(current) && isValidTimeZone(current)) put("Current", current);
  for (const z of COMMON_ZONES) put(z.group, z.id);
  return [...groups].map(([group, zones]) => ({ group, zones }));
}
