/**
 * What the customer must have at hand for the onboarding call: provider data, each template's `callPrep`
 * list, worded for whoever holds the integration user's login (checklist/login-holder.ts). A template
 * without one (the generic guide before it had one) gets a short generic list.
 */
import { fillPlaceholders, placeholderValuesFor } from "../checklist/items.ts";
import { loginHolderOf, withLoginHolder } from "../checklist/login-holder.ts";
import type { CallPrepItem, ProviderTemplate } from "../checklist/template-format.ts";

export type { CallPrepItem } from "../checklist/template-format.ts";

const GENERIC: readonly CallPrepItem[] = [
  { label: "Admin login", detail: "to your HR system — you type it into Finch Connect yourself, never here" },
  { label: "MFA device", detail: "if your HR system asks for a code at login" },
];

/** The values the list may use, already mrkdwn-escaped by the caller. */
export interface CallPrepValues {
  companyName: string;
  integrationUserName: string;
  integrationUserEmail: string;
}

/** The call-prep list of a template for one onboarding, placeholders filled. */
export function callPrepFor(
  template: ProviderTemplate,
  values: CallPrepValues,
  /** Fleet's INTEGRATION_USER_EMAIL (decides who holds the login). */
  fleetEmail: string | undefined,
): CallPrepItem[] {
  const holder = loginHolderOf(values.integrationUserEmail, fleetEmail);
  const worded = withLoginHolder(template, holder);
  const items = worded.callPrep.length > 0 ? worded.callPrep : GENERIC;
  const filled = placeholderValuesFor(values);
  return items.map((item) => ({ label: item.label, detail: fillPlaceholders(item.detail, filled) }));
}
