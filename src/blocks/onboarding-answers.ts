/**
 * The onboarding use cases' other answers: what is wrong with a `/fleet onboard` request, which customer a
 * command means, the call's calendar file notes, the history export and the private page's refusals. Pure.
 */

/** What is wrong with a `/fleet onboard` request (joined into one answer by the caller). */
export const onboardProblemText = {
  companyMissing: "the company name is missing",
  companyTooLong: (length: number, max: number) =>
    `the company name is ${length} characters long (at most ${max})`,
  companyUnshowable: "the company name contains characters Slack cannot show",
  companyNoLetter: "the company name needs at least one letter or digit",
  noEmail: "at least one HR admin email is needed (hr=jane@acme.com)",
  notAnEmail: (clipped: string) => `"${clipped}" is not an email address`,
  tooManyEmails: (max: number, got: number) => `at most ${max} HR admin emails (got ${got})`,
  notAZone: (clipped: string, notAZone: string) => `"${clipped}" ${notAZone}`,
  callTime: (reason: string) => `the call time: ${reason}`,
  callInPast: "the call time is in the past",
};

/** Which customer a command means, when it cannot tell. */
export const lookupText = {
  whichCustomer: "Which customer? Add the company name, or run this in the customer's channel.",
  unknown: (company: string) => `I don't know a customer called "${company}".`,
  several: (company: string, names: readonly string[]) =>
    `"${company}" matches several customers: ${names.join(", ")}. Be more specific.`,
  unknownStartOne: (company: string) =>
    `I don't know a customer called "${company}". \`/fleet onboard\` starts one.`,
};

/** The call's calendar file in the customer's channel: its comment, title and the rep's warning. */
export const callCalendarText = {
  comment: {
    booked: ":spiral_calendar_pad: The call for your calendar: open the file to add it.",
    moved: ":spiral_calendar_pad: The call moved: open the file to update the entry in your calendar.",
    cancelled: ":spiral_calendar_pad: The call is cancelled: open the file to remove it from your calendar.",
  },
  googleLink: (url: string) => ` Or <${url}|Add to Google Calendar>.`,
  title: (company: string, cancelled: boolean) =>
    `Onboarding call — ${company}${cancelled ? " (cancelled)" : ""}`,
  notShared: (channelId: string, slackCode: string) =>
    `The calendar file could not be shared in <#${channelId}> (Slack: ${slackCode}).`,
};

/** `/fleet history`'s export, `/fleet status` refusals, and the private page's refusals. */
export const onboardingAnswerText = {
  noDirectMessage: "Could not open a direct message to send the file.",
  historyTitle: (company: string) => `${company} — onboarding history`,
  historyComment: (company: string) => `Full history of *${company}*.`,
  channelHasNoOnboarding: "This channel has no onboarding any more.",
  statusNotForYou: "The status of this onboarding is for Fleet and the customer's team.",
  notAnEmail: (email: string) => `"${email}" is not an email address.`,
  noSuchOnboarding: "There is no such onboarding.",
  closedNoPage: "This onboarding is closed: its private page is no longer offered.",
};
