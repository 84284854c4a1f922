/**
 * The Finch callback's rate limit keys on the client: behind a trusted proxy (HTTP_TRUSTED_PROXIES) that is the
 * address the proxy saw (X-Forwarded-For, right to left, up to the first untrusted hop); otherwise the socket's
 * address, whatever the header claims.
 */
import type { IncomingMessage } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config.ts";
import { clientAddressOf } from "../../src/http/client-address.ts";
import { type Harness, startHarness } from "../helpers/harness.ts";

const request = (socket: string, forwarded?: string) =>
  ({
    socket: { remoteAddress: socket },
    headers: forwarded ? { "x-forwarded-for": forwarded } : {},
  }) as unknown as IncomingMessage;

describe("client address", () => {
  it("is the socket's address by default, whatever X-Forwarded-For says", () => {
    const of = clientAddressOf([]);
    expect(of(request("198.51.100.7", "203.0.113.1"))).toBe("198.51.100.7");
  });

  it("is the forwarded address when the socket is a trusted proxy, and stops at the first untrusted hop", () => {
    const of = clientAddressOf(["10.0.0.0/8"]);
    expect(of(request("10.1.2.3", "203.0.113.1"))).toBe("203.0.113.1");
    // A client that sends its own header cannot pick a key: the proxy appends the real address.
    expect(of(request("10.1.2.3", "1.2.3.4, 203.0.113.9"))).toBe("203.0.113.9");
    expect(of(request("10.1.2.3", "203.0.113.1, 10.9.9.9"))).toBe("203.0.113.1");
    // An untrusted socket's header is ignored.
    expect(of(request("198.51.100.7", "203.0.113.1"))).toBe("198.51.100.7");
  });

  it("a malformed trusted-proxy list is a configuration problem", () => {
    const result = parseConfig({ HTTP_TRUSTED_PROXIES: "10.0.0.0/8, not-an-address" });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.join("\n")).toMatch(/HTTP_TRUSTED_PROXIES/);
    const ok = parseConfig({ HTTP_TRUSTED_PROXIES: "loopback, 10.0.0.0/8" });
    expect(ok.ok && ok.config.http.trustedProxies).toEqual(["loopback", "10.0.0.0/8"]);
  });
});

describe("/finch/callback behind a trusted proxy", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      env: { FINCH_CALLBACK_LIMIT_PER_MINUTE: "3", HTTP_TRUSTED_PROXIES: "loopback" },
    });
  });
  afterAll(async () => h?.stop());

  it("counts each forwarded client on its own: one client's guesses do not lock out another", async () => {
    const guess = async (client: string, i: number) => {
      const res = await fetch(
        `${h.app.url}/finch/callback?code=unknown-code-${client}-${i}-${"x".repeat(12)}`,
        {
          redirect: "manual",
          headers: { "x-forwarded-for": client },
        },
      );
      await res.text();
      return res.status;
    };
    const first: number[] = [];
    for (let i = 0; i < 4; i++) first.push(await guess("203.0.113.1", i));
    const second: number[] = [];
    for (let i = 0; i < 3; i++) second.push(await guess("203.0.113.2", i));
    expect(first.slice(0, 3).includes(429)).toBe(false);
    expect(first[3]).toBe(429);
    expect(second.includes(429)).toBe(false);
  });
});
