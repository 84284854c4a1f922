/**
 * Finch Assist: Finch's assisted connections ("assisted" providers, and the manual fallback) are a paid
 * option of Fleet's Finch account — "available for customers using Finch Assist … Pro and Premier plans",
 * enabled by writing to developers@tryfinch.com (https://developer.tryfinch.com/integrations/integration-types).
 * Without it a customer of an assisted-only provider is stuck at Finch Connect, so the rep hears it at once.
 */
import type { ProviderTemplate } from "./template-format.ts";

/** Does connecting this provider need Finch Assist (its only Finch method is `assisted`)? */
export function needsFinchAssist(template: ProviderTemplate): boolean {
  return template.finch.authMethod === "assisted";
}

/** What the rep must know when onboarding a provider that needs Finch Assist while it is off; else null. */
export function finchAssistWarning(template: ProviderTemplate, assistEnabled: boolean): string | null {
  if (assistEnabled || !needsFinchAssist(template)) return null;
  return (
    `${template.displayName} connects only through Finch's *assisted* flow, which needs Finch Assist on ` +
    "Fleet's Finch account (Pro or Premier plan; ask developers@tryfinch.com), and this app runs with " +
    "`FINCH_ASSIST=0`. Until it is on, the customer cannot finish Finch Connect: sort out the plan " +
    "before the call, then set `FINCH_ASSIST=1`."
  );
}
