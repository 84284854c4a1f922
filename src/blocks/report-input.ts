/**
 * What the rep's reports render (`/fleet onboard`, its re-run, `/fleet status`), declared beside the
 * builders: the onboarding use cases fill these plain objects and re-export the types.
 */
import type { ChecklistProgress } from "../checklist/progress.ts";

/** The onboarding as it was before the re-run. */
export interface ExistingOnboarding {
  channelId: string | null;
  providerId: string;
  ownerUserId: string;
  callAt: Date | null;
  timeZone: string;
  createdAt: Date;
  hrEmails: string[];
}

/** What a re-run changed, for the rep's answer. */
export type RerunChange =
  | { kind: "invited"; email: string }
  | { kind: "call"; from: Date | null; fromZone: string; to: Date; toZone: string; warnings: string[] }
  /** `tz=` without `call=`: the call (if booked) keeps its moment and is shown in the new zone. */
  | { kind: "zone"; from: string; to: string; callAt: Date | null }
  | { kind: "call-failed"; message: string };

/** What a re-run asked for but leaves as it is, and why. */
export interface RerunKept {
  field: "provider" | "owner";
  asked: string;
  kept: string;
}

/** What a re-run changed and kept, beside what existed before it. */
export interface RerunReport {
  existing: ExistingOnboarding;
  changes: RerunChange[];
  kept: RerunKept[];
  /** Display names of the providers it names, by id ("BambooHR", not "bamboo_hr"); an id without one shows as is. */
  providerNames: Readonly<Record<string, string>>;
}

/** What happened, for the rep: done steps, problems with their next step. */
export interface OnboardReport {
  onboardingId: string;
  channelId: string | null;
  resumed: boolean;
  lines: string[];
  problems: string[];
  complete: boolean;
  /** What the bot understood from the request (echoed to the rep). */
  understood: {
    provider: string;
    callAt: Date | null;
    timeZone: string;
    hrEmails: string[];
    providerName: string;
  };
  /** Set on a re-run of an existing onboarding: what existed, what changed, what was kept. */
  rerun?: RerunReport;
}

/** Everything `/fleet status` shows about one onboarding. */
export interface StatusFacts {
  company: string;
  status: string;
  channelId: string | null;
  ownerUserId: string;
  progress: ChecklistProgress;
  ticks: Array<{ label: string; byUserId: string | null; source: string; at: Date }>;
  invites: Array<{ email: string; status: string; lastError: string | null }>;
  callAt: Date | null;
  timeZone: string;
  connection: { status: string; verifiedAt: Date | null } | null;
}
