/**
 * Finch Connect, the way out: from our never-stale link to a Finch session.
 *
 * The link in Slack is our own URL (`/connect/<token>`, an HMAC of the onboarding id), so it never
 * expires: each click reuses a still-valid session or creates a new one and redirects the browser to
 * Finch. The way back (the callback and its code exchange) is src/finch/connect-callback.ts.
 */

import type { Actor } from "../audit/actor.ts";
import { audit } from "../audit/audit.ts";
import { buildConnectLinkMessage } from "../blocks/finch.ts";
import { finchText } from "../blocks/finch-notes.ts";
import { providerCatalogue } from "../checklist/provider-catalogue.ts";
import type { FinchProduct, ProviderTemplate } from "../checklist/template-format.ts";
import { isGenericTemplate } from "../checklist/template-registry.ts";
import type { AppContext } from "../context.ts";
import { readConnectLinkToken } from "../crypto.ts";
import { alreadyConnectedPage, connectLinkPages, type PageText } from "../html/connect-pages.ts";
import { connectUrlFor } from "../onboarding/connect-links.ts";
import type { OnboardingWithCustomer } from "../onboarding/lookup.ts";
import { postTracked } from "../slack-gateway/post.ts";
import { classifyFinchError, createFinchAppClient } from "./client.ts";
import { finchRedirectUri, tellRep } from "./connections.ts";
import { isWatchedAfterGoLive } from "./health-reconnect.ts";
import { providerCapabilities, supportedProducts } from "./providers.ts";
import { postReconnectLink } from "./verify.ts";

/** Sessions we create live a day: long enough for a call, short enough that a leaked URL soon dies. */
export const SESSION_MINUTES = 24 * 60;
/** A session is reused only if it stays valid this long (so it cannot expire mid-Connect). */
const REUSE_MARGIN_MS = 30 * 60_000;

/** A browser-facing answer: a redirect, or a short page. */
export type BrowserAnswer =
  | { kind: "redirect"; location: string; onboardingId: string }
  | { kind: "page"; status: number; title: string; message: string }
  /** A GET's answer: the link is good; a button (a POST) opens Finch, so a mail scanner creates nothing. */
  | { kind: "confirm"; providerName: string; companyName: string };

function page(status: number, text: PageText): BrowserAnswer {
  return { kind: "page", status, title: text.title, message: text.message };
}

const NOT_FOUND = page(404, connectLinkPages.notValid);

/** The onboarding a link token stands for, or null for a forged or unknown token. */
async function onboardingForToken(ctx: AppContext, token: string): Promise<OnboardingWithCustomer | null> {
  const onboardingId = readConnectLinkToken(token, ctx.keys);
  if (!onboardingId) return null;
  return ctx.db.prisma.onboarding.findUnique({ where: { id: onboardingId }, include: { customer: true } });
}

/**
 * `POST /connect/<token>` (mode `new`) and `/reconnect/<token>` (mode `reauth`): reuse a valid session
 * or create one, and send the browser to Finch. With `preview` (the GET) only the link is checked.
 */
export async function openConnectSession(
  ctx: AppContext,
  token: string,
  mode: "new" | "reauth",
  options: { preview?: boolean } = {},
): Promise<BrowserAnswer> {
  const onboarding = await onboardingForToken(ctx, token);
  if (!onboarding) return NOT_FOUND;
  // After go-live only the Reconnect link of a watched connection still opens Finch (src/finch/health*.ts).
  const reconnectAfterGoLive = mode === "reauth" && (await isWatchedAfterGoLive(ctx, onboarding.id));
  if (onboarding.status !== "active" && !reconnectAfterGoLive) {
    return page(410, connectLinkPages.closed);
  }
  const template = providerCatalogue(ctx).template(onboarding.providerId);
  const connection = await ctx.db.prisma.finchConnection.findUnique({
    where: { onboardingId: onboarding.id },
  });
  const now = ctx.clock.now();
  // A Connect link cannot replace a verified connection (a stale link in the channel, a curious click): the
  // rep's `/fleet reconnect` posts a Reconnect link, which re-authenticates the same connection instead.
  if (mode === "new" && connection?.verifiedAt && connection.status !== "disconnected") {
    ctx.logger.info({ onboardingId: onboarding.id }, "connect link on a verified connection: nothing to do");
    return page(409, alreadyConnectedPage({ providerName: template.displayName }));
  }
  if (options.preview) {
    return { kind: "confirm", providerName: template.displayName, companyName: onboarding.customer.name };
  }
  // A disconnected connection cannot be reauthenticated: it needs a brand-new one.
  const reauthOf =
    mode === "reauth" && connection && connection.status !== "disconnected" ? connection.connectionId : null;
  const reusable = await ctx.db.prisma.finchConnectSession.findFirst({
    where: {
      onboardingId: onboarding.id,
      kind: reauthOf ? "reauth" : "new",
      expiresAt: { gt: new Date(now.getTime() + REUSE_MARGIN_MS) },
    },
    orderBy: { createdAt: "desc" },
  });
  if (reusable) return { kind: "redirect", location: reusable.connectUrl, onboardingId: onboarding.id };
  return createSession(ctx, onboarding, template, reauthOf, now);
}

/** What the session asks Finch for: the products it supports for the provider, and the auth method. */
async function sessionRequest(
  ctx: AppContext,
  onboardingId: string,
  template: ProviderTemplate,
): Promise<{ products: FinchProduct[]; authMethod: ProviderTemplate["finch"]["authMethod"] }> {
  // Request only what Finch supports for this provider: an unsupported product is confirmed by hand.
  const capabilities = await providerCapabilities(ctx, template.finch.providerId);
  const supported = supportedProducts(template.finch.products, capabilities);
  const products = supported.length > 0 ? supported : [...template.finch.products];
  // The generic guide walks no method through: it takes the first one Finch offers for the provider.
  const offered = capabilities?.authMethods[0];
  const authMethod =
    isGenericTemplate(template) && offered && !capabilities.authMethods.includes(template.finch.authMethod)
      ? (offered as typeof template.finch.authMethod)
      : template.finch.authMethod;
  if (capabilities && !capabilities.authMethods.includes(authMethod)) {
    ctx.logger.warn(
      { onboardingId, authMethod, offered: capabilities.authMethods },
      "finch does not list the template's auth method for this provider",
    );
  }
  return { products, authMethod };
}

/**
 * Asks Finch for a session (reauthenticating `reauthOf`, or a new connection), stores it and redirects;
 * a Finch failure becomes a page, and the rep hears of any that is not passing.
 */
async function createSession(
  ctx: AppContext,
  onboarding: OnboardingWithCustomer,
  template: ProviderTemplate,
  reauthOf: string | null,
  now: Date,
): Promise<BrowserAnswer> {
  let kind: "new" | "reauth" = reauthOf ? "reauth" : "new";
  const app = createFinchAppClient(ctx.config, ctx.logger);
  const { products, authMethod } = await sessionRequest(ctx, onboarding.id, template);
  try {
    let session: { session_id: string; connect_url: string } | null = null;
    if (reauthOf) {
      try {
        session = await app.connect.sessions.reauthenticate({
          connection_id: reauthOf,
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
      // The method the guide walks the customer through (e.g. credential: the integration user's login).
      integration: { provider: template.finch.providerId, auth_method: authMethod },
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
      return page(503, connectLinkPages.finchUnreachable);
    }
    await tellRep(ctx, onboarding, finchText.connectFailedRep(onboarding.customer.name, failure));
    return page(502, connectLinkPages.couldNotOpen);
  }
}

function isWebUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const protocol = new URL(value).protocol;
  return protocol === "https:" || protocol === "http:";
}

/** `/fleet reconnect`: a rep's explicit request to re-authenticate a stored connection (a Reconnect link). */
export async function postReconnectForRep(
  ctx: AppContext,
  onboarding: OnboardingWithCustomer,
  actor: Actor,
): Promise<{ ok: boolean; message: string }> {
  const template = providerCatalogue(ctx).template(onboarding.providerId);
  if (onboarding.status !== "active") {
    return { ok: false, message: finchText.closed(onboarding.customer.name) };
  }
  const connection = await ctx.db.prisma.finchConnection.findUnique({
    where: { onboardingId: onboarding.id },
    select: { status: true },
  });
  if (!connection || connection.status === "disconnected") {
    return {
      ok: false,
      message: finchText.reconnectNotConnected(template.displayName, onboarding.customer.name),
    };
  }
  if (!onboarding.channelId) {
    return { ok: false, message: finchText.noChannelYet(onboarding.customer.name) };
  }
  await postReconnectLink(ctx, onboarding, template, onboarding.customer.name, finchText.repAskedReconnect);
  await audit(ctx, { onboardingId: onboarding.id, action: "finch.reconnect_requested", actor });
  return {
    ok: true,
    message: finchText.reconnectPosted(template.displayName, onboarding.channelId),
  };
}

/** `/fleet link`: posts the never-stale Connect link in the customer channel. */
export async function postConnectLink(
  ctx: AppContext,
  onboarding: OnboardingWithCustomer,
  actor: Actor,
): Promise<{ ok: boolean; message: string }> {
  if (onboarding.status !== "active") {
    return { ok: false, message: finchText.closed(onboarding.customer.name) };
  }
  if (!onboarding.channelId) {
    return {
      ok: false,
      message: finchText.linkNoChannelYet(onboarding.customer.name),
    };
  }
  const template = providerCatalogue(ctx).template(onboarding.providerId);
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
    message: finchText.linkPosted(template.displayName, onboarding.channelId),
  };
}
