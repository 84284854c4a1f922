/**
 * The short answers listeners give a person directly (ephemeral replies, modal field errors, direct
 * messages) when a request cannot go on. Pure: each takes the facts it names.
 */

/** The listeners' answers, each from the facts it names. */
export const listenerText = {
  noSuchOnboarding: "That onboarding no longer exists.",
  noSuchOnboardingAnyMore: "That onboarding does not exist (any more).",
  nothingDisconnected: "That onboarding no longer exists; nothing was disconnected.",
  callTimeInvalid: (reason: string, usage: string) => `The call time: ${reason}.\n\n${usage}`,
  noCallToMove: (company: string, status: string) => `${company}'s onboarding is ${status}: no call to move.`,
  rescheduleButton: "the Reschedule button",
  formOutOfDate: "This form is out of date: close it and try again.",
  pickDateTime: "Pick a date and time.",
  ownerNotRep: "The owning rep must be one of Fleet's account reps (not a guest).",
  modalTooLate: (again: string) =>
    `:hourglass: Sorry — the form could not be opened in time (Slack allows a few seconds). Please use ${again} again.`,
  notARepOwner: (userId: string) =>
    `<@${userId}> is not one of Fleet's account reps (guests never are), so they can't own an onboarding.`,
  noEmailPath: (reason: string) => `Couldn't start the onboarding by email: ${reason}.`,
  commandFailed:
    "Something went wrong on our side — it has been logged. Fleet retries this by itself and answers here; no need to run it again.",
  notConnectedYet: (provider: string, company: string) =>
    `${provider} is not connected for *${company}* yet. \`/fleet link\` posts the Connect link in the channel.`,
  nothingToDisconnect: (provider: string, company: string) =>
    `${provider} is not connected for *${company}*; nothing to disconnect.`,
};
