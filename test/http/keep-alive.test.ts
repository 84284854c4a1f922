/**
 * Idle keep-alive connections stay open longer than a load balancer's idle timeout (AWS ALB: 60 s), so the
 * balancer, not the app, closes them; a connection idle past Node's old 5 s default is reused, not reset.
 */
import { Agent, get } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { Router } from "../../src/http/router.ts";
import { closeServer, createHttpServer } from "../../src/http/server.ts";
import { createLogger } from "../../src/logger.ts";

describe("HTTP keep-alive", () => {
  it("defaults to 65 s; the keepAliveMs option (HTTP_KEEP_ALIVE_MS) changes it", () => {
    const logger = createLogger({ level: "silent" });
    expect(createHttpServer({ router: new Router(), logger }).keepAliveTimeout).toBe(65_000);
    expect(createHttpServer({ router: new Router(), logger, keepAliveMs: 90_000 }).keepAliveTimeout).toBe(
      90_000,
    );
  });

  it("reuses a connection that sat idle longer than Node's 5 s default", async () => {
    const server = createHttpServer({ router: new Router(), logger: createLogger({ level: "silent" }) });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const port = (server.address() as AddressInfo).port;
    const once = () =>
      new Promise<{ status?: number; reused: boolean }>((resolve, reject) => {
        const req = get({ host: "127.0.0.1", port, path: "/nowhere", agent }, (res) => {
          res.resume();
          res.on("end", () => resolve({ status: res.statusCode, reused: req.reusedSocket }));
        });
        req.on("error", reject);
      });
    try {
      expect(await once()).toEqual({ status: 404, reused: false });
      await new Promise((r) => setTimeout(r, 5_500));
      expect(await once()).toEqual({ status: 404, reused: true });
    } finally {
      agent.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    }
  }, 15_000);

  it("a graceful stop does not wait for a keep-alive client whose request finished after the stop began", async () => {
    const router = new Router().on("GET", "/slow", async ({ res }) => {
      await new Promise((r) => setTimeout(r, 300));
      res.end("done");
    });
    const server = createHttpServer({ router, logger: createLogger({ level: "silent" }) });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const port = (server.address() as AddressInfo).port;
    try {
      const answered = new Promise<string>((resolve, reject) => {
        get({ host: "127.0.0.1", port, path: "/slow", agent }, (res) => {
          let body = "";
          res.on("data", (c: Buffer) => {
            body += c.toString();
          });
          res.on("end", () => resolve(body));
        }).on("error", reject);
      });
      await new Promise((r) => setTimeout(r, 100));
      const started = performance.now();
      const closed = closeServer(server);
      expect(await answered).toBe("done");
      await closed;
      // The connection went idle after the stop began; it was closed then, not after the 65 s keep-alive.
      expect(performance.now() - started).toBeLessThan(3_000);
    } finally {
      agent.destroy();
    }
  });
});
