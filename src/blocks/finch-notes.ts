/**
 * Short Finch sentences outside the report: answers to a rep's `/fleet link|reconnect|disconnect`, the
 * re-check button's answers, the disconnect note in the checklist's thread, and the rep's direct message when
 * Finch Connect could not be opened. Pure: each takes the facts it names.
 */

/** The rep's answers and the notes, each from the facts it names. */
export const finchText = {
  noSuchOnboarding: "That onboarding no longer exists.",
  notConnectedNothingToDo: (provider: string, company: string) =>
    `${provider} is not connected for *${company}*; nothing to do.`,
  disconnectNotConfirmed: (kind: string) =>
    `:x: Finch did not confirm the disconnect (${kind}), so the token is kept. Nothing changed — try again in a minute.`,
  disconnectedNote: (byUserId: string, provider: string) =>
    `:electric_plug: <@${byUserId}> disconnected ${provider} from Fleet. The stored access token is deleted; the Connect button connects again whenever needed.`,
  disconnected: (provider: string, company: string) =>
    `:electric_plug: Disconnected ${provider} for *${company}* and deleted the stored token.`,
  recheckRefused: "Only Fleet's account reps and this customer's team can re-check this connection.",
  recheckNotConnected: "Finch is not connected yet — use the Connect button first.",
  recheckTooSoon:
    "Just checked a moment ago — the latest result is in the thread. Try again in a few seconds.",
  recheckNotConnectedForCustomer: "Finch is not connected yet for this customer.",
  rechecked: ":mag: Re-checked — the result is in the checklist's thread.",
  closed: (company: string) => `The onboarding of *${company}* is closed.`,
  reconnectNotConnected: (provider: string, company: string) =>
    `${provider} is not connected for *${company}* — \`/fleet link\` posts the Connect link.`,
  noChannelYet: (company: string) => `*${company}* has no channel yet.`,
  repAskedReconnect: "Your Fleet rep asked to connect it again.",
  reconnectPosted: (provider: string, channelId: string) =>
    `:link: Posted a ${provider} Reconnect link in <#${channelId}>.`,
  linkNoChannelYet: (company: string) =>
    `*${company}* has no channel yet — run the same \`/fleet onboard\` again to finish setting it up.`,
  linkPosted: (provider: string, channelId: string) =>
    `:link: Posted the ${provider} Connect link in <#${channelId}>.`,
  connectFailedRep: (company: string, failure: { status?: number | null; name?: string | null }) =>
    `:x: Opening Finch Connect for *${company}* failed (Finch answered ${failure.status ?? "nothing"}${failure.name ? ` ${failure.name}` : ""}). Check the Finch credentials and redirect URI; the logs have details.`,
};
