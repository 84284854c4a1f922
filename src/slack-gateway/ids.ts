/**
 * Every Slack identifier the app owns: commands, action ids, callback ids, metadata event types.
 * One place, so listeners, view builders, manifest checks and tests cannot drift apart.
 */

/** The one slash command; subcommands are parsed from its text. */
export const COMMAND = "/fleet";

/** `action_id`s of interactive elements. Checklist ticks carry the item key after the prefix. */
export const ActionId = {
  tickPrefix: "tick:",
  connectLink: "connect_link",
  addToCalendar: "add_to_calendar",
  recheck: "recheck",
  reschedule: "reschedule",
  homeScope: "home_scope",
  homePage: "home_page",
  homeOpenChannel: "home_open_channel",
  homeResendInvite: "home_resend_invite",
  homeRecheck: "home_recheck",
  homeReschedule: "home_reschedule",
  homeNewOnboarding: "home_new_onboarding",
  reinvite: "reinvite",
  /** The invite alert's "Email their private page instead" (issue 23). */
  emailPortal: "email_portal",
  /** The App Home row's "Revoke private page links", for onboardings with email-only HR admins (issue 23). */
  homeRevokePortal: "home_revoke_portal",
  confirmDisconnect: "confirm_disconnect",
  historyCsv: "history_csv",
  checklistStatus: "checklist_status",
  deadLetterRetry: "dead_letter_retry",
  deadLetterRetryAll: "dead_letter_retry_all",
  deadLetterDiscard: "dead_letter_discard",
  deadLetterPage: "dead_letter_page",
  setAsideRetry: "set_aside_retry",
  setAsideDiscard: "set_aside_discard",
  setAsidePage: "set_aside_page",
} as const;

/** `callback_id`s of modals. */
export const CallbackId = {
  onboardModal: "onboard_modal",
  rescheduleModal: "reschedule_modal",
} as const;

/** `event_type`s of the message metadata on the bot's own messages. */
export const MetadataEventType = {
  checklist: "onboarding_checklist",
  /** A checklist replaced by another provider's (`/fleet provider`): no longer found as the checklist. */
  checklistReplaced: "onboarding_checklist_replaced",
  connectLink: "finch_connect_link",
  verification: "finch_verification",
  reminder: "onboarding_reminder",
  nudge: "onboarding_nudge",
  repDigest: "rep_digest",
  /** The customer finished every step: the thanks in the channel and the note to the rep. */
  celebration: "onboarding_celebration",
  /** An alert to a rep (invitation expiring, stalled onboarding, call at risk). */
  repAlert: "rep_alert",
  /** Any other note of the bot (a thread note, a DM to a rep, a call note …), posted once by its key. */
  note: "fleet_note",
  /** The weekly onboarding report in REPORT_CHANNEL_ID (src/analytics). */
  onboardingReport: "fleet_onboarding_report",
} as const;

/** Action id of the checkbox of one checklist item. */
export function tickActionId(itemKey: string): string {
  return `${ActionId.tickPrefix}${itemKey}`;
}
