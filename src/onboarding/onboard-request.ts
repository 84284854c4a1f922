/**
 * What it takes to start an onboarding, validated the same way whether it came from `/fleet onboard …`
 * text or from the modal: every problem is named, nothing is created until all are fixed.
 */

import type { OnboardDraft } from "../blocks/onboard-modal.ts";
import { onboardProblemText } from "../blocks/onboarding-answers.ts";
import { type ProviderChoice, resolveProvider } from "../checklist/provider-names.ts";
import { isValidTimeZone, parseLocalDateTime } from "../time.ts";
import { NOT_A_ZONE, resolveTimeZone } from "../time-zones.ts";

export type { OnboardDraft };

/** A valid request to onboard a customer. */
export interface OnboardRequest {
  company: string;
  hrEmails: string[];
  callAt: Date | null;
  timeZone: string;
  provider: string;
  ownerUserId?: string;
  /** `via=email`: the HR admins work by email (private page), no Slack Connect invitation is sent. */
  via?: "email";
  /** Present (true) when no provider was given and Justworks was assumed: a re-run then keeps the provider. */
  providerAssumed?: true;
  /** Present (true) when `tz=` was typed: a re-run without `call=` then re-labels the call's zone. */
  timeZoneGiven?: true;
}

export const MAX_COMPANY_LENGTH = 80;
export const MAX_HR_EMAILS = 10;

const EMAIL =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

/** Is this a plausible email address (what Slack's inviteShared will accept)? */
export function isEmail(text: string): boolean {
  return text.length <= 254 && EMAIL.test(text);
}

/** Validates a draft; returns the request or every problem found. */
export function validateOnboardDraft(
  draft: OnboardDraft,
  context: { now: Date; defaultTimeZone: string; providers: readonly ProviderChoice[] },
): { ok: true; request: OnboardRequest } | { ok: false; problems: string[] } {
  const problems: string[] = [];
  const company = (draft.company ?? "").replace(/\s+/g, " ").trim();
  if (!company) problems.push(onboardProblemText.companyMissing);
  else if (company.length > MAX_COMPANY_LENGTH) {
    problems.push(onboardProblemText.companyTooLong(company.length, MAX_COMPANY_LENGTH));
  } else if (/[\p{Cc}<>]/u.test(company)) problems.push(onboardProblemText.companyUnshowable);
  // Letters or digits must be there, else no channel name can be made from it.
  else if (!/[\p{L}\p{N}]/u.test(company)) problems.push(onboardProblemText.companyNoLetter);

  const emails = [...new Set((draft.hrEmails ?? []).map((e) => e.trim().toLowerCase()).filter(Boolean))];
  if (emails.length === 0) problems.push(onboardProblemText.noEmail);
  for (const email of emails) {
    if (!isEmail(email)) problems.push(onboardProblemText.notAnEmail(clip(email)));
  }
  if (emails.length > MAX_HR_EMAILS)
    problems.push(onboardProblemText.tooManyEmails(MAX_HR_EMAILS, emails.length));

  // "Central", "CT" or an IANA name: stored as the IANA name.
  const typedZone = (draft.timeZone ?? context.defaultTimeZone).trim();
  const timeZone = resolveTimeZone(typedZone) ?? typedZone;
  const zoneOk = isValidTimeZone(timeZone);
  if (!zoneOk) problems.push(onboardProblemText.notAZone(clip(typedZone), NOT_A_ZONE));

  // Finch's id or a common name ("BambooHR", "bamboo", "ADP Run"); Justworks when none is given.
  const resolved = resolveProvider(draft.provider?.trim() || "justworks", context.providers);
  if (!resolved.ok) problems.push(resolved.message.replace(/\.$/, ""));
  const provider = resolved.ok ? resolved.id : "";

  let callAt: Date | null = null;
  if (draft.call instanceof Date) callAt = draft.call;
  else if (draft.call && zoneOk) {
    const parsed = parseLocalDateTime(draft.call, timeZone);
    if (parsed.ok) callAt = parsed.instant;
    else problems.push(onboardProblemText.callTime(parsed.reason));
  }
  if (callAt && callAt.getTime() <= context.now.getTime()) problems.push(onboardProblemText.callInPast);

  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    request: {
      company,
      hrEmails: emails,
      callAt,
      timeZone,
      provider,
      ownerUserId: draft.ownerUserId,
      ...(draft.via ? { via: draft.via } : {}),
      ...(draft.provider?.trim() ? {} : { providerAssumed: true as const }),
      ...(draft.timeZoneTyped ? { timeZoneGiven: true as const } : {}),
    },
  };
}

function clip(text: string, max = 60): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
