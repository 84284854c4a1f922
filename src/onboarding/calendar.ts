/**
 * The onboarding call as a calendar entry: an iCalendar file (RFC 5545) for the channel, and an "Add to Google
 * Calendar" link. Built with ical-generator (a maintained RFC 5545 writer: folding, escaping, VTIMEZONE)
 * rather than by string-building; the VTIMEZONE definitions come from @touch4it/ical-timezones.
 *
 * One onboarding has one call, so the event's UID is derived from the onboarding's id and never changes:
 * calendar apps then replace the entry on a move (higher SEQUENCE) and remove it on a cancellation
 * (METHOD:CANCEL, STATUS:CANCELLED) instead of adding a second one (RFC 5545 §3.8.4.7, §3.8.7.4; RFC 5546 §3.2).
 */
import { getVtimezoneComponent } from "@touch4it/ical-timezones";
import ical, { ICalCalendarMethod, ICalEventStatus } from "ical-generator";
import { DateTime } from "luxon";
import { compactWallTime } from "../time.ts";

/** How long the onboarding call is booked for. */
export const CALL_MINUTES = 45;

/** What a calendar entry for the call says. */
export interface CallEntry {
  onboardingId: string;
  companyName: string;
  /** The call's start (an instant). */
  callAt: Date;
  /** IANA zone the call was booked in: the entry is written in that zone (TZID). */
  timeZone: string;
  /** 0 when first booked, +1 on every move or cancellation. */
  sequence: number;
  cancelled: boolean;
  /** Slack link to the customer's channel, put in the entry's description and URL. */
  channelUrl?: string;
  /** The rep who owns the onboarding; the organizer iTIP expects on PUBLISH and CANCEL. */
  organizer?: { name: string; email: string };
  /** An iMIP invitation (METHOD:REQUEST, RFC 6047) to this attendee by email, instead of a published file. */
  requestTo?: string;
}

/** The stable UID of an onboarding's call. */
export function callUid(onboardingId: string): string {
  return `onboarding-call-${onboardingId}@fleet-concierge`;
}

function summary(entry: CallEntry): string {
  return `Fleet onboarding call — ${entry.companyName}`;
}

function description(entry: CallEntry): string {
  const lines = [
    `Onboarding call between Fleet and ${entry.companyName}: we go through what is still open together.`,
  ];
  if (entry.channelUrl) lines.push(`Checklist and questions: ${entry.channelUrl}`);
  return lines.join("\n");
}

/** The .ics file's text for booking, moving (higher sequence) or cancelling the call. */
export function buildCallCalendar(entry: CallEntry): string {
  const start = DateTime.fromJSDate(entry.callAt, { zone: entry.timeZone });
  const calendar = ical({
    prodId: { company: "Fleet", product: "Fleet Concierge", language: "EN" },
    method: entry.cancelled
      ? ICalCalendarMethod.CANCEL
      : entry.requestTo
        ? ICalCalendarMethod.REQUEST
        : ICalCalendarMethod.PUBLISH,
    // No calendar-wide zone: ical-generator would then write DTSTAMP as local time without "Z" (RFC 5545
    // §3.8.7.2 wants UTC). The generator alone adds the VTIMEZONE of the event's own TZID.
    timezone: { name: null, generator: getVtimezoneComponent },
  });
  calendar.createEvent({
    id: callUid(entry.onboardingId),
    sequence: entry.sequence,
    start,
    end: start.plus({ minutes: CALL_MINUTES }),
    timezone: entry.timeZone,
    stamp: new Date(),
    summary: summary(entry),
    description: description(entry),
    url: entry.channelUrl ?? null,
    status: entry.cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    organizer: entry.organizer ?? null,
    ...(entry.requestTo ? { attendees: [{ email: entry.requestTo, rsvp: true }] } : {}),
  });
  return calendar.toString();
}

/** The .ics file's name in the channel. */
export function callCalendarFileName(entry: Pick<CallEntry, "companyName" | "cancelled">): string {
  const slug = entry.companyName
    .normalize("NFKD")
    .replace(/[^\w]+/g, "-")
    .replace(/^-|-$/g, "")
    .toLowerCase();
  return `fleet-onboarding-call-${slug || "customer"}${entry.cancelled ? "-cancelled" : ""}.ics`;
}

/**
 * Google Calendar's "create event" link: local wall-clock times with the call's zone (ctz), so the entry
 * lands at the right moment whatever the reader's own zone is.
 */
export function googleCalendarLink(entry: CallEntry): string {
  const start = entry.callAt;
  const end = new Date(start.getTime() + CALL_MINUTES * 60_000);
  // Two per reminder of a fan-out: cached Intl offsets, not two luxon DateTimes (src/time.ts).
  const format = (t: Date) => compactWallTime(t, entry.timeZone);
  const params = new URLSearchParams({
    action: "TEMPLATE",
    text: summary(entry),
    dates: `${format(start)}/${format(end)}`,
    ctz: entry.timeZone,
    details: description(entry),
  });
  return `https://calendar.google.com/calendar/render?${params.toString()}`;
}
