/** Who holds the integration user's login: whoever reads its mailbox. */
import { describe, expect, it } from "vitest";
import {
  DEFAULT_INTEGRATION_EMAIL,
  loginHolderOf,
  withLoginHolder,
} from "../../src/checklist/login-holder.ts";
import { getTemplate } from "../../src/checklist/template-registry.ts";

describe("loginHolderOf", () => {
  it("is Fleet for an address at INTEGRATION_USER_EMAIL's domain, the customer otherwise", () => {
    const fleet = "integrations+{slug}@fleet.example";
    expect(loginHolderOf("integrations+acme@fleet.example", fleet)).toBe("fleet");
    expect(loginHolderOf("Integrations+Acme@FLEET.example ", fleet)).toBe("fleet");
    expect(loginHolderOf("it-admin@acme.example", fleet)).toBe("customer");
    // A look-alike subdomain is not Fleet's mailbox.
    expect(loginHolderOf("x@fleet.example.evil.test", fleet)).toBe("customer");
    expect(loginHolderOf("integrations+acme@fleet.example", undefined)).toBe("fleet");
    expect(DEFAULT_INTEGRATION_EMAIL).toContain("{slug}");
  });
});

describe("withLoginHolder", () => {
  it("words Justworks for the holder and leaves placeholders for the renderer", () => {
    const fleet = withLoginHolder(getTemplate("justworks"), "fleet");
    const customer = withLoginHolder(getTemplate("justworks"), "customer");
    const step5 = (t: typeof fleet) => t.steps.find((s) => s.key === "note-details")?.instructions ?? "";
    expect(step5(fleet)).toContain("Fleet's mailbox for your account");
    expect(step5(customer)).toContain("a mailbox at your company");
    expect(step5(fleet)).toContain("{integrationUserEmail}");
    expect(step5(fleet)).not.toContain("{loginHolderNote}");
    expect(fleet.callPrep.map((i) => i.label)).not.toContain("Temporary password");
    expect(customer.callPrep.map((i) => i.label)).toContain("Temporary password");
    // A template without holder texts is returned as it is.
    expect(withLoginHolder(getTemplate("bamboo_hr"), "customer")).toBe(getTemplate("bamboo_hr"));
  });
});
