/** The table of Finch checks agrees with the template format, and runs dependencies first. */
import { describe, expect, it } from "vitest";
import { CHECK_PRODUCT, FINCH_CHECKS } from "../../src/checklist/template-format.ts";
import { CHECKS } from "../../src/finch/check-definitions.ts";

describe("the check table", () => {
  it("has one entry per check of the template format", () => {
    expect(CHECKS.map((d) => d.check).sort()).toEqual([...FINCH_CHECKS].sort());
  });

  it("reads the product the template format names for each check", () => {
    for (const def of CHECKS) {
      expect(def.product).toBe(def.check === "none" ? null : CHECK_PRODUCT[def.check]);
    }
  });

  it("lists a check after the one it depends on", () => {
    const order = CHECKS.map((d) => d.check);
    for (const def of CHECKS) {
      if (def.dependsOn) expect(order.indexOf(def.dependsOn)).toBeLessThan(order.indexOf(def.check));
    }
    expect(CHECKS.filter((d) => d.dependsOn).map((d) => d.check)).toEqual([
      "individual",
      "employment_income",
      "pay_statement",
    ]);
  });
});
