/**
 * What the customer must have at hand for the onboarding call, per HR provider. Justworks' list is step 5
 * of the seed guide ("Note Important Connection Information") plus the MFA device Justworks requires for
 * every user during Finch Connect. Plain data: a new provider adds an entry, no code.
 */

/** One thing to have ready; `{integrationUserEmail}` is filled in per onboarding. */
export interface CallPrepItem {
  label: string;
  detail: string;
}

const GENERIC: readonly CallPrepItem[] = [
  { label: "Username", detail: "of the integration user in your HR system" },
  { label: "Password", detail: "of the integration user — you type it yourself, never post it here" },
  { label: "MFA device", detail: "if your HR system asks for a code at login" },
];

const BY_PROVIDER: Readonly<Record<string, readonly CallPrepItem[]>> = {
  justworks: [
    { label: "Justworks username", detail: "of the integration user — usually *not* the email address" },
    { label: "Email", detail: "of the integration user: `{integrationUserEmail}`" },
    { label: "Temporary password", detail: "from when the user account was created (never post it here)" },
    { label: "Company name", detail: "exactly as it appears in Justworks" },
    {
      label: "MFA device",
      detail: "Justworks requires multi-factor authentication: the phone or app that gets the codes",
    },
  ],
};

/** The call-prep list of a provider with placeholders filled (values must already be mrkdwn-escaped). */
export function callPrepFor(providerId: string, values: { integrationUserEmail: string }): CallPrepItem[] {
  return (BY_PROVIDER[providerId] ?? GENERIC).map((item) => ({
    label: item.label,
    detail: item.detail.replaceAll("{integrationUserEmail}", values.integrationUserEmail),
  }));
}
