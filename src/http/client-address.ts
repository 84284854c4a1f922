/**
 * Who a browser request comes from, for per-client limits: the socket's address, or — when the socket belongs
 * to a configured trusted proxy (HTTP_TRUSTED_PROXIES) — the address that proxy saw, read from
 * X-Forwarded-For right to left and stopping at the first hop that is not trusted (proxy-addr, Express's
 * resolver). A client cannot pick its own key by sending the header: from an untrusted socket it is ignored.
 */
import type { IncomingMessage } from "node:http";
import proxyaddr from "proxy-addr";

/** Builds the resolver once per route (compiling the trust list), used per request. */
export function clientAddressOf(trusted: readonly string[]): (req: IncomingMessage) => string {
  if (trusted.length === 0) return (req) => req.socket.remoteAddress ?? "unknown";
  const trust = proxyaddr.compile([...trusted]);
  return (req) => {
    try {
      return proxyaddr(req, trust);
    } catch {
      return req.socket.remoteAddress ?? "unknown";
    }
  };
}
