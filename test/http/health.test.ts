/**
 * Issue 22 points 3 and 8, `/healthz`: `degraded` (still 200) with the oldest pending delivery's age and the
 * dead-letter count once either passes its threshold, and with the spool's set-aside files counted.
 */
import type { ServerResponse } from "node:http";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/client.ts";
import { healthRoute } from "../../src/http/health.ts";
import type { RouteRequest } from "../../src/http/router.ts";
import { openTestDatabase } from "../helpers/db.ts";

async function call(handler: ReturnType<typeof healthRoute>) {
  let status = 0;
  let text = "";
  const res = {
    writeHead(code: number) {
      status = code;
      return res;
    },
    end(body: string) {
      text = body;
    },
  } as unknown as ServerResponse;
  await handler({ res } as RouteRequest);
  return { status, body: JSON.parse(text) as Record<string, unknown> };
}

const row = (key: string, status: string, ageMs: number) => ({
  key,
  source: "slack",
  kind: "block_actions",
  summary: "tick",
  status,
  receivedAt: new Date(Date.now() - ageMs),
});

describe("/healthz and the intake", () => {
  let db: Database;
  const spool = {
    size: async () => 0,
    hasRoom: async () => true,
    setAside: async () => ({ unreadable: 0, rejected: 0 }),
  };
  const limits = { maxPendingAgeMs: 300_000, maxDeadLetters: 2 };
  beforeAll(async () => {
    db = await openTestDatabase("pglite");
  });
  afterAll(async () => db?.close());
  beforeEach(async () => {
    await db.prisma.intakeDelivery.deleteMany();
  });

  it("says ok while the intake keeps up", async () => {
    await db.prisma.intakeDelivery.createMany({ data: [row("a", "pending", 5_000), row("b", "dead", 0)] });
    const { status, body } = await call(healthRoute(db, () => false, spool, limits));
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: "ok" });
  });

  it("is degraded, with the figures, when the oldest pending delivery is too old", async () => {
    await db.prisma.intakeDelivery.createMany({
      data: [row("a", "pending", 600_000), row("b", "applying", 1_000)],
    });
    const { status, body } = await call(healthRoute(db, () => false, spool, limits));
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: "degraded", deadLetters: 0 });
    expect(body.oldestPendingSeconds).toBeGreaterThanOrEqual(599);
    expect(String(body.problem)).toMatch(/oldest/);
  });

  it("is degraded when dead letters pass their threshold, and counts set-aside spool files", async () => {
    await db.prisma.intakeDelivery.createMany({
      data: [row("a", "dead", 0), row("b", "dead", 0), row("c", "dead", 0)],
    });
    const aside = { ...spool, setAside: async () => ({ unreadable: 1, rejected: 2 }) };
    const { status, body } = await call(healthRoute(db, () => false, aside, limits));
    expect(status).toBe(200);
    expect(body).toMatchObject({
      status: "degraded",
      deadLetters: 3,
      spoolSetAside: { unreadable: 1, rejected: 2 },
    });
    expect(String(body.problem)).toMatch(/dead letters/);
  });
});
