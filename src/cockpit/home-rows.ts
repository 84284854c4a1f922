/**
 * "Who is stuck, and why" for one onboarding in the rep's Home: what it waits on and who acts, the flags
 * with their reasons, and its risk rank (the list is ordered by risk, then by how soon the call is). Pure.
 */

import type { HomeConnection, HomeFlag, HomeWaiting } from "../blocks/home-input.ts";
import { onlySelfConfirmOpen } from "../checklist/open-items.ts";
import type { ChecklistProgress } from "../checklist/progress.ts";

export type { HomeConnection, HomeFlag, HomeWaiting };

/** The facts one row is judged from. */
export interface RowFacts {
  now: Date;
  callAt: Date | null;
  createdAt: Date;
  lastActivityAt: Date | null;
  progress: ChecklistProgress;
  connection: HomeConnection;
  missingPermissions: number;
  /** Keys of those missing permissions, when known: the Home names the first one still open. */
  missingKeys?: readonly string[];
  /** HR admins in the customer's channel (Slack user ids). */
  hrInChannel: string[];
  /** HR admins invited but not in the channel yet (emails). */
  hrNotJoined: string[];
  ownerUserId: string;
  stallAfterDays: number;
}

/** What the Home says about one onboarding. */
export interface RowJudgement {
  waiting: HomeWaiting;
  flags: HomeFlag[];
  /** 0 = most at risk. */
  risk: number;
  /** Whole days since the customer last did something (or since the onboarding started). */
  idleDays: number;
}

const DAY_MS = 86_400_000;
const CALL_RISK_MS = 48 * 3_600_000;

/** Judges one onboarding: what it waits on, its flags and its risk rank. */
export function judgeRow(f: RowFacts): RowJudgement {
  const idleDays = Math.floor((f.now.getTime() - (f.lastActivityAt ?? f.createdAt).getTime()) / DAY_MS);
  const flags = flagsOf(f, idleDays);
  const risk = Math.min(4, ...flags.map((flag) => RISK[flag.kind]));
  return { waiting: waitingOn(f), flags, risk, idleDays };
}

const RISK: Record<HomeFlag["kind"], number> = { call_risk: 0, broken: 1, not_started: 2, stalled: 3 };

function flagsOf(f: RowFacts, idleDays: number): HomeFlag[] {
  const flags: HomeFlag[] = [];
  const callIn = f.callAt ? f.callAt.getTime() - f.now.getTime() : null;
  const verified = f.connection === "verified";
  if (
    callIn !== null &&
    callIn > 0 &&
    callIn < CALL_RISK_MS &&
    (!f.progress.customerStepsDone || !verified)
  ) {
    flags.push({
      kind: "call_risk",
      hoursToCall: Math.max(1, Math.round(callIn / 3_600_000)),
      openCustomerBoxes: f.progress.openItems.filter((i) => i.owner === "customer").length,
      verified,
      ...(verified && onlySelfConfirmOpen(f.progress) ? { selfConfirmOnly: true } : {}),
    });
  }
  if (f.connection === "broken" || f.missingPermissions > 0)
    flags.push({ kind: "broken", missingPermissions: f.missingPermissions });
  // Nothing done and nobody has done anything since the start: flagged after a day, before it counts as stalled.
  if (f.progress.itemsDone === 0 && !f.lastActivityAt && idleDays >= 1)
    flags.push({ kind: "not_started", idleDays });
  else if (!f.progress.customerStepsDone && idleDays >= f.stallAfterDays)
    flags.push({ kind: "stalled", idleDays });
  return flags;
}

function waitingOn(f: RowFacts): HomeWaiting {
  const customer = (what: HomeWaiting["what"], step: HomeWaiting["step"] = null): HomeWaiting => ({
    who: "customer",
    userIds: f.hrInChannel,
    emails: f.hrInChannel.length === 0 ? f.hrNotJoined : [],
    what,
    step,
  });
  const open = f.progress.perStep.find((s) => !s.done);
  const firstCustomer = f.progress.perStep.find((s) => !s.done && s.owner === "customer");
  const stepOf = (s: typeof open) => (s ? { number: s.number, title: s.title } : null);
  const itemOf = (s: typeof open) => f.progress.openItems.find((i) => i.stepNumber === s?.number) ?? null;
  if (f.hrInChannel.length === 0 && f.hrNotJoined.length > 0) return customer("accept_invite");
  if (f.connection === "broken") return customer("reconnect", stepOf(firstCustomer));
  if (f.missingPermissions > 0)
    return {
      ...customer("permissions", stepOf(firstCustomer)),
      item: f.progress.openItems.find((i) => f.missingKeys?.includes(i.key)) ?? null,
    };
  if (open?.owner === "customer") return { ...customer("step", stepOf(open)), item: itemOf(open) };
  if (open) {
    return {
      who: "fleet",
      userIds: [f.ownerUserId],
      emails: [],
      what: "step",
      step: stepOf(open),
      item: itemOf(open),
    };
  }
  if (f.connection !== "verified" && f.connection !== "none")
    return { who: "finch", userIds: [], emails: [], what: "verify", step: null };
  return { who: "nobody", userIds: [], emails: [], what: "call", step: null };
}

/** The Home's order: most at risk first, then the soonest call (none last), then the newest. */
export function compareRows(
  a: { risk: number; callAt: Date | null; createdAt: Date },
  b: { risk: number; callAt: Date | null; createdAt: Date },
): number {
  const call = (r: { callAt: Date | null }) => r.callAt?.getTime() ?? Number.POSITIVE_INFINITY;
  return a.risk - b.risk || call(a) - call(b) || b.createdAt.getTime() - a.createdAt.getTime();
}
