/**
 * Finch Connect: from our never-stale link to a Finch session, and back through the callback.
 *
 * The link in Slack is our own URL (`/connect/<token>`, an HMAC of the onboarding id), so it never
 * expires: each click reuses a still-valid session or creates a new one and redirects the browser to
 * Finch. Finch has no `state` parameter; the callback matches the onboarding by the `customer_id` the code
 * exchange returns, and a short-lived cookie set on the way out only attributes cancellations and bad
 * codes to a thread. Codes are stored nowhere: their SHA-256 is claimed once (replays are refused).
 */

import { getTemplate } from "../checklist/template-registry.ts";
import type { AppContext } from "../context.ts";
import { decryptSecret, fingerprint, readConnectLinkToken } from "../crypto.ts";
import { claimDelivery, releaseClaim } from "../db/claims.ts";
import type { Actor } from "../onboarding/actor.ts";
import { audit } from "../onboarding/audit.ts";
import { connectUrlFor } from "../onboarding/connect-links.ts";
import type { OnboardingWithCustomer } from "../onboarding/lookup.ts";
import { buildConnectLinkMessage } from "../slack/views/finch.ts";
import { postTracked } from "../slack-gateway/post.ts";
import { classifyFinchError, createConnectionClient, createFinchAppClient } from "./client.ts";
import { finchRedirectUri, POLL_MIN_SECONDS, postThreadNote, sealToken, tellRep } from "./connections.ts";

/** Sessions we create live a day: long enough for a call, short enough that a leaked URL soon dies. */
export const SESSION_MINUTES = 24 * 60;
/** A session is reused only if it stays valid this long (so it cannot expire mid-Connect). */
const REUSE_MARGIN_MS = 30 * 60_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A browser-facing answer: a redirect, or a short page. */
export type BrowserAnswer =
  | { kind: "redirect"; location: string; onboardingId: string }
  | { kind: "page"; status: number; title: string; message: string };

function page(status: number, title: string, message: string): BrowserAnswer {
  return { kind: "page", status, title, message };
}

const NOT_FOUND = page(
  404,
  "This link is not valid",
  "Please use the Connect button in your Slack channel, or ask your Fleet contact for a new link.",
);

/** The onboarding a link token stands for, or null for a forged or unknown token. */
async function onboardingForToken(ctx: AppContext, token: string): Promise<OnboardingWithCustomer | null> {
  const onboardingId = readConnectLinkToken(token, ctx.keys);
  if (!onboardingId) return null;
  return ctx.db.prisma.onboarding.findUnique({ where: { id: onboardingId }, include: { customer: true } });
}

/**
 * `GET /connect/<token>` (mode `new`) and `/reconnect/<token>` (mode `reauth`): reuse a valid session
 * or create one, and send the browser to Finch.
 */
export async function openConnectSession(
  ctx: AppContext,
  token: string,
  mode: "new" | "reauth",
): Promise<BrowserAnswer> {
  const onboarding = await onboardingForToken(ctx, token);
  if (!onboarding) return NOT_FOUND;
  if (onboarding.status !== "active") {
    return page(
      410,
      "This onboarding is closed",
      "Your Fleet onboarding is finished, so this link no longer opens Finch. Questions? Ask your Fleet team in Slack.",
    );
  }
  const template = getTemplate(onboarding.providerId);
  const connection = await ctx.db.prisma.finchConnection.findUnique({
    where: { onboardingId: onboarding.id },
  });
  const now = ctx.clock.now();
  // A disconnected connection cannot be reauthenticated: it needs a brand-new one.
  let kind: "new" | "reauth" =
    mode === "reauth" && connection && connection.status !== "disconnected" ? "reauth" : "new";
  const reusable = await ctx.db.prisma.finchConnectSession.findFirst({
    where: {
      onboardingId: onboarding.id,
      kind,
      expiresAt: { gt: new Date(now.getTime() + REUSE_MARGIN_MS) },
    },
    orderBy: { createdAt: "desc" },
  });
  if (reusable) return { kind: "redirect", location: reusable.connectUrl, onboardingId: onboarding.id };

  const app = createFinchAppClient(ctx.config, ctx.logger);
  const products = [...template.finch.products];
  try {
    let session: { session_id: string; connect_url: string } | null = null;
    if (kind === "reauth" && connection) {
      try {
        session = await app.connect.sessions.reauthenticate({
          connection_id: connection.connectionId,
          minutes_to_expire: SESSION_MINUTES,
          redirect_uri: finchRedirectUri(ctx),
          products,
        });
      } catch (err) {
        if (classifyFinchError(err).kind !== "not_found") throw err;
        kind = "new"; // Finch no longer knows the connection: connect afresh.
      }
    }
    session ??= await app.connect.sessions.new({
      customer_id: onboarding.id,
      customer_name: onboarding.customer.name,
      products,
      redirect_uri: finchRedirectUri(ctx),
      minutes_to_expire: SESSION_MINUTES,
      integration: { provider: template.finch.providerId },
      ...(ctx.config.finch.sandbox ? { sandbox: ctx.config.finch.sandbox } : {}),
    });
    if (!isWebUrl(session.connect_url))
      throw new Error("Finch returned a connect_url that is not an http(s) URL");
    await ctx.db.prisma.finchConnectSession.create({
      data: {
        onboardingId: onboarding.id,
        sessionId: session.session_id,
        connectUrl: session.connect_url,
        kind,
        expiresAt: new Date(now.getTime() + SESSION_MINUTES * 60_000),
      },
    });
    await audit(ctx, { onboardingId: onboarding.id, action: "finch.session_created", detail: { kind } });
    ctx.logger.info({ onboardingId: onboarding.id, kind }, "finch connect session created");
    return { kind: "redirect", location: session.connect_url, onboardingId: onboarding.id };
  } catch (err) {
    const failure = classifyFinchError(err);
    ctx.logger.warn(
      { onboardingId: onboarding.id, session: kind, ...failure },
      "finch connect session failed",
    );
    if (failure.kind === "transient") {
      return page(
        503,
        "Finch is not reachable right now",
        "Please try again in a minute — the link keeps working.",
      );
    }
    await tellRep(
      ctx,
      onboarding,
      `:x: Opening Finch Connect for *${onboarding.customer.name}* failed (Finch answered ${failure.status ?? "nothing"}${failure.name ? ` ${failure.name}` : ""}). Check the Finch credentials and redirect URI; the logs have details.`,
    );
    return page(
      502,
      "We couldn't open Finch Connect",
      "Fleet's team has been told and will get back to you in Slack.",
    );
  }
}

function isWebUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const protocol = new URL(value).protocol;
  return protocol === "https:" || protocol === "http:";
}

/** What the callback received. */
export interface CallbackInput {
  code: string | null;
  error: string | null;
  /** The onboarding the browser's cookie names (set when it left for Finch); only for attributing notes. */
  hintOnboardingId: string | null;
}

/** What the callback answers, and which onboarding to verify next. */
export type CallbackResult = Extract<BrowserAnswer, { kind: "page" }> & { verifyOnboardingId?: string };

async function noteTargetById(ctx: AppContext, onboardingId: string | null) {
  if (!onboardingId || !UUID.test(onboardingId)) return null;
  return ctx.db.prisma.onboarding.findUnique({ where: { id: onboardingId }, include: { customer: true } });
}

/** `GET /finch/callback`: exchange the code, store the token encrypted, and hand over to verification. */
export async function completeConnect(ctx: AppContext, input: CallbackInput): Promise<CallbackResult> {
  if (input.error !== null) {
    const reason = /^[a-z_]{1,40}$/.test(input.error) ? input.error : "unknown";
    const onboarding = await noteTargetById(ctx, input.hintOnboardingId);
    ctx.logger.info({ onboardingId: onboarding?.id ?? null, reason }, "finch connect returned an error");
    if (onboarding) {
      await postThreadNote(
        ctx,
        onboarding,
        ":information_source: Finch Connect was closed before the connection was made — nothing changed. Use the Connect button whenever you're ready.",
      );
      await tellRep(
        ctx,
        onboarding,
        `:information_source: Finch Connect for *${onboarding.customer.name}* was cancelled (${reason}).`,
      );
      await audit(ctx, {
        onboardingId: onboarding.id,
        action: "finch.connect_cancelled",
        detail: { reason },
      });
    }
    return {
      kind: "page",
      status: 200,
      title: "Connection cancelled",
      message: "Nothing was changed. You can start again any time with the Connect button in Slack.",
    };
  }
  const code = input.code ?? "";
  if (!/^[A-Za-z0-9._~+/=-]{8,512}$/.test(code)) {
    return {
      kind: "page",
      status: 400,
      title: "This link is incomplete",
      message: "Please start again with the Connect button in Slack.",
    };
  }
  const codeHash = fingerprint(code);
  const claimKey = `finch-code:${codeHash}`;
  const firstUse =
    (await claimDelivery(ctx, claimKey)) &&
    !(await ctx.db.prisma.finchConnection.findUnique({ where: { codeHash }, select: { id: true } }));
  if (!firstUse) {
    const stored = await ctx.db.prisma.finchConnection.findUnique({ where: { codeHash } });
    const onboarding = await noteTargetById(ctx, stored?.onboardingId ?? input.hintOnboardingId);
    ctx.logger.warn({ onboardingId: onboarding?.id ?? null }, "finch authorization code used again: refused");
    if (onboarding) {
      await postThreadNote(
        ctx,
        onboarding,
        ":information_source: An already-used Finch sign-in link was opened again. It was ignored; nothing changed.",
      );
      await tellRep(
        ctx,
        onboarding,
        `:warning: A Finch authorization for *${onboarding.customer.name}* was replayed and refused; nothing changed.`,
      );
      await audit(ctx, { onboardingId: onboarding.id, action: "finch.code_replayed" });
    }
    return {
      kind: "page",
      status: 409,
      title: "This link was already used",
      message:
        "If you just connected, you're all set — return to Slack. Otherwise start again with the Connect button in Slack.",
    };
  }

  const app = createFinchAppClient(ctx.config, ctx.logger);
  let exchanged: Awaited<ReturnType<typeof app.accessTokens.create>>;
  try {
    exchanged = await app.accessTokens.create({ code, redirect_uri: finchRedirectUri(ctx) });
  } catch (err) {
    const failure = classifyFinchError(err);
    const onboarding = await noteTargetById(ctx, input.hintOnboardingId);
    ctx.logger.warn({ onboardingId: onboarding?.id ?? null, ...failure }, "finch code exchange failed");
    if (failure.kind === "transient") {
      // The code is still unused at Finch: let a reload try again.
      await releaseClaim(ctx, claimKey);
      return {
        kind: "page",
        status: 503,
        title: "Finch is not reachable right now",
        message: "Please reload this page in a minute to finish connecting.",
      };
    }
    if (onboarding) {
      await postThreadNote(
        ctx,
        onboarding,
        ":information_source: The Finch sign-in could not be completed (the link had expired or was already used) — nothing changed. Please use the Connect button to start again.",
      );
      await tellRep(
        ctx,
        onboarding,
        `:warning: Finch refused the authorization for *${onboarding.customer.name}* (${failure.kind}${failure.status ? `, ${failure.status}` : ""}). The customer was asked to start again.`,
      );
      await audit(ctx, {
        onboardingId: onboarding.id,
        action: "finch.code_refused",
        detail: { kind: failure.kind },
      });
    }
    return failure.kind === "invalid_grant"
      ? {
          kind: "page",
          status: 400,
          title: "This sign-in expired",
          message: "Nothing was changed. Please start again with the Connect button in Slack.",
        }
      : {
          kind: "page",
          status: 502,
          title: "We couldn't finish connecting",
          message: "Fleet's team has been told. Please try again later with the Connect button in Slack.",
        };
  }

  const customerId = exchanged.customer_id ?? "";
  const onboarding = UUID.test(customerId)
    ? await ctx.db.prisma.onboarding.findUnique({ where: { id: customerId }, include: { customer: true } })
    : null;
  if (!onboarding) {
    ctx.logger.warn({ connectionId: exchanged.connection_id }, "finch connection matches no onboarding");
    return {
      kind: "page",
      status: 404,
      title: "We couldn't match this connection",
      message: "Please start again with the Connect button in your Slack channel.",
    };
  }
  if (input.hintOnboardingId && input.hintOnboardingId !== onboarding.id) {
    ctx.logger.warn(
      { onboardingId: onboarding.id },
      "finch callback cookie names another onboarding; using customer_id",
    );
  }
  const template = getTemplate(onboarding.providerId);
  if (exchanged.provider_id !== template.finch.providerId) {
    ctx.logger.warn(
      { onboardingId: onboarding.id, providerId: exchanged.provider_id },
      "finch connection is for another provider than the template's",
    );
  }
  const now = ctx.clock.now();
  const sealed = sealToken(ctx, exchanged.access_token);
  const fields = {
    connectionId: exchanged.connection_id,
    providerId: exchanged.provider_id,
    ...sealed,
    status: "pending",
    products: exchanged.products ?? [],
    codeHash,
    verifiedAt: null,
    nextPollAt: new Date(now.getTime() + POLL_MIN_SECONDS * 1000),
    pollIntervalSec: POLL_MIN_SECONDS,
  };
  const previous = await ctx.db.prisma.finchConnection.findUnique({ where: { onboardingId: onboarding.id } });
  // Re-connecting replaces the stored connection: one token per onboarding.
  await ctx.db.prisma.finchConnection.upsert({
    where: { onboardingId: onboarding.id },
    create: { onboardingId: onboarding.id, ...fields },
    update: fields,
  });
  // Used sessions cannot be reused; the next click makes a fresh one.
  await ctx.db.prisma.finchConnectSession.updateMany({
    where: { onboardingId: onboarding.id, expiresAt: { gt: now } },
    data: { expiresAt: now },
  });
  if (previous && previous.connectionId !== exchanged.connection_id) {
    await retireConnection(ctx, previous.tokenCiphertext, onboarding.id);
  }
  await audit(ctx, {
    onboardingId: onboarding.id,
    action: "finch.connected",
    detail: {
      connectionId: exchanged.connection_id,
      providerId: exchanged.provider_id,
      products: exchanged.products ?? [],
      replaced: previous ? previous.connectionId : null,
    },
  });
  ctx.logger.info(
    { onboardingId: onboarding.id, connectionId: exchanged.connection_id, reconnect: !!previous },
    "finch connected",
  );
  return {
    kind: "page",
    status: 200,
    title: "Connected — you can return to Slack",
    message: `${template.displayName} is connected to Fleet. Fleet is verifying the connection and every permission now, and posts the result in your Slack channel.`,
    verifyOnboardingId: onboarding.id,
  };
}

/** A different connection replaced this one: close the old one at Finch (best effort). */
async function retireConnection(
  ctx: AppContext,
  tokenCiphertext: string,
  onboardingId: string,
): Promise<void> {
  try {
    const client = createConnectionClient(ctx.config, ctx.logger, decryptSecret(tokenCiphertext, ctx.keys));
    await client.account.disconnect();
    ctx.logger.info({ onboardingId }, "replaced finch connection disconnected");
  } catch (err) {
    ctx.logger.warn(
      { onboardingId, ...classifyFinchError(err) },
      "could not disconnect the replaced finch connection",
    );
  }
}

/** `/fleet link`: posts the never-stale Connect link in the customer channel. */
export async function postConnectLink(
  ctx: AppContext,
  onboarding: OnboardingWithCustomer,
  actor: Actor,
): Promise<{ ok: boolean; message: string }> {
  if (onboarding.status !== "active") {
    return { ok: false, message: `The onboarding of *${onboarding.customer.name}* is closed.` };
  }
  if (!onboarding.channelId) {
    return {
      ok: false,
      message: `*${onboarding.customer.name}* has no channel yet — run the same \`/fleet onboard\` again to finish setting it up.`,
    };
  }
  const template = getTemplate(onboarding.providerId);
  const message = buildConnectLinkMessage({
    onboardingId: onboarding.id,
    companyName: onboarding.customer.name,
    providerName: template.displayName,
    url: connectUrlFor(ctx, onboarding.id),
    kind: "connect",
  });
  await postTracked(ctx, {
    onboardingId: onboarding.id,
    kind: "connect_link",
    channelId: onboarding.channelId,
    message,
  });
  await audit(ctx, { onboardingId: onboarding.id, action: "finch.link_posted", actor });
  return {
    ok: true,
    message: `:link: Posted the ${template.displayName} Connect link in <#${onboarding.channelId}>.`,
  };
}
