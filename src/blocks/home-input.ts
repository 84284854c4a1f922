/**
 * What the rep's App Home renders, declared by the builders themselves: the cockpit (src/cockpit) builds
 * these plain objects and re-exports the types, so no builder imports the domain.
 */
import type { OpenItem } from "../checklist/progress.ts";
import type { HomeConnectionInput } from "./home-connections.ts";
import type { SetAsidePage } from "./home-set-aside.ts";
import type { FailedReminderView } from "./reminder-failures.ts";

/** Finch connection as the Home shows it. */
export type HomeConnection = "none" | "connected" | "verified" | "broken" | "pending";

/** What an onboarding waits on, and who acts. */
export interface HomeWaiting {
  who: "customer" | "fleet" | "finch" | "nobody";
  /** Slack users who act (HR admins in the channel, or the owning rep). */
  userIds: string[];
  /** HR admins who have not joined yet (they act by accepting the invitation). */
  emails: string[];
  what: "accept_invite" | "reconnect" | "permissions" | "step" | "verify" | "call";
  step: { number: number; title: string } | null;
  /** The first open box of that step (ChecklistProgress.openItems), named on the Home. */
  item?: OpenItem | null;
}

/** A flag on a row, with the facts that give its reason. */
export type HomeFlag =
  | {
      kind: "call_risk";
      hoursToCall: number;
      /** The customer's open boxes (not steps: a step of five boxes with one left is one thing to do). */
      openCustomerBoxes: number;
      verified: boolean;
      /** All the customer has open are boxes only they can confirm (Finch cannot read them): amber, not red. */
      selfConfirmOnly?: boolean;
    }
  | { kind: "broken"; missingPermissions: number }
  | { kind: "stalled"; idleDays: number }
  | { kind: "not_started"; idleDays: number };

/** Whose onboardings the Home tab lists. */
export type HomeScope = "mine" | "all";

/** One onboarding as the Home tab shows it. */
export interface HomeRow {
  id: string;
  company: string;
  channelId: string | null;
  ownerUserId: string;
  callAt: Date | null;
  timeZone: string;
  stepsDone: number;
  stepsTotal: number;
  customerStepsOpen: number;
  connection: HomeConnection;
  missingPermissions: number;
  /** `email`: HR admins who work by email (private page), issue 23. */
  invites: { sent: number; accepted: number; failed: number; declined: number; left: number; email?: number };
  lastActivityAt: Date | null;
  stalled: boolean;
  atRiskTomorrow: boolean;
  createdAt: Date;
  /** What the onboarding waits on and who acts. */
  waiting: HomeWaiting;
  /** Flags with the facts of their reason. */
  flags: HomeFlag[];
  /** 0 = most at risk (the order of the list). */
  risk: number;
  /** Whole days without customer activity (since the start when there was none). */
  idleDays: number;
}

/** A delivery the intake gave up on (src/intake), as reps see it with its Retry button. */
export interface HomeDeadLetter {
  key: string;
  source: string;
  kind: string;
  summary: string;
  userId: string | null;
  channelId: string | null;
  attempts: number;
  lastError: string | null;
  receivedAt: Date;
}

/** A page of rows plus the paging facts; reps also get the dead letters (`null` for everyone else). */
export interface HomePage {
  rows: HomeRow[];
  page: number;
  pageSize: number;
  total: number;
  /** More than `total` exist (the count stops at a cap: src/cockpit/home-data.ts HOME_COUNT_CAP). */
  more?: boolean;
  scope: HomeScope;
  deadLetters?: { total: number; items: HomeDeadLetter[]; page: number; pageSize: number } | null;
  /** Spool files every instance set aside (reps only; src/cockpit/set-aside.ts). */
  setAside?: SetAsidePage | null;
  /** The viewer's reminders, nudges and digests of the last week that could not be sent. */
  failedReminders?: FailedReminderView[];
  /** Closed onboardings whose connection needs action (src/finch/health-check.ts). */
  connections?: HomeConnectionInput[];
}
