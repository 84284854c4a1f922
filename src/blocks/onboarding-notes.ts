/**
 * Short notes the onboarding use cases post or answer with: the celebration, the closing note, the hand-over,
 * a member who left, a retried dead letter that was overtaken. Pure: each takes the facts it names.
 */

/** The customer's celebration, in the checklist's thread, once every customer step is done. */
export function celebrationText(steps: { done: number; total: number }): string {
  return `:tada: All of your steps are done — ${steps.done} of ${steps.total} in total. Thank you! Fleet takes it from here.`;
}

/** The owning rep's direct message when the customer finished their steps. */
export function celebrationRepText(f: {
  companyName: string;
  channelId: string;
  done: number;
  total: number;
}): string {
  return `:white_check_mark: *${f.companyName}* finished every customer step of the checklist (${f.done}/${f.total} steps). <#${f.channelId}>`;
}

/** `/fleet done`: the closing note in the customer's channel. */
export function closingNoteText(ownerUserId: string): string {
  return `:checkered_flag: This onboarding is complete — thank you! The checklist stays pinned for the record, and <@${ownerUserId}> is still here for any question.`;
}

/** Hand-over refused: the new owner is not one of our workspace's people. */
export function handOverNotOursText(newOwnerUserId: string): string {
  return `<@${newOwnerUserId}> is not a member of our workspace, so they can't own an onboarding.`;
}

/** Hand-over to the rep who already owns it. */
export function handOverAlreadyOwnsText(newOwnerUserId: string, companyName: string): string {
  return `<@${newOwnerUserId}> already owns *${companyName}*.`;
}

/** Hand-over: the note in the customer's channel. */
export function handOverChannelText(newOwnerUserId: string): string {
  return `:wave: <@${newOwnerUserId}> is now your Fleet contact for this onboarding.`;
}

/** Hand-over: the direct message to the new owner. */
export function handOverRepText(f: {
  byUserId: string;
  companyName: string;
  channelId: string | null;
}): string {
  return `:inbox_tray: <@${f.byUserId}> handed *${f.companyName}* over to you${f.channelId ? ` — <#${f.channelId}>` : ""}.`;
}

/** Hand-over: the answer to the rep who asked, with any notes (e.g. why the invitation to the channel failed). */
export function handOverDoneText(f: {
  companyName: string;
  newOwnerUserId: string;
  notes: readonly string[];
}): string {
  return [`*${f.companyName}* now belongs to <@${f.newOwnerUserId}>.`, ...f.notes].join("\n");
}

/** An invited HR admin left the customer channel: the owning rep's direct message. */
export function memberLeftText(f: {
  email: string;
  userId: string;
  channelId: string;
  companyName: string;
}): string {
  return `:door: ${f.email} (<@${f.userId}>) left <#${f.channelId}> — *${f.companyName}* may need another HR admin. Re-send the invitation from the App Home.`;
}

/**
 * What the sender of `/fleet call`, `owner` or `provider` (or a re-run's call) hears when it was applied late
 * (a replay, a Retry) and a newer change of the same field, typed after it, was applied first.
 */
export function overtakenText(companyName: string, field: "call" | "owner" | "provider"): string {
  const what = field === "call" ? "call" : field === "owner" ? "owner" : "HR provider";
  return `Not applied: ${companyName}'s ${what} was changed by a newer command after this one was sent; applying it now would bring back an old value.`;
}

/** What a rep is told when the dead letter they retried carried a state a newer change replaced. */
export const OVERTAKEN_TEXT =
  ":information_source: Not applied again: a newer change of the same element was applied after it, " +
  "so re-applying this one would bring back an old state. It is recorded as overtaken.";
