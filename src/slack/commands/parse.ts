/**
 * `/fleet` text → a typed subcommand, or a precise complaint with the usage. Total: any text gives one of
 * the two, never an exception (property-tested).
 */
import { type ProviderChoice, resolveProvider } from "../../checklist/provider-names.ts";
import {
  type OnboardDraft,
  type OnboardRequest,
  validateOnboardDraft,
} from "../../onboarding/onboard-request.ts";
import { parseLocalDateTime } from "../../time.ts";
import { NOT_A_ZONE, resolveTimeZone } from "../../time-zones.ts";
import {
  closestProviders,
  closestWords,
  didYouMeanProvider,
  didYouMeanText,
  lineToCopy,
  suggestion,
} from "./suggest.ts";

/** Subcommands and their usage lines. */
export const USAGE = {
  onboard:
    "`/fleet onboard <Company name> hr=<email>[,<email>…] [call=<YYYY-MM-DDTHH:mm>] [tz=<zone, e.g. Central>] [provider=<id or name, e.g. BambooHR>] [via=email]` — open a Slack Connect channel and checklist (no text: a form)",
  status: "`/fleet status [company]` — progress, invites, call and connection",
  link: "`/fleet link [company]` — post the Finch Connect link in the customer channel",
  reconnect:
    "`/fleet reconnect [company]` — post a Reconnect link for a connected provider (re-authenticates the same connection)",
  verify: "`/fleet verify [company]` — re-check the Finch connection and permissions",
  call: "`/fleet call [company] <YYYY-MM-DDTHH:mm> [tz=<zone, e.g. Central>]` — book or move the onboarding call",
  history: "`/fleet history [company]` — latest activity, with a CSV export",
  done: "`/fleet done [company]` — close the onboarding (stops reminders, keeps history)",
  owner: "`/fleet owner [company] @rep` — hand the onboarding over to another rep",
  provider:
    "`/fleet provider [company] <provider>` — switch the checklist to another HR provider (before anything is ticked)",
  disconnect: "`/fleet disconnect <company>` — disconnect Finch and delete the stored token",
  report: "`/fleet report [weeks]` — onboarding analytics for the last 1–26 weeks (default 4), privately",
  help: "`/fleet help [subcommand]` — this help",
} as const;

export type Subcommand = keyof typeof USAGE;

/** Subcommands whose only argument is an optional company. */
type CompanyOnlyKind = "status" | "link" | "reconnect" | "verify" | "history" | "done" | "disconnect";

/** In a customer channel `[company]` may be left out; it is then `undefined`. */
export type FleetCommand =
  | { kind: "help"; topic?: Subcommand }
  | { kind: "onboard-modal" }
  | { kind: "onboard"; request: OnboardRequest }
  | { [K in CompanyOnlyKind]: { kind: K; company?: string } }[CompanyOnlyKind]
  /** `wallTime` is `YYYY-MM-DDTHH:mm` in `timeZone`, or — when no tz= is given — in the onboarding's zone. */
  | { kind: "call"; company?: string; wallTime: string; timeZone?: string }
  | { kind: "owner"; company?: string; newOwnerUserId: string }
  /** `providerId` is a Finch id that has a checklist template. */
  | { kind: "provider"; company?: string; providerId: string }
  /** Analytics over the last `weeks` weeks (1–26). */
  | { kind: "report"; weeks: number };

export type ParseResult = { ok: true; command: FleetCommand } | { ok: false; error: string; usage: string };

/** What parsing needs to know about the world. */
export interface ParseContext {
  now: Date;
  defaultTimeZone: string;
  /** HR providers with a checklist template (Finch id and display name). */
  providers: readonly ProviderChoice[];
}

/** Longest text we read; Slack allows more, but nothing legitimate is this long. */
export const MAX_TEXT_LENGTH = 2_000;

/** The full help text. */
export function helpText(): string {
  return ["*Fleet Concierge* — onboard customers onto Fleet's HR integration:", ...Object.values(USAGE)].join(
    "\n• ",
  );
}

/** The subcommand word of a `/fleet` text, lower-cased, as {@link parseFleetCommand} reads it ("" when none). */
export function fleetSubcommandWord(rawText: string): string {
  return (tokenize(unescapeSlackText(String(rawText ?? "")).trim())[0] ?? "").toLowerCase();
}

/** Parses the text after `/fleet`. */
export function parseFleetCommand(rawText: string, context: ParseContext): ParseResult {
  const text = unescapeSlackText(String(rawText ?? "")).trim();
  if (text.length > MAX_TEXT_LENGTH) {
    return fail(
      `That is ${text.length} characters; a /fleet command is at most ${MAX_TEXT_LENGTH}.`,
      helpText(),
    );
  }
  const tokens = tokenize(text);
  const [head, ...rest] = tokens;
  const sub = (head ?? "help").toLowerCase();
  switch (sub) {
    case "help":
    case "?": {
      const topic = rest[0]?.toLowerCase();
      if (topic && topic in USAGE) return ok({ kind: "help", topic: topic as Subcommand });
      return ok({ kind: "help" });
    }
    case "onboard":
      return rest.length === 0 ? ok({ kind: "onboard-modal" }) : parseOnboard(rest, context, text);
    case "status":
    case "link":
    case "reconnect":
    case "verify":
    case "history":
    case "done":
    case "disconnect": {
      const options = rest.filter((t) => /^[a-z]+=/i.test(t));
      if (options.length > 0)
        return fail(`\`${sub}\` takes no options (got \`${clip(options[0] ?? "")}\`).`, USAGE[sub]);
      const company = joinName(rest);
      return ok({ kind: sub, company });
    }
    case "call":
      return parseCall(rest, context);
    case "owner":
      return parseOwner(rest);
    case "provider":
      return parseProvider(rest, context, text);
    case "report":
      return parseReport(rest);
    default:
      return unknownSubcommand(text, head ?? "");
  }
}

/** "I don't know `stauts`. Did you mean `status`? Copy: `/fleet status Acme`" (no guess when none is close). */
function unknownSubcommand(text: string, head: string): ParseResult {
  const close = closestWords(head.toLowerCase(), Object.keys(USAGE));
  const best = close[0];
  const hint = best ? ` ${suggestion(didYouMeanText(close), lineToCopy(text, head, best))}` : "";
  return fail(`I don't know \`${clip(head)}\`.${hint}`, helpText());
}

/** An unknown provider's closest names and the corrected line; "" when the name is known or nothing is close. */
function providerHint(
  text: string,
  typed: string,
  providers: readonly ProviderChoice[],
  replace: string,
  by: (id: string) => string,
): string {
  const resolved = resolveProvider(typed, providers);
  if (resolved.ok || resolved.reason !== "unknown") return "";
  const close = closestProviders(typed, providers);
  const best = close[0];
  if (!best) return "";
  return suggestion(didYouMeanProvider(close), lineToCopy(text, replace, by(best.id), "end"));
}

/** The hint goes right after the first sentence ("… is not an HR provider …."), before the long list. */
function withHint(message: string, hint: string): string {
  if (!hint) return message;
  const end = message.indexOf(". ", message.indexOf('" '));
  return end < 0 ? `${message}\n${hint}` : `${message.slice(0, end + 1)} ${hint}\n${message.slice(end + 2)}`;
}

/** The options of `/fleet onboard` (for "did you mean"). */
const ONBOARD_OPTIONS = ["hr", "call", "tz", "provider", "owner", "via"];

function parseOnboard(tokens: string[], context: ParseContext, text: string): ParseResult {
  const draft: OnboardDraft = {};
  const nameParts: string[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] ?? "";
    const option = /^([A-Za-z]+)=(.*)$/s.exec(token);
    if (!option) {
      nameParts.push(token);
      continue;
    }
    const key = (option[1] ?? "").toLowerCase();
    let value = option[2] ?? "";
    if (seen.has(key)) problems.push(`\`${key}=\` is given twice`);
    seen.add(key);
    switch (key) {
      case "hr":
        draft.hrEmails = value
          .split(/[,;]/)
          .map((e) => unwrapMailto(e))
          .filter(Boolean);
        // "hr=a@x.com, b@x.com" arrives as two tokens; take the following bare emails too.
        while (i + 1 < tokens.length && /^<?(mailto:)?[^=\s]+@[^=\s]+$/.test(tokens[i + 1] ?? "")) {
          draft.hrEmails.push(...(tokens[++i] ?? "").split(/[,;]/).map(unwrapMailto).filter(Boolean));
        }
        break;
      case "call":
        // Accept "call=2026-12-03 14:30" as well as the T form.
        if (/^\d{4}-\d{2}-\d{2}$/.test(value) && /^\d{2}:\d{2}$/.test(tokens[i + 1] ?? ""))
          value += `T${tokens[++i]}`;
        draft.call = value;
        break;
      case "tz":
        draft.timeZone = value;
        draft.timeZoneTyped = true;
        break;
      case "provider":
        // "provider=ADP Run": take following words while they complete a name the value alone is not.
        while (
          i + 1 < tokens.length &&
          !/=/.test(tokens[i + 1] ?? "") &&
          !resolveProvider(value, context.providers).ok &&
          resolveProvider(`${value} ${tokens[i + 1]}`, context.providers).ok
        ) {
          value += ` ${tokens[++i]}`;
        }
        draft.provider = value;
        break;
      case "via":
        // Slack Connect is the default; email sends each HR admin a link to their private page instead.
        if (value.toLowerCase() === "email") draft.via = "email";
        else if (value.toLowerCase() !== "slack")
          problems.push(`\`via=\` is \`email\` or \`slack\` (got \`${clip(value)}\`)`);
        break;
      case "owner": {
        const user = parseUserMention(value);
        if (user) draft.ownerUserId = user;
        else problems.push(`\`owner=\` needs a person mentioned like @jane (got \`${clip(value)}\`)`);
        break;
      }
      default: {
        const close = closestWords(key, ONBOARD_OPTIONS, 0.4).map((o) => `${o}=`);
        problems.push(
          `\`${clip(key)}=\` is not an option of onboard${close.length ? ` (${didYouMeanText(close)})` : ""}`,
        );
      }
    }
  }
  draft.company = joinName(nameParts);
  return onboardResult(draft, problems, context, text);
}

/** The parsed draft validated: the request, or every problem with a "did you mean" for the provider. */
function onboardResult(
  draft: OnboardDraft,
  problems: string[],
  context: ParseContext,
  text: string,
): ParseResult {
  const validated = validateOnboardDraft(draft, context);
  if (!validated.ok) problems.push(...validated.problems);
  if (problems.length > 0 || !validated.ok) {
    const typo = draft.provider
      ? providerHint(
          text,
          draft.provider,
          context.providers,
          `provider=${draft.provider}`,
          (id) => `provider=${id}`,
        )
      : "";
    return fail(withHint(`Couldn't start the onboarding: ${problems.join("; ")}.`, typo), USAGE.onboard);
  }
  return ok({ kind: "onboard", request: validated.request });
}

function parseCall(tokens: string[], context: ParseContext): ParseResult {
  let timeZone: string | undefined;
  const rest: string[] = [];
  let typedZone: string | undefined;
  for (const token of tokens) {
    const tz = /^tz=(.*)$/i.exec(token);
    if (tz) typedZone = tz[1] ?? "";
    else rest.push(token);
  }
  // The date is the last token (or the last two, "2026-12-03 14:30"); anything before it is the company.
  let when = rest.pop() ?? "";
  if (/^\d{2}:\d{2}$/.test(when) && /^\d{4}-\d{2}-\d{2}$/.test(rest.at(-1) ?? ""))
    when = `${rest.pop()}T${when}`;
  if (!when) return fail("Which date and time? e.g. `/fleet call 2026-12-03T14:30 tz=Central`.", USAGE.call);
  if (typedZone !== undefined) {
    timeZone = resolveTimeZone(typedZone) ?? undefined;
    if (!timeZone) return fail(`"${clip(typedZone)}" ${NOT_A_ZONE}.`, USAGE.call);
  }
  // Without tz= the zone is the onboarding's, known only to the use case: check the form and the calendar
  // here (UTC has no gaps), and existence in the zone and "in the past" there.
  const parsed = parseLocalDateTime(when, timeZone ?? "UTC");
  if (!parsed.ok) return fail(`The call time: ${parsed.reason}.`, USAGE.call);
  if (timeZone && parsed.instant.getTime() <= context.now.getTime())
    return fail("The call time is in the past.", USAGE.call);
  // When no zone is given, the onboarding's own zone applies: the use case re-reads the wall time in it.
  const wallTime = when.trim().replace(" ", "T");
  return ok({ kind: "call", company: joinName(rest), wallTime, ...(timeZone ? { timeZone } : {}) });
}

/** `[weeks]`: a whole number of weeks from 1 to 26 (4 when left out). */
function parseReport(tokens: string[]): ParseResult {
  if (tokens.length === 0) return ok({ kind: "report", weeks: 4 });
  const [first, ...more] = tokens;
  const weeks = /^\d{1,2}$/.test(first ?? "") ? Number(first) : Number.NaN;
  if (more.length > 0 || !(weeks >= 1 && weeks <= 26)) {
    return fail(
      `\`report\` takes a number of weeks from 1 to 26 (got \`${clip(tokens.join(" "))}\`).`,
      USAGE.report,
    );
  }
  return ok({ kind: "report", weeks });
}

function parseOwner(tokens: string[]): ParseResult {
  const last = tokens.at(-1) ?? "";
  const user = parseUserMention(last);
  if (!user) return fail("Who takes over? Mention them: `/fleet owner Acme @jane`.", USAGE.owner);
  return ok({ kind: "owner", company: joinName(tokens.slice(0, -1)), newOwnerUserId: user });
}

/** Provider names may have spaces ("ADP Run"): the longest tail of up to 4 words that names one wins. */
function parseProvider(tokens: string[], context: ParseContext, text: string): ParseResult {
  const words = tokens.map((t) => t.replace(/^provider=/i, "")).filter((t) => t !== "");
  if (words.length === 0) {
    return fail(`Which provider? e.g. \`/fleet provider Acme bamboo_hr\`.`, USAGE.provider);
  }
  for (let n = Math.min(4, words.length); n >= 1; n--) {
    const resolved = resolveProvider(words.slice(-n).join(" "), context.providers);
    if (resolved.ok) {
      return ok({ kind: "provider", company: joinName(words.slice(0, -n)), providerId: resolved.id });
    }
  }
  const typed = words.at(-1) ?? "";
  const last = resolveProvider(typed, context.providers);
  const typo = providerHint(text, typed, context.providers, typed, (id) => id);
  return fail(last.ok ? "" : withHint(last.message, typo), USAGE.provider);
}

/**
 * Slash-command text arrives escaped: `&`, `<`, `>` as entities, and (with should_escape) links such as
 * "Monday.com" as `<http://Monday.com|Monday.com>`. Links become their label again; user mentions stay
 * (`owner` reads them); entities are decoded last so "AT&amp;T" is "AT&T".
 */
export function unescapeSlackText(text: string): string {
  return text
    .replace(/<((?:https?|mailto):[^|>]*)\|([^>]*)>/g, (_m, _url: string, label: string) => label)
    .replace(/<((?:https?|mailto):[^|>]*)>/g, (_m, url: string) =>
      url.replace(/^(?:https?:\/\/|mailto:)/, ""),
    )
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

/** `<@U123|name>` or `<@U123>` (Slack's escaped mention) → `U123`. */
export function parseUserMention(text: string): string | null {
  const m = /^<@([UW][A-Z0-9]{2,20})(?:\|[^>]*)?>$/.exec(text.trim());
  return m ? (m[1] ?? null) : null;
}

/** `<mailto:a@b.com|a@b.com>` (how Slack escapes emails) → `a@b.com`. */
function unwrapMailto(text: string): string {
  const t = text.trim();
  const m = /^<mailto:([^|>]+)(?:\|[^>]*)?>$/.exec(t);
  return (m ? (m[1] ?? "") : t).trim();
}

/** Splits on white space; "double quotes" (also “smart” ones) keep spaces, also after an option: provider="ADP Run". */
function tokenize(text: string): string[] {
  const tokens: string[] = [];
  const re = /([A-Za-z]+=)?(?:"([^"]*)"|“([^”]*)”)|(\S+)/g;
  for (const m of text.matchAll(re)) tokens.push(m[4] ?? `${m[1] ?? ""}${m[2] ?? m[3] ?? ""}`);
  return tokens;
}

function joinName(parts: string[]): string | undefined {
  const name = parts.join(" ").replace(/\s+/g, " ").trim();
  return name === "" ? undefined : name;
}

function ok(command: FleetCommand): ParseResult {
  return { ok: true, command };
}

function fail(error: string, usage: string): ParseResult {
  return { ok: false, error, usage };
}

function clip(text: string, max = 40): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
