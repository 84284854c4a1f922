/**
 * Issues #13 and #21, the Finch side, end to end over real HTTP: a Justworks customer connects while Finch's
 * first sync is still running and Finch does not offer benefits for Justworks. Justworks is an automated
 * provider, so Finch answers the reads live from the provider: 200s after a delay, not 202s. The thread says
 * "syncing" while Finch's status is `processing` (never a red cross, never an unticked step), the sync's
 * webhooks bring the verdict by themselves, and it ends "verified" with benefits left to a person.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StoredMessage } from "../../src/sandbox/slack/index.ts";
import {
  connect,
  dms,
  nthVerification,
  onboard,
  threadReplies,
  tickedItems,
  verifications,
} from "../finch/helpers.ts";
import { eventually, type Harness, REP, startHarness } from "../helpers/harness.ts";

const text = (m: StoredMessage) => `${m.text ?? ""} ${JSON.stringify(m.blocks ?? [])}`;
const payload = (m: StoredMessage) => m.metadata?.event_payload ?? {};

describe("Justworks with a slow first sync and no benefits at Finch", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h?.stop());

  it("says 'syncing' without a red cross, then ends verified by Finch's webhooks alone", async () => {
    const o = await onboard(h);
    const { connectionId } = await connect(h, o, { initialSync: { readDelayMs: 400 } });

    // Connect asked Finch only for what it offers, with the guide's auth method.
    const session = [...h.finch.sessions.values()].find((s) => s.customerId === o.id)!;
    expect(session.authMethod).toBe("credential");
    expect(session.products).not.toContain("benefits");
    expect(session.products).toEqual(expect.arrayContaining(["company", "directory", "payment"]));
    expect(h.finch.calls.some((c) => c.path === "/providers" && c.status === 200)).toBe(true);

    const first = await nthVerification(h, o, 1, 20_000);
    expect(payload(first)).toMatchObject({ outcome: "syncing", connection_status: "processing" });
    expect(text(first)).toContain("still syncing");
    // Finch's own words, from introspection (the connection's message, the method's status), go to the rep;
    // the customer's report speaks plainly.
    expect(text(first)).not.toContain("The initial data sync has not finished");
    expect(text(first)).not.toContain("credential");
    const repNote = await eventually(
      () => dms(h, REP.id).find((m) => (m.text ?? "").includes("The initial data sync has not finished")),
      5_000,
      "Finch's detail for the rep",
    );
    expect(repNote.text).toContain("credential: `processing`");
    expect(text(first)).toContain("Manage company benefits — Finch can't see this one");
    // Live reads: the data came back (200) during the first sync, slowly; no read was answered 202.
    const reads = h.finch.calls.filter((c) => c.path.startsWith("/employer/"));
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.every((c) => c.status === 200)).toBe(true);
    expect(text(first)).toContain("View company info — checked by Fleet through Finch");
    // While the sync runs, only what a live read proved may tick; the connection itself is not verified yet.
    const proven = [
      "hr-view-basic",
      "hr-view-all",
      "settings-view-company",
      "payments-view",
      "payments-financial-reports",
    ];
    const whileSyncing = tickedItems(h, o);
    const tickedNow = [...whileSyncing].filter(([, done]) => done).map(([key]) => key);
    expect(tickedNow.every((key) => proven.includes(key))).toBe(true);
    expect(whileSyncing.get("connect")).toBe(false);

    // The first sync finishes: Finch sends its job and account webhooks; nobody presses anything.
    for (const event of h.finch.finishInitialSync(connectionId)) {
      const res = await h.finch.sendWebhook(
        `${h.app.url}/finch/webhooks`,
        h.secrets.finchWebhookSecret,
        event,
      );
      expect(res.status).toBe(200);
    }
    const last = await eventually(
      () => verifications(h, o).find((m) => payload(m).outcome === "verified"),
      20_000,
      "the verified report",
    );
    expect(text(last)).toContain("connected and verified");
    expect(text(last)).toContain("View company info — checked by Fleet through Finch");
    expect(text(last)).toContain("View basic employee info — checked by Fleet through Finch");
    expect(text(last)).toContain("View payments — checked by Fleet through Finch");
    expect(text(last)).toContain("Manage company benefits — Finch can't see this one");

    // Never a red cross, and nothing that was ticked opened again.
    for (const m of threadReplies(h, o)) expect(text(m)).not.toContain(":x:");
    const ticked = await eventually(
      () => {
        const t = tickedItems(h, o);
        return ["add-user", "grant-admin", "connect", "hr-view-basic"].every((k) => t.get(k)) ? t : null;
      },
      10_000,
      "the proven items ticked",
    );
    expect(ticked.get("benefits-manage")).toBe(false);
    expect(ticked.get("settings-edit-employee-permissions")).toBe(false);
  });
});
