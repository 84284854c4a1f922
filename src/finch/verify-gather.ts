/**
 * The gathering step of a verification: a client for the connection, its status (introspect, unless Finch
 * already told it), the products Finch offers for the provider, then one read per supported check.
 */
import type { FinchCheck, ProviderTemplate } from "../checklist/template-format.ts";
import type { AppContext } from "../context.ts";
import type { FinchConnection } from "../db/generated/client.ts";
import { type CheckRun, runChecks } from "./checks.ts";
import { classifyFinchError, type FinchClient, type Introspection } from "./client.ts";
import { clientFor } from "./connections.ts";
import { providerCapabilities } from "./providers.ts";
import type { VerificationOutcome, VerificationTrigger } from "./report.ts";
import { type ConnectionFacts, type Gathered, isUnsupported } from "./verify-judge.ts";

/** Statuses where reads cannot succeed, so none are attempted. */
const NO_READS = new Set(["reauth", "disconnected", "error_no_account_setup"]);

/** What the caller already knows, which saves Finch calls. */
export interface GatherOptions {
  /** A status Finch already told us (webhook `account.updated`): introspect and reads are skipped for it. */
  knownStatus?: "reauth" | "disconnected";
  /** An introspection the poller already made (saves a call). */
  introspection?: Introspection;
}

/** Ids a verification's log lines carry (never data). */
export type VerifyLog = { onboardingId: string; connectionId: string; trigger: VerificationTrigger };

/** Gather: a client, the connection's status (introspect), what Finch offers, then the permission reads. */
export async function gather(
  ctx: AppContext,
  g: {
    connection: FinchConnection;
    template: ProviderTemplate;
    options: GatherOptions;
    now: Date;
    log: VerifyLog;
  },
): Promise<Gathered> {
  const { connection, template, options, log } = g;
  let client: FinchClient | null = null;
  let forced: VerificationOutcome | null = null;
  try {
    client = await clientFor(ctx, connection);
  } catch (err) {
    // A token we cannot decrypt (key removed from the ring) needs a person: say so, do not guess.
    ctx.logger.error({ ...log, err }, "finch token could not be decrypted");
    forced = "error";
  }
  const facts: ConnectionFacts = {
    status: options.knownStatus ?? null,
    entities: [],
    message: null,
    methods: [],
    providerId: connection.providerId,
    products: connection.products,
  };
  if (client && facts.status === null) forced = await introspect(ctx, client, facts, options, log);
  const capabilities = await providerCapabilities(ctx, template.finch.providerId, client ?? undefined);
  const offered = capabilities?.products ?? null;
  const canRead = client && facts.status !== null && !forced && !NO_READS.has(facts.status);
  const run = canRead && client ? await readPermissions(ctx, client, { ...g, facts, offered }) : null;
  return { facts, forced, run, offered };
}

/** Fills `facts` from Finch's introspection; returns the outcome it forces when Finch could not answer. */
async function introspect(
  ctx: AppContext,
  client: FinchClient,
  facts: ConnectionFacts,
  options: GatherOptions,
  log: VerifyLog,
): Promise<VerificationOutcome | null> {
  try {
    const intro = options.introspection ?? (await client.account.introspect());
    facts.status = intro.connection_status?.status ?? "unknown";
    facts.entities = (intro.entities ?? []).map((e) => ({ name: e.name ?? null, status: e.status ?? null }));
    facts.message = intro.connection_status?.message ?? null;
    facts.methods = (intro.authentication_methods ?? []).map((m) => ({
      type: m.type,
      status: m.connection_status?.status ?? null,
      message: m.connection_status?.message ?? null,
    }));
    facts.providerId = intro.provider_id ?? facts.providerId;
    facts.products = intro.products ?? facts.products;
    return null;
  } catch (err) {
    const failure = classifyFinchError(err);
    ctx.logger.warn({ ...log, ...failure }, "finch introspect failed");
    if (failure.kind === "reauth") facts.status = "reauth";
    else if (failure.kind === "setup_required") facts.status = "error_no_account_setup";
    else return failure.kind === "transient" ? "retry" : "error";
    return null;
  }
}

/** One read per supported check of the template; failures are logged (ids and codes only). */
async function readPermissions(
  ctx: AppContext,
  client: FinchClient,
  r: {
    template: ProviderTemplate;
    facts: ConnectionFacts;
    offered: ReadonlySet<string> | null;
    now: Date;
    log: VerifyLog;
  },
): Promise<CheckRun> {
  const permissions = r.template.steps.flatMap((s) => s.permissions);
  const labelOf = (check: FinchCheck) => permissions.find((p) => p.check === check)?.label ?? check;
  const wanted = new Set(permissions.map((p) => p.check).filter((c) => !isUnsupported(c, r.offered)));
  const firstSync = r.facts.status === "pending" || r.facts.status === "processing";
  const run = await runChecks(client, wanted, { now: r.now, labelOf, firstSync });
  for (const { check, failure } of run.failures) {
    ctx.logger.info({ ...r.log, check, ...failure }, "finch check failed");
  }
  return run;
}
