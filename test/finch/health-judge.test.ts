/** Judging a verified connection's health from introspect: each problem, its order, and the fix it names. */
import { describe, expect, it } from "vitest";
import { healthReason, judgeHealth, lastSyncByProduct } from "../../src/finch/health.ts";

const NOW = new Date("2026-03-18T12:00:00Z");
const EXPECTED = ["company", "directory", "payment"];
const healthy = {
  status: "connected",
  products: ["company", "directory", "payment", "benefits"],
  lastSuccessfulSync: "2026-03-18T02:00:00Z",
};

describe("judgeHealth", () => {
  it("is healthy when connected, every product there and synced lately", () => {
    expect(judgeHealth(healthy, EXPECTED, NOW, 3)).toBeNull();
    expect(judgeHealth({ ...healthy, status: "pending" }, EXPECTED, NOW, 3)).toBeNull();
  });

  it("names disconnect and reauth first, whatever else is wrong", () => {
    expect(judgeHealth({ ...healthy, status: "disconnected", products: [] }, EXPECTED, NOW, 3)).toEqual({
      kind: "disconnected",
      products: [],
    });
    expect(judgeHealth({ ...healthy, status: "reauth" }, EXPECTED, NOW, 3)?.kind).toBe("reauth");
  });

  it("names products that disappeared, and a lost permission", () => {
    expect(judgeHealth({ ...healthy, products: ["company"] }, EXPECTED, NOW, 3)).toEqual({
      kind: "lost_access",
      products: ["directory", "payment"],
    });
    expect(judgeHealth({ ...healthy, status: "error_permissions" }, EXPECTED, NOW, 3)).toEqual({
      kind: "lost_access",
      products: [],
    });
  });

  it("finds stale products by their method's last successful sync", () => {
    const reading = {
      ...healthy,
      lastSuccessfulSync: "2026-03-18T02:00:00Z",
      methods: [
        { products: ["company", "directory"], lastSuccessfulSync: "2026-03-17T00:00:00Z" },
        { products: ["payment"], lastSuccessfulSync: "2026-03-10T00:00:00Z" },
      ],
    };
    expect(lastSyncByProduct(reading, ["payment", "company"]).get("payment")?.toISOString()).toBe(
      "2026-03-10T00:00:00.000Z",
    );
    const problem = judgeHealth(reading, EXPECTED, NOW, 3);
    expect(problem).toEqual({
      kind: "stale_sync",
      products: ["payment"],
      lastSync: new Date("2026-03-10T00:00:00Z"),
    });
    expect(judgeHealth(reading, EXPECTED, NOW, 10)).toBeNull();
    // Without per-method times the connection's own time counts.
    expect(
      judgeHealth({ ...healthy, lastSuccessfulSync: "2026-03-01T00:00:00Z" }, EXPECTED, NOW, 3)?.products,
    ).toEqual(EXPECTED);
  });

  it("says the exact fix", () => {
    const input = { providerName: "Gusto", integrationUserEmail: "int@fleet.example", staleDays: 3 };
    expect(healthReason({ kind: "reauth", products: [] }, input)).toContain("Fix: click Reconnect Gusto");
    const lost = healthReason({ kind: "lost_access", products: ["payment"] }, input);
    expect(lost).toContain("Fleet lost access to payment in Gusto");
    expect(lost).toContain("int@fleet.example");
    expect(
      healthReason(
        { kind: "stale_sync", products: ["payment"], lastSync: new Date("2026-03-10T00:00:00Z") },
        input,
      ),
    ).toContain("(last on 2026-03-10)");
  });
});
