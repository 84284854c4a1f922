/**
 * Finch messages in the customer channel: the Connect link, the verification report (a reply in the
 * checklist's thread) and the rep's disconnect confirmation. Pure builders: same input, same message.
 * None of them ever carries a token, a code or employee data — only links to our own app and outcomes.
 */
import type {
  ActionsBlock,
  Button,
  ContextBlock,
  KnownBlock,
  MrkdwnElement,
  SectionBlock,
} from "@slack/types";
import { customerOpenSentence, openSentence } from "../checklist/open-items.ts";
import { ActionId, MetadataEventType } from "../slack-gateway/ids.ts";
import { BLOCK_KIT_LIMITS } from "./limits.ts";
import { clipText, escapeMrkdwn, plural } from "./mrkdwn.ts";
import type {
  PermissionOutcome,
  PermissionResultKind,
  VerificationOutcome,
  VerificationReport,
} from "./verification-input.ts";

/** Slack mrkdwn control characters must be escaped in data (company names, template labels). */
const esc = escapeMrkdwn;

function mrkdwn(text: string): MrkdwnElement {
  return { type: "mrkdwn", text };
}

function section(blockId: string, text: string): SectionBlock {
  return { type: "section", block_id: blockId, text: mrkdwn(text) };
}

function slackDate(date: Date): string {
  const fallback = `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
  return `<!date^${Math.floor(date.getTime() / 1000)}^{date_short_pretty} at {time}|${fallback}>`;
}

// ---- Connect link --------------------------------------------------------------------------------

/** Input of {@link buildConnectLinkMessage}. */
export interface ConnectLinkInput {
  onboardingId: string;
  companyName: string;
  providerName: string;
  /** Our own app URL (`/connect/<token>` or `/reconnect/<token>`), never Finch's session URL. */
  url: string;
  kind: "connect" | "reconnect";
  /** Why a reconnect is needed, in plain words (reconnect only). */
  reason?: string;
}

/** Metadata of a Connect link message. */
export interface ConnectLinkMetadata {
  event_type: typeof MetadataEventType.connectLink;
  event_payload: { onboarding_id: string; kind: "connect" | "reconnect" };
}

/** A Slack message: text fallback, blocks and metadata. */
export interface FinchMessage<M> {
  text: string;
  blocks: KnownBlock[];
  metadata: M;
}

/** The message with the "Connect <provider>" (or "Reconnect") button. */
export function buildConnectLinkMessage(input: ConnectLinkInput): FinchMessage<ConnectLinkMetadata> {
  const provider = esc(input.providerName);
  const company = esc(clipText(input.companyName.trim(), 100));
  const reconnect = input.kind === "reconnect";
  const body = reconnect
    ? [
        `:warning: *${provider} needs to be reconnected for ${company}.*`,
        input.reason ? esc(clipText(input.reason, 500)) : "",
        `Click *Reconnect ${provider}* and sign in to ${provider} again through Finch; your checklist and permissions stay as they are. Fleet re-checks everything right after.`,
      ]
    : [
        `:link: *Connect ${provider} for ${company}*`,
        `When you're ready (usually on the onboarding call), click *Connect ${provider}*. You sign in to ${provider} through *Finch*; Fleet never sees the password. Fleet then verifies the connection and every permission, and posts the result in the checklist's thread.`,
      ];
  const button: Button = {
    type: "button",
    action_id: ActionId.connectLink,
    text: {
      type: "plain_text",
      text: clipText(
        `${reconnect ? "Reconnect" : "Connect"} ${input.providerName}`,
        BLOCK_KIT_LIMITS.buttonText,
      ),
      emoji: true,
    },
    url: input.url,
    style: "primary",
  };
  const context: ContextBlock = {
    type: "context",
    block_id: "connect:note",
    elements: [mrkdwn(":lock: The button always opens a fresh, secure Finch session — it never expires.")],
  };
  return {
    text: reconnect
      ? `${input.providerName} needs to be reconnected for ${clipText(input.companyName.trim(), 100)}: ${input.url}`
      : `Connect ${input.providerName} for ${clipText(input.companyName.trim(), 100)}: ${input.url}`,
    blocks: [
      section("connect:body", body.filter(Boolean).join("\n")),
      { type: "actions", block_id: "connect:actions", elements: [button] },
      context,
    ],
    metadata: {
      event_type: MetadataEventType.connectLink,
      event_payload: { onboarding_id: input.onboardingId, kind: input.kind },
    },
  };
}

// ---- Verification --------------------------------------------------------------------------------

/** Metadata of a verification message (counts and outcomes only). */
export interface VerificationMetadata {
  event_type: typeof MetadataEventType.verification;
  event_payload: {
    onboarding_id: string;
    outcome: VerificationOutcome;
    connection_status: string;
    granted: number;
    missing: number;
    checked: number;
    /** Boxes Finch cannot read that a person ticked. */
    confirmed: number;
  };
}

/** What a person ticked (or Finch proved) in the checklist, and where an open box sits. */
interface Checklist {
  done: ReadonlyMap<string, { by: "finch" | "person"; byUserId: string | null }>;
  stepOf: ReadonlyMap<string, number>;
}

function checklistOf(report: VerificationReport): Checklist {
  return {
    done: new Map((report.checklist?.done ?? []).map((d) => [d.key, d])),
    stepOf: new Map((report.checklist?.open ?? []).map((o) => [o.key, o.stepNumber])),
  };
}

/** A box Finch cannot read: confirmed by the person who ticked it, or still to tick. */
function personLine(p: PermissionOutcome, list: Checklist, why: string): string {
  const done = list.done.get(p.key);
  if (done) {
    const who = done.byUserId ? `<@${done.byUserId}>` : "you";
    return `:white_check_mark: ${esc(p.label)} — confirmed by ${who}`;
  }
  const step = list.stepOf.get(p.key);
  return `:raised_hand: ${esc(p.label)} — ${why}: tick it${step ? ` in step ${step}` : " in the checklist"} once it's on`;
}

const RESULT_LINE: Record<
  PermissionResultKind,
  (p: PermissionOutcome, provider: string, list: Checklist) => string
> = {
  granted: (p) => `:white_check_mark: ${esc(p.label)} — checked by Fleet through Finch`,
  missing: (p, provider) => `:x: *${esc(p.label)}* — *missing*. Turn it on in ${provider}: _${esc(p.where)}_`,
  not_in_scope: (p) =>
    `:x: *${esc(p.label)}* — not shared when you connected. Reconnect and keep every requested item selected.`,
  syncing: (p) => `:hourglass_flowing_sand: ${esc(p.label)} — still syncing; Fleet re-checks automatically`,
  unsupported: (p, provider, list) => personLine(p, list, `Finch can't see this one for ${provider}`),
  unverifiable: (p, _provider, list) => personLine(p, list, "Finch can't see this one"),
  no_sample: (p, _provider, list) => personLine(p, list, "nothing for Finch to look at yet"),
  blocked: (p) => `:white_circle: ${esc(p.label)} — not checked yet; Fleet re-checks automatically`,
  retry: (p) =>
    `:hourglass_flowing_sand: ${esc(p.label)} — Finch did not answer; Fleet re-checks automatically`,
  error: (p) => `:warning: ${esc(p.label)} — could not be checked; Fleet's team has been told`,
};

/** The connection's state in plain words (Finch's own status codes are for reps, as a detail). */
export function connectionWords(status: string | undefined): string {
  switch (status) {
    case "connected":
      return "connected";
    case "error_permissions":
      return "connected, with permissions missing";
    case "pending":
    case "processing":
      return "being set up";
    case "reauth":
    case "disconnected":
      return "needs reconnecting";
    case "error_no_account_setup":
      return "connected, account not set up yet";
    default:
      return "not known yet";
  }
}

function headline(report: VerificationReport): string {
  const provider = esc(report.providerName);
  const missing = report.permissions.filter((p) => p.result === "missing" || p.result === "not_in_scope");
  switch (report.outcome) {
    case "verified": {
      const open = report.checklist ? openSentence({ openItems: report.checklist.open }, "customer") : "";
      return open
        ? `:white_check_mark: *${provider} is connected and verified.* ${open}`
        : `:white_check_mark: *${provider} is connected and verified.* Fleet can read everything it needs — thank you!`;
    }
    case "missing":
      return missing.length > 0
        ? `:warning: *${provider} is connected, but ${missing.length} permission${missing.length === 1 ? " is" : "s are"} missing.* Turn ${missing.length === 1 ? "it" : "them"} on in ${provider} (where to find each is below), then press *Re-check*.`
        : `:warning: *${provider} is connected, but Finch reports missing permissions.* Review step 3 in ${provider}, then press *Re-check*.`;
    case "syncing":
      if (report.authMethod === "assisted") {
        return `:hourglass_flowing_sand: *Finch is setting up the ${provider} connection.* For ${provider}, Finch's team completes the setup on its side, which can take a few days. Nothing to do — Fleet keeps checking and posts here when it is ready.`;
      }
      return `:hourglass_flowing_sand: *${provider} is connected; Finch is still syncing the data.* A first sync can take a while. Nothing to do — Fleet checks again by itself and posts the result here.`;
    case "retry":
      return `:hourglass_flowing_sand: *Finch could not be reached just now.* Nothing to do — Fleet will re-check automatically.`;
    case "reauth":
      return `:link: *${provider} needs to be reconnected.* Use the Reconnect button in this thread.`;
    case "setup_required": {
      const steps = report.setupSteps.map((s) => `• Step ${s.number} · ${esc(s.title)}`).join("\n");
      return (
        `:construction: *${provider} is connected, but Fleet's integration user is not fully set up yet.* ` +
        `${provider} has not finished making it a third-party administrator. Please complete${steps ? `:\n${steps}\n` : " the first steps of the guide, "}` +
        `then press *Re-check*.`
      );
    }
    case "error":
      return `:warning: *The check did not complete.* Fleet's team has been told and will look into it — nothing to do for you.`;
  }
}

function connectionContext(report: VerificationReport): ContextBlock {
  const c = report.connection;
  const companies = (c?.entities ?? [])
    .map((e) => e.name)
    .filter((n): n is string => !!n)
    .map((n) => esc(clipText(n, 80)));
  const parts = [
    `*Connection:* ${connectionWords(c?.status)}`,
    `*Provider:* ${esc(report.providerName)}`,
    ...(companies.length > 0 ? [`*Company:* ${clipText(companies.join(", "), 400)}`] : []),
    `checked ${slackDate(report.checkedAt)}`,
  ];
  // Finch's own status codes and messages go to the rep (verificationSummaryText), not the customer.
  return { type: "context", block_id: "verify:connection", elements: [mrkdwn(parts.join("  ·  "))] };
}

/** Finch's own words about the connection and each sign-in method, as given: a detail for reps. */
export function finchDetailForReps(report: VerificationReport): string {
  const c = report.connection;
  if (!c) return "";
  const finchSays = [
    `status \`${c.status}\``,
    ...(c.message ? [`“${esc(clipText(c.message, 300))}”`] : []),
    ...(c.methods ?? []).map(
      (m) =>
        `${esc(m.type)}: \`${esc(m.status ?? "unknown")}\`${m.message && m.message !== c.message ? ` “${esc(clipText(m.message, 200))}”` : ""}`,
    ),
  ];
  return clipText(`_Finch's detail:_ ${finchSays.join(" · ")}`, 2000);
}

/** Permission lines grouped by the template's groups, split into sections that fit Slack's limit. */
function permissionSections(report: VerificationReport): SectionBlock[] {
  const provider = esc(report.providerName);
  const list = checklistOf(report);
  const lines: string[] = [];
  let group: string | undefined;
  for (const p of report.permissions) {
    if (p.group !== group) {
      group = p.group;
      lines.push(`*${esc(p.group)}*`);
    }
    lines.push(RESULT_LINE[p.result](p, provider, list));
  }
  const sections: SectionBlock[] = [];
  let current = "";
  const max = BLOCK_KIT_LIMITS.sectionText;
  for (const line of lines.map((l) => clipText(l, max))) {
    if (current && current.length + 1 + line.length > max) {
      sections.push(section(`verify:perms:${sections.length + 1}`, current));
      current = "";
    }
    current = current ? `${current}\n${line}` : line;
  }
  if (current) sections.push(section(`verify:perms:${sections.length + 1}`, current));
  return sections;
}

/** The notification text's verdict, in plain words. */
const OUTCOME_WORDS: Record<VerificationOutcome, (missing: readonly PermissionOutcome[]) => string> = {
  verified: () => "connected and verified",
  missing: (m) => (m.length > 0 ? `missing: ${m.map((p) => p.label).join(", ")}` : "permissions missing"),
  syncing: () => "still syncing",
  retry: () => "Finch did not answer; Fleet re-checks",
  reauth: () => "needs reconnecting",
  setup_required: () => "integration user not set up yet",
  error: () => "the check did not complete",
};

/** "5 of 9 permissions done (3 checked through Finch, 2 confirmed by you)". */
function countsText(report: VerificationReport, proven: number, confirmed: number): string {
  const total = report.permissions.length;
  return `${proven + confirmed} of ${plural(total, "permission")} done (${proven} checked through Finch, ${confirmed} confirmed by you)`;
}

/** The verification report as a thread reply, with a Re-check button. */
export function buildVerificationMessage(report: VerificationReport): FinchMessage<VerificationMetadata> {
  const showPermissions = report.outcome !== "reauth" && report.outcome !== "setup_required";
  const checkable = report.permissions.filter((p) => p.check !== "none");
  const granted = checkable.filter((p) => p.result === "granted");
  const missing = report.permissions.filter((p) => p.result === "missing" || p.result === "not_in_scope");
  const recheck: Button = {
    type: "button",
    action_id: ActionId.recheck,
    text: { type: "plain_text", text: "Re-check", emoji: true },
    value: report.onboardingId,
  };
  const actions: ActionsBlock = { type: "actions", block_id: "verify:actions", elements: [recheck] };
  const blocks: KnownBlock[] = [
    section("verify:headline", clipText(headline(report), BLOCK_KIT_LIMITS.sectionText)),
    connectionContext(report),
    ...(showPermissions && report.permissions.length > 0 ? permissionSections(report) : []),
    actions,
  ];
  const list = checklistOf(report);
  const confirmed = report.permissions.filter((p) => p.check === "none" && list.done.get(p.key));
  return {
    text: clipText(
      `${report.providerName} for ${report.companyName.trim()}: ${countsText(report, granted.length, confirmed.length)} — ${OUTCOME_WORDS[report.outcome](missing)}`,
      BLOCK_KIT_LIMITS.sectionText,
    ),
    blocks,
    metadata: {
      event_type: MetadataEventType.verification,
      event_payload: {
        onboarding_id: report.onboardingId,
        outcome: report.outcome,
        connection_status: report.connection?.status ?? "unknown",
        granted: granted.length,
        missing: missing.length,
        checked: checkable.length,
        confirmed: confirmed.length,
      },
    },
  };
}

const prefixed = (text: string) => (text ? ` ${text}` : "");

/** A one-line summary for the rep (DM or command answer). */
export function verificationSummaryText(report: VerificationReport, channelId: string | null): string {
  const detail = finchDetailForReps(report);
  return detail ? `${summaryLine(report, channelId)}\n${detail}` : summaryLine(report, channelId);
}

function summaryLine(report: VerificationReport, channelId: string | null): string {
  const where = channelId ? ` <#${channelId}>` : "";
  const company = `*${esc(report.companyName.trim())}*`;
  const provider = esc(report.providerName);
  const missing = report.permissions.filter((p) => p.result === "missing" || p.result === "not_in_scope");
  switch (report.outcome) {
    case "verified":
      return `:white_check_mark: ${provider} for ${company} is connected and verified.${report.checklist ? prefixed(customerOpenSentence({ openItems: report.checklist.open }, "rep")) : ""}${where}`;
    case "missing":
      return `:warning: ${provider} for ${company}: ${missing.length === 1 ? "1 permission" : `${missing.length || "some"} permissions`} missing${missing.length ? ` (${missing.map((p) => esc(p.label)).join(", ")})` : ""}. The customer has been told where to fix them.${where}`;
    case "syncing":
      return `:hourglass_flowing_sand: ${provider} for ${company} is connected; Finch is still syncing. Fleet re-checks automatically.${where}`;
    case "retry":
      return `:hourglass_flowing_sand: Finch could not be reached while checking ${company}; Fleet will re-check automatically.${where}`;
    case "reauth":
      return `:link: ${provider} for ${company} needs to be reconnected; a Reconnect link is in the checklist's thread.${where}`;
    case "setup_required":
      return `:construction: ${provider} for ${company}: the integration user is not set up as a third-party admin yet (guide steps 1–2). The customer has been asked to finish it.${where}`;
    case "error":
      return `:x: Verifying ${provider} for ${company} failed unexpectedly; see the logs (onboarding ${report.onboardingId}).${where}`;
  }
}

// ---- Disconnect confirmation: in ./disconnect.ts ------------------------------------------------
export { buildDisconnectConfirmation } from "./disconnect.ts";
