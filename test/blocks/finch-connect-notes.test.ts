/** The notes a Finch verification and a returning Finch Connect leave in Slack, from one pure builder. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { connectNotes, reauthReason, tickNotes } from "../../src/blocks/finch-connect-notes.ts";

const ROOT = join(import.meta.dirname, "..", "..");

describe("Finch notes", () => {
  it("tick notes carry the check's day", () => {
    expect(tickNotes.verified).toBe("verified by Finch");
    expect(tickNotes.foundMissing("2026-04-01")).toBe("Finch found it missing on 2026-04-01; see the thread");
    expect(tickNotes.lostAccess("2026-04-01")).toBe("Finch lost access on 2026-04-01; reconnect needed");
  });

  it("a Reconnect link says why, from the connection's status", () => {
    expect(reauthReason({ status: "disconnected" })).toMatch(/closed on the provider's or Finch's side/);
    expect(reauthReason({ status: "reauth" })).toMatch(/^Finch can no longer sign in/);
    expect(reauthReason({ status: null })).toMatch(/^Finch can no longer sign in/);
  });

  it("the rep hears the company and Finch's answer", () => {
    expect(connectNotes.cancelledRep("Acme", "user_closed")).toContain("*Acme* was cancelled (user_closed)");
    expect(connectNotes.refusedRep("Acme", { kind: "invalid_grant", status: 400 })).toContain(
      "(invalid_grant, 400)",
    );
    expect(connectNotes.refusedRep("Acme", { kind: "invalid_grant" })).toContain("(invalid_grant)");
  });

  it("verify.ts and connect-callback.ts write none of these sentences themselves", () => {
    for (const file of ["src/finch/verify.ts", "src/finch/connect-callback.ts"]) {
      const text = readFileSync(join(ROOT, file), "utf8");
      expect(text, file).not.toMatch(
        /verified by Finch|found it missing|lost access on|:information_source:|:warning:/,
      );
    }
  });
});
