/** The lines and problems of the rep's `/fleet onboard` report, as the saga collects them. Pure. */

/** Each line or problem from the facts it names (`advice` is the gateway's plain advice for a Slack error). */
export const onboardText = {
  anotherRunning: "Another `/fleet onboard` for this customer is running right now; it finishes the set-up.",
  warning: (warning: string) => `:warning: ${warning}`,
  checklistPinned: (channelId: string) => `Checklist pinned in <#${channelId}>.`,
  invited: (emails: readonly string[]) => `Invited ${emails.join(", ")} over Slack Connect.`,
  invitesBusy: "Another run is sending the invitations right now.",
  limitedGuests:
    "Our Slack settings only allow *limited* Slack Connect guests: HR admins can post but not add colleagues, so add anyone else they need with `/fleet onboard … hr=` yourself.",
  callCalendar: (change: string, link: string) => `Call ${change}: <${link}|Add to Google Calendar>.`,
  addingYou: (channelId: string, advice: string) => `Adding you to <#${channelId}>: ${advice}`,
  posting: (advice: string) => `Posting the checklist: ${advice}`,
  pinning: (advice: string) => `Pinning the checklist: ${advice}`,
  creatingChannel: (advice: string) => `Creating the channel: ${advice}`,
  everyNameTaken: "Creating the channel: every name from fleet-<company> to fleet-<company>-21 is taken.",
  channelCreated: (channelId: string) => `Created the private channel <#${channelId}>.`,
  inviting: (email: string, advice: string) => `Inviting ${email}: ${advice}`,
};
