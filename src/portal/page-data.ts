/**
 * What the private page shows, read with the app's own domain reads — the checklist's facts and item states
 * (onboarding/checklist-reads.ts, checklist/state.ts), the provider template worded for the login holder, the
 * progress rules (checklist/progress.ts), the latest verification and the call's calendar entry — so the page
 * and the pinned checklist can never disagree. Reads only.
 */
import { checklistItems, fillPlaceholders, placeholderValuesFor } from "../checklist/items.ts";
import { loginHolderOf, withLoginHolder } from "../checklist/login-holder.ts";
import { type ChecklistProgress, computeProgress, type ItemState } from "../checklist/progress.ts";
import { providerCatalogue } from "../checklist/provider-catalogue.ts";
import { itemStatesOf } from "../checklist/state.ts";
import type { ChecklistItem, ProviderTemplate } from "../checklist/template-format.ts";
import type { AppContext } from "../context.ts";
import { type HealthProblemKind, healthReason } from "../finch/health.ts";
import { type CallEntry, googleCalendarLink } from "../onboarding/calendar.ts";
import { currentCallEntry } from "../onboarding/call-calendar.ts";
import { renderFacts } from "../onboarding/checklist-reads.ts";
import { slackUserFacts } from "../slack-gateway/users.ts";

/** One checkbox of the page. */
export interface PageItem {
  key: string;
  label: string;
  done: boolean;
  /** The reader may tick or untick it (a customer step; Fleet's steps tick themselves). */
  tickable: boolean;
  /** "Ticked on this page by …", "Ticked in Slack by <name>", "Verified by Finch", or null while open. */
  doneBy: string | null;
  doneAt: Date | null;
  /** While open: where to grant it, or the last verification's note. */
  hint: string | null;
  /** A tick or untick from this page is stored but not applied yet (the intake applies it shortly). */
  saving?: boolean;
}

/** One step of the page. */
export interface PageStep {
  number: number;
  title: string;
  owner: "customer" | "fleet";
  done: boolean;
  itemsDone: number;
  itemsTotal: number;
  /** Template mrkdwn with placeholders filled (rendered to HTML by the view). */
  instructions: string;
  finchConnect: boolean;
  items: PageItem[];
}

/** The latest verification, as the customer needs it. */
export interface PageVerification {
  outcome: string;
  checkedAt: Date;
  /** For each permission still missing: its label and where to grant it. */
  fixes: Array<{ label: string; fix: string }>;
}

/** Everything the page shows. */
export interface PortalPageData {
  onboardingId: string;
  companyName: string;
  providerName: string;
  recipient: string;
  active: boolean;
  beforeYouBegin: string;
  /** What the auth method means for the customer (mrkdwn), or null. */
  howYouConnect: string | null;
  /** The template's troubleshooting tips and help line (mrkdwn). */
  troubleshooting: string[];
  help: string | null;
  steps: PageStep[];
  progress: Pick<ChecklistProgress, "stepsDone" | "stepsTotal" | "itemsDone" | "itemsTotal">;
  /** The Connect button is offered (active onboarding, a step that carries it, not verified yet). */
  connectOffered: boolean;
  verification: PageVerification | null;
  call: (CallEntry & { googleLink: string }) | null;
  /** After go-live, while the connection has a health problem: the problem and its fix (Reconnect offered). */
  reconnect?: { reason: string } | null;
}

function doneByOf(
  state: ItemState | undefined,
  recipient: string,
  slackNames: ReadonlyMap<string, string>,
): string | null {
  if (!state?.done) return null;
  if (state.source === "finch") return "Verified by Finch";
  if (state.source === "page") {
    const email = state.byUserId?.startsWith("email:") ? state.byUserId.slice(6) : null;
    return email === recipient
      ? "Ticked by you on this page"
      : `Ticked on the private page${email ? ` by ${email}` : ""}`;
  }
  const name = state.byUserId ? slackNames.get(state.byUserId) : undefined;
  return name ? `Ticked in Slack by ${name}` : "Ticked in Slack";
}

/** The Slack names of those who ticked boxes in Slack (users.info, cached); a user Slack cannot name is left out. */
async function slackNamesOf(ctx: AppContext, states: Iterable<ItemState>): Promise<Map<string, string>> {
  const ids = new Set<string>();
  for (const s of states) {
    if (s.done && s.source !== "finch" && s.source !== "page" && s.byUserId && !s.byUserId.includes(":")) {
      ids.add(s.byUserId);
    }
  }
  const names = new Map<string, string>();
  for (const id of ids) {
    const facts = await slackUserFacts(ctx, id);
    if (facts?.name) names.set(id, facts.name);
  }
  return names;
}

function pageItem(
  item: ChecklistItem,
  state: ItemState | undefined,
  recipient: string,
  slackNames: ReadonlyMap<string, string>,
): PageItem {
  return {
    key: item.key,
    label: item.label,
    done: state?.done === true,
    tickable: item.owner === "customer",
    doneBy: doneByOf(state, recipient, slackNames),
    doneAt: state?.done ? (state.at ?? null) : null,
    hint: state?.done ? null : (state?.note ?? item.fix ?? null),
  };
}

async function latestVerification(
  ctx: Pick<AppContext, "db">,
  onboardingId: string,
  template: ProviderTemplate,
): Promise<PageVerification | null> {
  const row = await ctx.db.prisma.verification.findFirst({
    where: { onboardingId },
    orderBy: { createdAt: "desc" },
    select: { outcome: true, createdAt: true },
  });
  if (!row) return null;
  const outcome = row.outcome as {
    outcome?: string;
    permissions?: Array<{ key?: string; status?: string }>;
  } | null;
  const permissions = template.steps.flatMap((s) => s.permissions);
  const fixes = (outcome?.permissions ?? [])
    .filter((p) => p.status === "missing")
    .flatMap((p) => {
      const perm = permissions.find((q) => q.key === p.key);
      return perm ? [{ label: perm.label, fix: perm.fix }] : [];
    });
  return { outcome: outcome?.outcome ?? "error", checkedAt: row.createdAt, fixes };
}

/** A closed onboarding's open health problem (finch/health-check.ts), worded as in the channel; else null. */
async function openHealthProblem(
  ctx: AppContext,
  facts: { onboardingId: string; providerName: string; integrationUserEmail: string },
): Promise<{ reason: string } | null> {
  const row = await ctx.db.prisma.finchConnection.findUnique({
    where: { onboardingId: facts.onboardingId },
    select: { healthProblem: true, healthDetail: true, status: true, verifiedAt: true },
  });
  if (!row?.healthProblem || !row.verifiedAt || row.status === "disconnected") return null;
  const problem = {
    kind: row.healthProblem as HealthProblemKind,
    products: row.healthDetail ? row.healthDetail.split(",") : [],
  };
  const reason = healthReason(problem, {
    providerName: facts.providerName,
    integrationUserEmail: facts.integrationUserEmail,
    staleDays: ctx.config.finch.staleSyncDays,
  });
  return { reason };
}

/** Reads what the page of `onboardingId` shows to `recipient`. */
export async function readPortalPage(
  ctx: AppContext,
  onboardingId: string,
  recipient: string,
): Promise<PortalPageData> {
  const facts = await renderFacts(ctx, onboardingId);
  const holder = loginHolderOf(facts.integrationUserEmail, ctx.config.integrationUser.email);
  const template = withLoginHolder(providerCatalogue(ctx).template(facts.providerId), holder);
  const values = placeholderValuesFor(facts);
  const state = itemStatesOf(facts.steps);
  const progress = computeProgress(template, state);
  const items = checklistItems(template);
  const slackNames = await slackNamesOf(ctx, state.values());
  const steps = template.steps.map((step, index): PageStep => {
    const p = progress.perStep[index];
    return {
      number: index + 1,
      title: step.title,
      owner: step.owner,
      done: p?.done ?? false,
      itemsDone: p?.itemsDone ?? 0,
      itemsTotal: p?.itemsTotal ?? 0,
      instructions: fillPlaceholders(step.instructions, values),
      finchConnect: step.finchConnect,
      items: items
        .filter((i) => i.stepKey === step.key)
        .map((i) => pageItem(i, state.get(i.key), recipient, slackNames)),
    };
  });
  const connectStep = steps.find((s) => s.finchConnect);
  const entry = await currentCallEntry(ctx, onboardingId);
  return {
    onboardingId,
    companyName: facts.companyName,
    providerName: template.displayName,
    recipient,
    active: facts.status === "active",
    beforeYouBegin: fillPlaceholders(template.beforeYouBegin, values),
    howYouConnect:
      template.finch.authNote === null ? null : fillPlaceholders(template.finch.authNote, values),
    troubleshooting: template.troubleshooting.map((tip) => fillPlaceholders(tip, values)),
    help: template.help === null ? null : fillPlaceholders(template.help, values),
    steps,
    progress,
    connectOffered: facts.status === "active" && connectStep !== undefined && !connectStep.done,
    verification: await latestVerification(ctx, onboardingId, template),
    call: entry ? { ...entry, googleLink: googleCalendarLink(entry) } : null,
    reconnect:
      facts.status === "done"
        ? await openHealthProblem(ctx, {
            onboardingId,
            providerName: template.displayName,
            integrationUserEmail: facts.integrationUserEmail,
          })
        : null,
  };
}
