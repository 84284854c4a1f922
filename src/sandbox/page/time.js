// Time: the movable sandbox clock, time zones and Slack-style timestamps.
// One section of the sandbox page's script (see SCRIPT_SECTIONS in load-page.ts).

const formatters = new Map();
function partsIn(ms, zone) {
  let format = formatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      weekday: "long",
    });
    formatters.set(zone, format);
  }
  const p = {};
  for (const part of format.formatToParts(new Date(ms))) p[part.type] = part.value;
  return {
    year: Number(p.year),
    month: Number(p.month),
    day: Number(p.day),
    hour: Number(p.hour) % 24,
    minute: Number(p.minute),
    second: Number(p.second),
    weekday: p.weekday,
  };
}

function zoneOffsetMs(ms, zone) {
  const p = partsIn(ms, zone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(ms / 1000) * 1000;
}

/** "YYYY-MM-DDTHH:mm" read as a wall time in `zone` → unix seconds (what Slack's datetimepicker sends). */
function wallToEpoch(value, zone) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value);
  if (!m) return null;
  const guess = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
  const first = guess - zoneOffsetMs(guess, zone);
  return Math.floor((guess - zoneOffsetMs(first, zone)) / 1000);
}

function epochToWall(seconds, zone) {
  const p = partsIn(seconds * 1000, zone);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}`;
}

const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

function ordinal(n) {
  const suffix = ["th", "st", "nd", "rd"];
  const v = n % 100;
  return `${n}${suffix[(v - 20) % 10] ?? suffix[v] ?? suffix[0]}`;
}

function clock12(p, seconds) {
  const hour = p.hour % 12 || 12;
  return `${hour}:${pad(p.minute)}${seconds ? `:${pad(p.second)}` : ""} ${p.hour < 12 ? "AM" : "PM"}`;
}

function dayDiff(ms, zone) {
  const a = partsIn(ms, zone);
  const b = partsIn(sandboxNow(), zone);
  return Math.round(
    (Date.UTC(a.year, a.month - 1, a.day) - Date.UTC(b.year, b.month - 1, b.day)) / 86_400_000,
  );
}

function relativeDay(ms, zone) {
  const diff = dayDiff(ms, zone);
  if (diff === 0) return "today";
  if (diff === 1) return "tomorrow";
  if (diff === -1) return "yesterday";
  return null;
}

function ago(ms) {
  const diff = ms - sandboxNow();
  const abs = Math.abs(diff);
  const [value, unit] =
    abs < 60_000
      ? [0, "minute"]
      : abs < 3_600_000
        ? [Math.round(abs / 60_000), "minute"]
        : abs < 86_400_000
          ? [Math.round(abs / 3_600_000), "hour"]
          : [Math.round(abs / 86_400_000), "day"];
  if (value === 0) return "just now";
  const words = `${value} ${unit}${value === 1 ? "" : "s"}`;
  return diff > 0 ? `in ${words}` : `${words} ago`;
}

/** Slack's `<!date^…^format|fallback>` tokens, in the reader's own time zone. */
function formatSlackDate(seconds, format, zone) {
  const ms = seconds * 1000;
  const p = partsIn(ms, zone);
  const month = MONTHS[p.month - 1] ?? "";
  const rel = relativeDay(ms, zone);
  const tokens = {
    date_num: `${p.year}-${pad(p.month)}-${pad(p.day)}`,
    date: `${month} ${ordinal(p.day)}, ${p.year}`,
    date_short: `${month.slice(0, 3)} ${p.day}, ${p.year}`,
    date_long: `${p.weekday}, ${month} ${ordinal(p.day)}, ${p.year}`,
    time: clock12(p, false),
    time_secs: clock12(p, true),
    ago: ago(ms),
  };
  tokens.date_pretty = rel ?? tokens.date;
  tokens.date_short_pretty = rel ?? tokens.date_short;
  tokens.date_long_pretty = rel ?? tokens.date_long;
  return format.replace(/\{(\w+)\}/g, (whole, name) => tokens[name] ?? whole);
}

function tsToMs(ts) {
  const [sec, micro = "0"] = String(ts).split(".");
  return Number(sec) * 1000 + Math.floor(Number(micro.padEnd(6, "0").slice(0, 6)) / 1000);
}

function compareTs(a, b) {
  const [as, am = "0"] = String(a).split(".");
  const [bs, bm = "0"] = String(b).split(".");
  return Number(as) - Number(bs) || Number(am.padEnd(6, "0")) - Number(bm.padEnd(6, "0"));
}

function timeOfDay(ms) {
  return clock12(partsIn(ms, tz()), false);
}

function dateTime(ms, zone = tz()) {
  const p = partsIn(ms, zone);
  const short = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "short" })
    .formatToParts(new Date(ms))
    .find((x) => x.type === "timeZoneName")?.value;
  return `${p.weekday.slice(0, 3)}, ${MONTHS[p.month - 1]?.slice(0, 3)} ${p.day}, ${clock12(p, false)}${short ? ` ${short}` : ""}`;
}

function dayLabel(ms) {
  const rel = relativeDay(ms, tz());
  if (rel) return rel.charAt(0).toUpperCase() + rel.slice(1);
  const p = partsIn(ms, tz());
  return `${p.weekday}, ${MONTHS[p.month - 1]} ${ordinal(p.day)}`;
}
