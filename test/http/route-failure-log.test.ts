/**
 * The server's one "route failed" line names the route, never the path: a path may hold a link token
 * (`/connect/<token>`, `/p/<token>`), and a token in a log line is a working link in the wrong hands.
 */
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { Router } from "../../src/http/router.ts";
import { createHttpServer, routeNameOf } from "../../src/http/server.ts";
import { createLogger } from "../../src/logger.ts";

describe("the route-failed log line", () => {
  it("names the route's first segment only", () => {
    expect(routeNameOf("/connect/abc.def")).toBe("/connect");
    expect(routeNameOf("/p/secret-token/tick")).toBe("/p");
    expect(routeNameOf("/")).toBe("/");
    expect(routeNameOf(`/${"x".repeat(60)}`)).toBe("/…");
  });

  it("does not print a token from the failing request's path", async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: "info" }, { write: (line: string) => lines.push(line) });
    const router = new Router().on("GET", "/connect/:token", async () => {
      throw new Error("boom");
    });
    const server = createHttpServer({ router, logger });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const token = "0123456789abcdef0123456789abcdef.SECRETSECRETSECRETSECR";
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/connect/${token}`);
      expect(res.status).toBe(500);
      await res.text();
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
    const failed = lines.find((l) => l.includes("route failed"));
    expect(failed).toBeDefined();
    expect(failed).toContain('"route":"/connect"');
    expect(lines.join("\n")).not.toContain(token);
  });
});
