/** The verdict of a verification from what was gathered: pure, no Finch, no database. */
import { describe, expect, it } from "vitest";
import type { FinchCheck } from "../../src/checklist/template-format.ts";
import { getTemplate } from "../../src/checklist/template-registry.ts";
import type { CheckResult, CheckRun } from "../../src/finch/checks.ts";
import { type Gathered, isUnsupported, judge } from "../../src/finch/verify-judge.ts";

const template = getTemplate("justworks");
const permissions = template.steps.flatMap((s) => s.permissions);
const now = new Date("2026-03-02T15:00:00Z");

function gathered(over: Partial<Gathered> & { status?: string | null } = {}): Gathered {
  const { status = "connected", ...rest } = over;
  return {
    facts: { status, entities: [], message: null, methods: [], providerId: "justworks", products: [] },
    forced: null,
    run: null,
    offered: null,
    ...rest,
  };
}

function allRead(result: CheckResult["result"], abort?: CheckRun["abort"]): CheckRun {
  const results = new Map<FinchCheck, CheckResult>();
  for (const p of permissions) if (p.check !== "none") results.set(p.check, { result });
  return { results, failures: [], ...(abort ? { abort } : {}) };
}

const run = (g: Gathered) => judge({ onboardingId: "o1", companyName: "Acme", template, gathered: g, now });

describe("judge", () => {
  it("verifies when every read check is granted, and leaves 'none' checks to a person", () => {
    const { report, status } = run(gathered({ run: allRead("granted") }));
    expect(status).toBe("connected");
    expect(report.outcome).toBe("verified");
    expect(report.permissions).toHaveLength(permissions.length);
    const none = report.permissions.filter((p) => p.check === "none");
    expect(none.length).toBeGreaterThan(0);
    expect(none.every((p) => p.result === "unverifiable")).toBe(true);
    expect(report.connection).toMatchObject({ status: "connected", providerId: "justworks" });
    expect(report.checkedAt).toBe(now);
  });

  it("says missing when one read came back 403", () => {
    const reads = allRead("granted");
    reads.results.set("payment", { result: "missing" });
    expect(run(gathered({ run: reads })).report.outcome).toBe("missing");
  });

  it("counts a check Finch does not read for the provider as unsupported, whatever the reads say", () => {
    const offered = new Set(["directory", "individual", "company", "payment"]);
    expect(isUnsupported("pay_statement", offered)).toBe(true);
    expect(isUnsupported("directory", offered)).toBe(false);
    expect(isUnsupported("none", offered)).toBe(false);
    expect(isUnsupported("pay_statement", null)).toBe(false);
    const { report } = run(gathered({ run: allRead("missing"), offered }));
    expect(report.permissions.find((p) => p.check === "pay_statement")?.result).toBe("unsupported");
  });

  it("turns an abort into the connection's status, with no permission outcomes", () => {
    const reauth = run(gathered({ run: allRead("granted", "reauth") }));
    expect(reauth.status).toBe("reauth");
    expect(reauth.report.outcome).toBe("reauth");
    expect(reauth.report.permissions).toEqual([]);
    const setup = run(gathered({ run: allRead("granted", "setup_required") }));
    expect(setup.status).toBe("error_no_account_setup");
    expect(setup.report.outcome).toBe("setup_required");
  });

  it("marks every readable check 'retry' when Finch was briefly unreachable", () => {
    const { report, status } = run(gathered({ status: null, forced: "retry" }));
    expect(status).toBeNull();
    expect(report.outcome).toBe("retry");
    expect(report.connection).toBeNull();
    const read = report.permissions.filter((p) => p.check !== "none");
    expect(read.every((p) => p.result === "retry")).toBe(true);
  });

  it("reports an error with no outcomes when the token could not be read", () => {
    const { report } = run(gathered({ status: null, forced: "error" }));
    expect(report.outcome).toBe("error");
    expect(report.permissions).toEqual([]);
  });

  it("names a check that was wanted but not read as an error, not a pass", () => {
    const reads = allRead("granted");
    reads.results.delete("company");
    const company = run(gathered({ run: reads })).report.permissions.find((p) => p.check === "company");
    expect(company).toMatchObject({ result: "error", detail: "not checked" });
  });
});
