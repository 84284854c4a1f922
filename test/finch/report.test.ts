/** The pure verdict rules of a verification. */
import { describe, expect, it } from "vitest";
import { getTemplate } from "../../src/checklist/template-registry.ts";
import {
  overallOutcome,
  type PermissionOutcome,
  type PermissionResultKind,
  reportSignature,
  setupStepsOf,
  storedOutcome,
} from "../../src/finch/report.ts";

const perm = (result: PermissionResultKind, key = "p"): PermissionOutcome => ({
  key,
  label: key,
  group: "G",
  fix: "Somewhere",
  where: "Somewhere",
  check: result === "unverifiable" ? "none" : "directory",
  result,
});

describe("overallOutcome", () => {
  it("verifies only a connected connection whose checkable permissions are all granted", () => {
    expect(overallOutcome("connected", [perm("granted"), perm("unverifiable"), perm("no_sample")])).toBe(
      "verified",
    );
    expect(overallOutcome("processing", [perm("granted")])).toBe("syncing");
    // A product Finch does not offer for the provider is a person's to confirm, not a missing permission.
    expect(overallOutcome("connected", [perm("granted"), perm("unsupported")])).toBe("verified");
    expect(overallOutcome("connected", [perm("unsupported"), perm("missing")])).toBe("missing");
    expect(overallOutcome("error_permissions", [perm("granted")])).toBe("missing");
    expect(overallOutcome("something_new", [perm("granted")])).toBe("error");
  });

  it("puts the customer's actionable problems first", () => {
    expect(overallOutcome("connected", [perm("retry"), perm("missing")])).toBe("missing");
    expect(overallOutcome("connected", [perm("not_in_scope")])).toBe("missing");
    expect(overallOutcome("connected", [perm("syncing"), perm("retry")])).toBe("retry");
    expect(overallOutcome("connected", [perm("blocked")])).toBe("syncing");
    expect(overallOutcome("reauth", [])).toBe("reauth");
    expect(overallOutcome("disconnected", [])).toBe("reauth");
    expect(overallOutcome("error_no_account_setup", [])).toBe("setup_required");
  });
});

describe("report helpers", () => {
  it("finds the guide's integration-user steps (Justworks: 1 and 2)", () => {
    expect(setupStepsOf(getTemplate("justworks"))).toEqual([
      { number: 1, title: "Add Fleet's integration user" },
      { number: 2, title: "Make the integration user an administrator" },
    ]);
  });

  it("changes its signature when any result changes, and stores outcomes only", () => {
    const base = { outcome: "verified" as const, connection: null, permissions: [perm("granted", "a")] };
    expect(reportSignature(base)).not.toBe(reportSignature({ ...base, permissions: [perm("missing", "a")] }));
    const stored = storedOutcome(
      {
        ...base,
        onboardingId: "o",
        companyName: "Acme",
        providerName: "Justworks",
        setupSteps: [],
        checkedAt: new Date(0),
        permissions: [perm("not_in_scope", "a")],
      },
      "conn",
    );
    expect(stored.permissions).toEqual([
      { key: "a", check: "directory", status: "missing", result: "not_in_scope" },
    ]);
  });
});
