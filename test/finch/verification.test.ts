/**
 * Verification of a Finch connection over real HTTP, against the Finch and Slack stand-ins: what the
 * checklist's thread says, which items tick (or untick), what the rep is told, and the re-check paths
 * (button, command, webhook, polling).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/context.ts";
import { startFinchPolling } from "../../src/finch/polling.ts";
import { buildAccountUpdatedEvent, buildJobSucceededEvent } from "../../src/sandbox/finch/index.ts";
import { ActionId, MetadataEventType } from "../../src/slack-gateway/ids.ts";
import { eventually, type Harness, HOME_TEAM, HR, REP, startHarness } from "../helpers/harness.ts";
import {
  connect,
  dms,
  FINCH_STEPS,
  nthVerification,
  type Onboarded,
  onboard,
  threadReplies,
  tickedItems,
  verifications,
} from "./helpers.ts";

/** Justworks' permissions with a read-only check on a product Finch offers for Justworks (not benefits). */
const ALL_CHECKED_PERMISSIONS = [
  "hr-view-basic",
  "hr-view-all",
  "settings-view-company",
  "payments-view",
  "payments-financial-reports",
];

describe("Finch verification", () => {
  let h: Harness;
  const clock = new ManualClock();
  const webhooksUrl = () => `${h.app.url}/finch/webhooks`;
  const sendWebhook = (event: Parameters<Harness["finch"]["sendWebhook"]>[2]) =>
    h.finch.sendWebhook(webhooksUrl(), h.secrets.finchWebhookSecret, event);
  const blocksText = (m: { blocks?: unknown[] }) => JSON.stringify(m.blocks ?? []);
  const payload = (m: { metadata?: { event_payload: Record<string, unknown> } }) =>
    m.metadata?.event_payload ?? {};
  const connectionOf = (o: Onboarded) =>
    h.db.prisma.finchConnection.findUniqueOrThrow({ where: { onboardingId: o.id } });

  beforeAll(async () => {
    h = await startHarness({ clock });
  });
  afterAll(async () => h?.stop());

  it("all granted: the thread reports a verified connection and every proven item ticks itself", async () => {
    const o = await onboard(h);
    const { page } = await connect(h, o);
    expect(page.status).toBe(200);
    expect(page.html).toContain("Connected — you can return to Slack");

    const report = await nthVerification(h, o, 1);
    expect(report.thread_ts).toBe(o.checklistTs);
    expect(payload(report)).toMatchObject({
      onboarding_id: o.id,
      outcome: "verified",
      connection_status: "connected",
    });
    expect(blocksText(report)).toContain("connected and verified");
    expect(blocksText(report)).toContain("*Provider:* Justworks");
    expect(blocksText(report)).toContain(`*Company:* ${o.company}`);
    // Boxes Finch cannot read are named, in the headline too, with the step where the customer ticks them.
    expect(blocksText(report)).toContain("Finch can't see this one: tick it in step 3 once it's on");
    expect(blocksText(report)).toMatch(/connected and verified\.\* \w+ things? left for you: tick \*/);
    expect(blocksText(report)).not.toContain("thank you");

    const ticked = await eventually(
      () => {
        const t = tickedItems(h, o);
        return [...ALL_CHECKED_PERMISSIONS, ...FINCH_STEPS].every((k) => t.get(k)) ? t : null;
      },
      10_000,
      "every proven item ticked",
    );
    // A person confirms these; Finch must not tick them (benefits: Finch offers no benefits for Justworks).
    expect(ticked.get("benefits-manage")).toBe(false);
    expect(ticked.get("hr-documents")).toBe(false);
    expect(ticked.get("hr-manage")).toBe(false);
    // The login details were for Connect: a verified connection proves them.
    expect(ticked.get("note-details")).toBe(true);
    const state = await h.db.prisma.stepState.findUniqueOrThrow({
      where: { onboardingId_itemKey: { onboardingId: o.id, itemKey: "connect" } },
    });
    expect(state).toMatchObject({ done: true, source: "finch", note: "verified by Finch" });

    const connection = await connectionOf(o);
    expect(connection).toMatchObject({ status: "connected" });
    expect(connection.verifiedAt).not.toBeNull();
    // Verified: the slow re-check introspects it again a day later.
    expect(connection.nextPollAt!.getTime() - connection.verifiedAt!.getTime()).toBe(86_400_000);
    const stored = await h.db.prisma.verification.findFirstOrThrow({ where: { onboardingId: o.id } });
    expect(stored).toMatchObject({ status: "verified", trigger: "callback" });
    // The session Finch saw: our onboarding as customer, the template's products, the provider.
    expect(h.finch.connection(o.id)).toMatchObject({
      customerId: o.id,
      customerName: o.company,
      providerId: "justworks",
      // Only what Finch's GET /providers offers for Justworks: no benefits.
      products: ["company", "directory", "individual", "employment", "payment", "pay_statement"],
    });
    // Nothing failed, so the rep got no failure message about it.
    expect(dms(h, REP.id).filter((m) => m.text.includes(o.company) && m.text.includes(":warning:"))).toEqual(
      [],
    );
  });

  it("payment and company denied: names each missing permission with its fix, tells the rep, then re-check clears it", async () => {
    const o = await onboard(h);
    const { connectionId } = await connect(h, o, { deniedProducts: ["payment", "company"] });
    const report = await nthVerification(h, o, 1);
    const text = blocksText(report);
    // One read proves one permission: two denied products, two missing permissions.
    expect(payload(report)).toMatchObject({ outcome: "missing", missing: 2 });
    expect(text).not.toContain("connected and verified");
    expect(text).toContain("permissions are missing");
    for (const [label, fix] of [
      ["View company info", "Company &gt; Permissions &gt; Settings"],
      ["View payments", "Company &gt; Permissions &gt; Payments"],
    ]) {
      expect(text).toContain(`*${label}* — *missing*. Turn it on in Justworks: _${fix}_`);
    }
    expect(text).toContain("View basic employee info — checked by Fleet through Finch");
    const rep = await eventually(
      () => dms(h, REP.id).find((m) => m.text.includes(o.company) && m.text.includes("missing")),
      5_000,
      "the rep's note",
    );
    expect(rep.text).toContain("View company info");
    expect(rep.text).toContain("View payments");
    const t = tickedItems(h, o);
    expect(t.get("payments-view")).toBe(false);
    expect(t.get("settings-view-company")).toBe(false);
    expect(t.get("connect")).toBe(false);
    expect(t.get("hr-view-basic")).toBe(true);

    // The customer fixes it in Justworks and presses Re-check (as the HR admin, from their workspace).
    h.finch.setConnection(connectionId, { deniedProducts: [] });
    clock.advance(11_000);
    const click = await h.driver.blockActions({
      user: { id: HR.id, teamId: HR.teamId },
      channelId: o.channelId,
      message: report,
      actions: [{ action_id: ActionId.recheck }],
    });
    expect(click.status).toBe(200);
    const second = await nthVerification(h, o, 2);
    expect(payload(second)).toMatchObject({ outcome: "verified" });
    await eventually(
      () => ALL_CHECKED_PERMISSIONS.every((k) => tickedItems(h, o).get(k)),
      10_000,
      "all ticked",
    );

    // Later the company permission disappears: Finch's webhook leads to an untick with the reason.
    h.finch.setConnection(connectionId, { deniedProducts: ["company"] });
    const res = await sendWebhook(
      buildAccountUpdatedEvent(h.finch.connection(connectionId)!, "error_permissions"),
    );
    expect(res.status).toBe(200);
    const third = await nthVerification(h, o, 3);
    expect(payload(third)).toMatchObject({ outcome: "missing", missing: 1 });
    expect(blocksText(third)).toContain("*View company info* — *missing*");
    await eventually(
      () => tickedItems(h, o).get("settings-view-company") === false,
      10_000,
      "company settings unticked",
    );
    const state = await h.db.prisma.stepState.findUniqueOrThrow({
      where: { onboardingId_itemKey: { onboardingId: o.id, itemKey: "settings-view-company" } },
    });
    expect(state).toMatchObject({ done: false, source: "finch" });
    expect(state.note).toMatch(/^Finch found it missing on \d{4}-\d{2}-\d{2}/);
    const checklist = h.slack.messages(o.channelId).find((m) => m.ts === o.checklistTs)!;
    expect(blocksText(checklist)).toContain("⚠️ Finch found it missing");
  });

  it("a customer from another workspace cannot re-check", async () => {
    const o = await onboard(h);
    await connect(h, o);
    const report = await nthVerification(h, o, 1);
    clock.advance(11_000);
    await h.driver.blockActions({
      user: { id: "U0STRANGER", teamId: "T0OTHER" },
      channelId: o.channelId,
      message: report,
      actions: [{ action_id: ActionId.recheck }],
    });
    await eventually(
      async () =>
        (await h.db.prisma.auditEvent.count({
          where: { action: "finch.recheck_refused", onboardingId: o.id },
        })) === 1,
      5_000,
      "refusal audited",
    );
    expect(verifications(h, o)).toHaveLength(1);
  });

  it("reauth from a webhook posts a never-stale Reconnect link; reconnecting replaces the token and re-verifies", async () => {
    const o = await onboard(h);
    const first = await connect(h, o);
    await nthVerification(h, o, 1);
    await eventually(() => tickedItems(h, o).get("connect"), 10_000, "connected");
    const before = await connectionOf(o);

    h.finch.setConnection(first.connectionId, { status: "reauth" });
    await sendWebhook(buildAccountUpdatedEvent(h.finch.connection(first.connectionId)!, "reauth"));
    const link = await eventually(
      () => threadReplies(h, o).find((m) => m.metadata?.event_type === MetadataEventType.connectLink),
      10_000,
      "the reconnect link",
    );
    expect(link.metadata?.event_payload).toMatchObject({ onboarding_id: o.id, kind: "reconnect" });
    expect(link.reply_broadcast).toBe(true);
    const url = /"url":"([^"]+)"/.exec(blocksText(link))?.[1] ?? "";
    expect(url).toMatch(new RegExp(`^${h.app.ctx.publicUrl}reconnect/[0-9a-f]{32}\\.[A-Za-z0-9_-]{22}$`));
    await eventually(() => tickedItems(h, o).get("connect") === false, 10_000, "connect step unticked");
    await eventually(
      () => dms(h, REP.id).some((m) => m.text.includes(o.company) && m.text.includes("reconnected")),
      5_000,
      "rep told",
    );
    expect((await connectionOf(o)).status).toBe("reauth");

    // The same webhook again changes nothing and posts nothing new.
    await sendWebhook(buildAccountUpdatedEvent(h.finch.connection(first.connectionId)!, "reauth"));
    await new Promise((r) => setTimeout(r, 300));
    expect(
      threadReplies(h, o).filter((m) => m.metadata?.event_type === MetadataEventType.connectLink),
    ).toHaveLength(1);

    // The customer clicks Reconnect: a reauthentication session for the same connection.
    const again = await connect(h, o, {}, url);
    expect(again.page.status).toBe(200);
    expect(again.connectionId).toBe(first.connectionId);
    const session = await h.db.prisma.finchConnectSession.findFirstOrThrow({
      where: { onboardingId: o.id },
      orderBy: { createdAt: "desc" },
    });
    expect(session.kind).toBe("reauth");
    const after = await connectionOf(o);
    expect(after.tokenCiphertext).not.toBe(before.tokenCiphertext);
    const report = await nthVerification(h, o, 2);
    expect(payload(report)).toMatchObject({ outcome: "verified" });
    await eventually(() => tickedItems(h, o).get("connect"), 10_000, "connect ticked again");
  });

  it("a 401 reauthenticate_user during /fleet verify starts the reconnect flow", async () => {
    const o = await onboard(h);
    await connect(h, o);
    await nthVerification(h, o, 1);
    h.finch.injectFault({ path: "/employer/company", status: 401, code: "reauthenticate_user" });
    const res = await h.driver.command({
      text: "verify",
      userId: REP.id,
      teamId: HOME_TEAM.id,
      channelId: o.channelId,
    });
    const answer = (await h.driver.waitForResponse(res.responseUrl, 10_000)) as { text: string };
    expect(answer.text).toContain("needs to be reconnected");
    await eventually(
      () => threadReplies(h, o).find((m) => m.metadata?.event_payload?.kind === "reconnect"),
      10_000,
      "reconnect link",
    );
  });

  it("error_no_account_setup explains the third-party admin set-up (guide steps 1–2)", async () => {
    const o = await onboard(h);
    await connect(h, o, { status: "error_no_account_setup" });
    const report = await nthVerification(h, o, 1);
    expect(payload(report)).toMatchObject({ outcome: "setup_required" });
    const text = blocksText(report);
    expect(text).toContain("third-party administrator");
    expect(text).toContain("Step 1 · Add Fleet's integration user");
    expect(text).toContain("Step 2 · Make the integration user an administrator");
    await eventually(
      () => dms(h, REP.id).some((m) => m.text.includes(o.company) && m.text.includes("third-party admin")),
      5_000,
      "rep told",
    );
    expect(tickedItems(h, o).get("add-user")).toBe(false);
  });

  it("a 401 account_setup_required on a read is explained the same way", async () => {
    const o = await onboard(h);
    h.finch.injectFault({ path: "/employer/company", status: 401, code: "account_setup_required" });
    await connect(h, o);
    const report = await nthVerification(h, o, 1);
    expect(payload(report)).toMatchObject({ outcome: "setup_required" });
    expect(blocksText(report)).toContain("Step 2 · Make the integration user an administrator");
    expect((await connectionOf(o)).status).toBe("error_no_account_setup");
  });

  it("pending, then connected through a webhook", async () => {
    const o = await onboard(h);
    const { connectionId } = await connect(h, o, { status: "pending" });
    const first = await nthVerification(h, o, 1);
    expect(payload(first)).toMatchObject({ outcome: "syncing", connection_status: "pending" });
    expect(blocksText(first)).toContain("still syncing");
    expect(tickedItems(h, o).get("connect")).toBe(false);

    h.finch.setConnection(connectionId, { status: "connected" });
    const res = await sendWebhook(buildAccountUpdatedEvent(h.finch.connection(connectionId)!, "connected"));
    expect(res.status).toBe(200);
    const second = await nthVerification(h, o, 2);
    expect(payload(second)).toMatchObject({ outcome: "verified" });
    await eventually(() => FINCH_STEPS.every((k) => tickedItems(h, o).get(k)), 10_000, "steps ticked");
    // The sync job's event afterwards changes nothing, so nothing new is posted.
    await sendWebhook(buildJobSucceededEvent(h.finch.connection(connectionId)!));
    await new Promise((r) => setTimeout(r, 300));
    expect(verifications(h, o)).toHaveLength(2);
  });

  it("still syncing (202) is polled: backing off while unchanged, verified once the data is there", async () => {
    const o = await onboard(h);
    const { connectionId } = await connect(h, o, {}, undefined, (done) =>
      h.finch.setConnection(done.connectionId, { syncingProducts: ["payment", "pay_statement"] }),
    );
    const syncing = await nthVerification(h, o, 1);
    expect(payload(syncing)).toMatchObject({ outcome: "syncing", connection_status: "connected" });
    expect(blocksText(syncing)).toContain("View payments — still syncing");
    const count = verifications(h, o).length;
    const poller = startFinchPolling(h.app.ctx, { intervalMs: 3_600_000 });
    try {
      const before = await connectionOf(o);
      expect(before.pollIntervalSec).toBe(60);
      clock.advance(61_000);
      await poller.runOnce();
      const backedOff = await connectionOf(o);
      expect(backedOff.pollIntervalSec).toBe(120);
      expect(verifications(h, o)).toHaveLength(count); // unchanged: nothing new posted

      h.finch.setConnection(connectionId, { syncingProducts: [] });
      await poller.runOnce(); // not due yet
      expect(verifications(h, o)).toHaveLength(count);
      clock.advance(121_000);
      await poller.runOnce();
      const done = await nthVerification(h, o, count + 1);
      expect(payload(done)).toMatchObject({ outcome: "verified" });
      // Verified: re-checked (slowly) a day later.
      const next = (await connectionOf(o)).nextPollAt!.getTime() - clock.now().getTime();
      expect(next).toBeGreaterThan(86_400_000 - 10_000);
      expect(next).toBeLessThanOrEqual(86_400_000);
    } finally {
      await poller.stop();
    }
  });

  it("a 5xx then success: the SDK's retry makes it invisible", async () => {
    const o = await onboard(h);
    h.finch.injectFault({ path: "/introspect", status: 500, times: 1 });
    await connect(h, o);
    const report = await nthVerification(h, o, 1);
    expect(payload(report)).toMatchObject({ outcome: "verified" });
    expect(
      h.finch.calls.filter((c) => c.path === "/introspect" && c.status === 500).length,
    ).toBeGreaterThanOrEqual(1);
  });

  it("Finch unreachable after retries: the thread says it will re-check, and the poller does", async () => {
    const o = await onboard(h);
    h.finch.injectFault({ path: "/introspect", status: 503, times: 3 });
    await connect(h, o);
    const report = await nthVerification(h, o, 1, 20_000);
    expect(payload(report)).toMatchObject({ outcome: "retry" });
    expect(blocksText(report)).toContain("will re-check automatically");
    await eventually(
      () => dms(h, REP.id).some((m) => m.text.includes(o.company) && m.text.includes("could not be reached")),
      5_000,
      "rep told",
    );
    const poller = startFinchPolling(h.app.ctx, { intervalMs: 3_600_000 });
    try {
      clock.advance(61_000);
      await poller.runOnce();
      const second = await nthVerification(h, o, 2);
      expect(payload(second)).toMatchObject({ outcome: "verified" });
    } finally {
      await poller.stop();
    }
  }, 30_000);

  it("/fleet link posts the Connect link in the customer channel; /fleet verify answers when not connected", async () => {
    const o = await onboard(h);
    const res = await h.driver.command({
      text: "link",
      userId: REP.id,
      teamId: HOME_TEAM.id,
      channelId: o.channelId,
    });
    const answer = (await h.driver.waitForResponse(res.responseUrl, 10_000)) as { text: string };
    expect(answer.text).toContain("Posted the Justworks Connect link");
    const link = h.slack
      .messages(o.channelId)
      .find((m) => m.metadata?.event_type === MetadataEventType.connectLink);
    expect(link?.metadata?.event_payload).toEqual({
      onboarding_id: o.id,
      kind: "connect",
      idempotency_key: expect.any(String),
    });
    expect(blocksText(link!)).toContain(`${h.app.ctx.publicUrl}connect/`);
    expect(
      await h.db.prisma.slackMessage.count({
        where: { onboardingId: o.id, kind: "connect_link", ts: link!.ts },
      }),
    ).toBe(1);

    const verify = await h.driver.command({
      text: "verify",
      userId: REP.id,
      teamId: HOME_TEAM.id,
      channelId: o.channelId,
    });
    expect(((await h.driver.waitForResponse(verify.responseUrl, 10_000)) as { text: string }).text).toContain(
      "not connected",
    );
    // The customer's HR admin may not run rep commands.
    const refused = await h.driver.command({
      text: "link",
      userId: HR.id,
      teamId: HR.teamId,
      channelId: o.channelId,
    });
    expect(JSON.stringify(refused.body)).toContain("Fleet's team");
  });

  it("/fleet disconnect: a confirmation, then account.disconnect(), the token deleted, a thread note and an audit", async () => {
    const o = await onboard(h);
    const { connectionId } = await connect(h, o);
    await nthVerification(h, o, 1);
    await eventually(() => tickedItems(h, o).get("connect"), 10_000, "connected");

    const res = await h.driver.command({
      text: `disconnect ${o.company}`,
      userId: REP.id,
      teamId: HOME_TEAM.id,
      channelId: o.channelId,
    });
    const confirmation = (await h.driver.waitForResponse(res.responseUrl, 10_000)) as { blocks: unknown[] };
    expect(JSON.stringify(confirmation.blocks)).toContain(ActionId.confirmDisconnect);

    // Someone outside Fleet replaying the button is refused, and nothing changes.
    const forged = await h.driver.blockActions({
      user: { id: HR.id, teamId: HR.teamId },
      channelId: o.channelId,
      message: { ts: "1700000000.000100", blocks: confirmation.blocks },
      isEphemeral: true,
      actions: [{ action_id: ActionId.confirmDisconnect }],
    });
    expect(((await h.driver.waitForResponse(forged.responseUrl, 10_000)) as { text: string }).text).toContain(
      "Fleet's team",
    );
    expect(await h.db.prisma.finchConnection.count({ where: { onboardingId: o.id } })).toBe(1);

    const click = await h.driver.blockActions({
      user: { id: REP.id, teamId: HOME_TEAM.id },
      channelId: o.channelId,
      message: { ts: "1700000000.000100", blocks: confirmation.blocks },
      isEphemeral: true,
      actions: [{ action_id: ActionId.confirmDisconnect }],
    });
    const done = (await h.driver.waitForResponse(click.responseUrl, 10_000)) as {
      text: string;
      replace_original: boolean;
    };
    expect(done.text).toContain("Disconnected Justworks");
    expect(done.replace_original).toBe(true);
    expect(await h.db.prisma.finchConnection.count({ where: { onboardingId: o.id } })).toBe(0);
    expect(h.finch.connection(connectionId)?.status).toBe("disconnected");
    expect(h.finch.calls.some((c) => c.path === "/disconnect" && c.status === 200)).toBe(true);
    await eventually(
      () => threadReplies(h, o).some((m) => m.text.includes("disconnected Justworks")),
      5_000,
      "note",
    );
    await eventually(() => tickedItems(h, o).get("connect") === false, 5_000, "connect unticked");
    const audit = await h.db.prisma.auditEvent.findFirstOrThrow({
      where: { onboardingId: o.id, action: "finch.disconnected" },
    });
    expect(audit.actorUserId).toBe(REP.id);

    // A forged value (an onboarding that does not exist) does nothing.
    const bogus = await h.driver.blockActions({
      user: { id: REP.id, teamId: HOME_TEAM.id },
      channelId: o.channelId,
      message: { ts: "1700000000.000100", blocks: [] },
      isEphemeral: true,
      actions: [{ action_id: ActionId.confirmDisconnect, value: "00000000-0000-4000-8000-000000000000" }],
    });
    expect(((await h.driver.waitForResponse(bogus.responseUrl, 10_000)) as { text: string }).text).toContain(
      "no longer exists",
    );
  });
});
