/**
 * Who holds the integration user's login. The provider sends the invitation (temporary password, then the MFA
 * set-up) to the integration user's email, so whoever reads that mailbox holds the login: Fleet when the address
 * is Fleet's own (INTEGRATION_USER_EMAIL's domain), the customer when it is one of theirs. A template words the
 * steps, the Connect advice and the call-prep list for that holder.
 */
import {
  type CallPrepItem,
  LOGIN_HOLDER_SNIPPETS,
  type LoginHolder,
  type LoginHolderSnippet,
  PLACEHOLDER_PATTERN,
  type ProviderTemplate,
} from "./template-format.ts";

/** The integration user's address when INTEGRATION_USER_EMAIL is not set (`{slug}`: the company's). */
export const DEFAULT_INTEGRATION_EMAIL = "integrations+{slug}@fleet.example";

const domainOf = (email: string) => email.trim().toLowerCase().split("@").at(-1) ?? "";

/** Fleet holds the login when the integration user's address is at Fleet's mail domain. */
export function loginHolderOf(integrationUserEmail: string, fleetEmail: string | undefined): LoginHolder {
  const fleetDomain = domainOf(fleetEmail ?? DEFAULT_INTEGRATION_EMAIL);
  return domainOf(integrationUserEmail) === fleetDomain ? "fleet" : "customer";
}

/** The template worded for `holder`: its login-holder snippets filled into every mrkdwn text. */
export function withLoginHolder(template: ProviderTemplate, holder: LoginHolder): ProviderTemplate {
  const snippets = template.loginHolder?.[holder];
  if (!snippets) {
    const forHolder = callPrepOf(template, holder);
    return forHolder.length === template.callPrep.length ? template : { ...template, callPrep: forHolder };
  }
  // Placeholders stay for the renderer to fill (escaped); only the snippets are replaced here.
  const fill = (text: string) =>
    text.replace(PLACEHOLDER_PATTERN, (match, name: string) =>
      (LOGIN_HOLDER_SNIPPETS as readonly string[]).includes(name)
        ? snippets[name as LoginHolderSnippet]
        : match,
    );
  return {
    ...template,
    finch: {
      ...template.finch,
      authNote: template.finch.authNote === null ? null : fill(template.finch.authNote),
    },
    beforeYouBegin: fill(template.beforeYouBegin),
    steps: template.steps.map((step) => ({ ...step, instructions: fill(step.instructions) })),
    troubleshooting: template.troubleshooting.map(fill),
    help: template.help === null ? null : fill(template.help),
    callPrep: callPrepOf(template, holder).map((item) => ({ ...item, detail: fill(item.detail) })),
  };
}

/** The call-prep items shown to `holder`. */
export function callPrepOf(template: ProviderTemplate, holder: LoginHolder): CallPrepItem[] {
  return template.callPrep.filter((item) => (item.holder ?? holder) === holder);
}
