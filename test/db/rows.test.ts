/**
 * The hot reads through the driver (src/db/rows.ts, src/onboarding/checklist-reads.ts, lookup.ts, status.ts)
 * against Prisma's reads of the same records, on both databases: a renamed column or a value parsed
 * differently (a timestamp as text, a count as a string) fails here.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppMemory } from "../../src/app-memory.ts";
import { audit } from "../../src/audit/audit.ts";
import type { AppContext } from "../../src/context.ts";
import type { Database } from "../../src/db/client.ts";
import { camelJsonRows, camelRow } from "../../src/db/rows.ts";
import { createLogger } from "../../src/logger.ts";
import { celebrationFacts, renderFacts, tickTargetByChannel } from "../../src/onboarding/checklist-reads.ts";
import { recordItemChange } from "../../src/onboarding/checklist-service.ts";
import { onboardingByChannel, resolveOnboarding } from "../../src/onboarding/lookup.ts";
import { statusFacts } from "../../src/onboarding/status.ts";
import { DB_KINDS, openTestDatabase } from "../helpers/db.ts";

const byKey = <T extends { itemKey: string }>(rows: T[]) =>
  [...rows].sort((a, b) => a.itemKey.localeCompare(b.itemKey));

describe("camelRow", () => {
  it("renames snake_case columns and keeps the values", () => {
    const at = new Date();
    expect(camelRow({ checklist_ts: "1.2", call_at: at, done: true, n: 1 })).toEqual({
      checklistTs: "1.2",
      callAt: at,
      done: true,
      n: 1,
    });
    expect(camelJsonRows('[{"changed_at":"2026-11-29T05:00:00.123+00:00"}]', ["changedAt"])).toEqual([
      { changedAt: new Date("2026-11-29T05:00:00.123Z") },
    ]);
    expect(camelJsonRows(null)).toEqual([]);
  });
});

describe.each(DB_KINDS)("driver reads match Prisma's (%s)", (kind) => {
  let db: Database;
  let ctx: AppContext;
  let onboardingId: string;
  const channelId = `C${kind.toUpperCase()}1`;

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    ctx = {
      db,
      logger: createLogger({ level: "silent" }),
      clock: { now: () => new Date("2026-11-29T10:00:00.456Z") },
      memory: new AppMemory(),
    } as unknown as AppContext;
    const customer = await db.prisma.customer.create({ data: { name: "Ächme Inc", nameKey: "achme inc" } });
    const onboarding = await db.prisma.onboarding.create({
      data: {
        customerId: customer.id,
        providerId: "justworks",
        ownerUserId: "U0REP",
        createdByUserId: "U0REP",
        homeTeamId: "T0FLEET",
        channelId,
        channelName: "fleet-achme",
        checklistTs: "1700000000.000100",
        integrationUserName: "Fleet Integration",
        integrationUserEmail: "int@fleet.example",
        timeZone: "America/New_York",
        callAt: new Date("2026-12-01T15:30:00.789Z"),
      },
    });
    onboardingId = onboarding.id;
    await db.prisma.invite.create({
      data: { onboardingId, email: "b@achme.example", status: "accepted", slackTeamId: "T0ACHME" },
    });
    await db.prisma.invite.create({
      data: {
        onboardingId,
        email: "a@achme.example",
        status: "failed",
        lastError: "nope",
        externalLimited: true,
      },
    });
    await db.prisma.finchConnection.create({
      data: {
        onboardingId,
        connectionId: "conn_1",
        providerId: "justworks",
        tokenCiphertext: "x",
        tokenKeyId: "k",
        status: "connected",
        products: ["company"],
        codeHash: `h-${kind}`,
        verifiedAt: new Date("2026-11-28T09:00:00.001Z"),
      },
    });
    const actor = { userId: "U0HR", teamId: "T0ACHME", internal: false } as never;
    await recordItemChange(ctx, { onboardingId, itemKey: "step1", done: true, source: "slack", actor });
    await recordItemChange(ctx, { onboardingId, itemKey: "step2", done: false, source: "finch", note: "n" });
  });
  afterAll(async () => db?.close());

  it("onboardingByChannel and resolveOnboarding return what Prisma does", async () => {
    const prisma = await db.prisma.onboarding.findUnique({
      where: { channelId },
      include: { customer: { select: { id: true, name: true } } },
    });
    expect(prisma).not.toBeNull();
    expect(await onboardingByChannel(ctx, channelId)).toEqual(prisma);
    expect(await resolveOnboarding(ctx, "achme inc", undefined)).toEqual({ ok: true, onboarding: prisma });
    expect(await onboardingByChannel(ctx, "CNONE")).toBeNull();
  });

  it("the tick's, the render's and the celebration's reads return what Prisma does", async () => {
    const o = await db.prisma.onboarding.findUniqueOrThrow({
      where: { id: onboardingId },
      include: { customer: true, steps: true, invites: { select: { slackTeamId: true } } },
    });
    const target = await tickTargetByChannel(ctx, channelId);
    expect(target).toMatchObject({
      id: o.id,
      status: o.status,
      providerId: o.providerId,
      channelId: o.channelId,
      checklistTs: o.checklistTs,
      ownerUserId: o.ownerUserId,
    });
    expect(target?.invites.map((i) => i.slackTeamId).sort()).toEqual(
      o.invites.map((i) => i.slackTeamId).sort(),
    );

    const render = await renderFacts(ctx, onboardingId);
    expect(render).toMatchObject({
      companyName: "Ächme Inc",
      callAt: o.callAt,
      checklistVersion: 2,
      integrationUserEmail: o.integrationUserEmail,
      guestsPostOnly: true,
    });
    expect(byKey(render.steps)).toEqual(byKey(o.steps));
    expect(render.steps.find((s) => s.itemKey === "step1")?.changedAt).toEqual(ctx.clock.now());

    const celebration = await celebrationFacts(ctx, onboardingId);
    expect(byKey(celebration.steps)).toEqual(byKey(o.steps));
    expect(celebration.customerStepsDoneAt).toBeNull();
    await expect(renderFacts(ctx, "00000000-0000-4000-8000-000000000000")).rejects.toThrow(/no onboarding/);
  });

  it("statusFacts reads the invites in order, the connection and the ticks with their times", async () => {
    const facts = await statusFacts(ctx, onboardingId);
    expect(facts.company).toBe("Ächme Inc");
    expect(facts.invites).toEqual([
      { email: "b@achme.example", status: "accepted", lastError: null },
      { email: "a@achme.example", status: "failed", lastError: "nope" },
    ]);
    expect(facts.connection).toEqual({
      status: "connected",
      verifiedAt: new Date("2026-11-28T09:00:00.001Z"),
    });
    expect(facts.ticks).toEqual([
      expect.objectContaining({ byUserId: "U0HR", source: "slack", at: ctx.clock.now() }),
    ]);
    expect(facts.callAt).toEqual(new Date("2026-12-01T15:30:00.789Z"));
  });

  it("the audit insert stores what Prisma would", async () => {
    await audit(ctx, {
      onboardingId,
      action: "tick",
      actor: { userId: "U0HR", teamId: "T0ACHME", internal: false } as never,
      detail: { item: "step1", n: 2 },
    });
    await audit(ctx, { action: "no-detail" });
    const rows = await db.prisma.auditEvent.findMany({ orderBy: { id: "asc" } });
    expect(rows.map(({ id: _id, at: _at, ...r }) => r)).toEqual([
      {
        onboardingId,
        action: "tick",
        actorUserId: "U0HR",
        actorTeamId: "T0ACHME",
        external: true,
        detail: { item: "step1", n: 2 },
      },
      {
        onboardingId: null,
        action: "no-detail",
        actorUserId: null,
        actorTeamId: null,
        external: false,
        detail: null,
      },
    ]);
  });
});
