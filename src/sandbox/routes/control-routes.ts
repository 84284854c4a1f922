/** The page's controls: move the clock to a reminder or by hours, and grant the Finch permissions. */
import type { Router } from "../../http/router.ts";
import { dayBeforeDueAt, ReminderKind } from "../../reminders/rules.ts";
import { advanceBody, onboardingBody } from "./bodies.ts";
import { postJson } from "./post-json.ts";
import { PageError, type PageSession } from "./session.ts";

/** Mounts the clock and Finch controls. */
export function mountControlRoutes(router: Router, s: PageSession): void {
  // The clock control: move to the selected onboarding's day-before reminder and run the scheduler once.
  postJson(router, "/sandbox/api/clock/reminder", async (raw) => {
    const input = onboardingBody.parse(raw);
    const prisma = s.deps.ctx.db.prisma;
    const o = await prisma.onboarding.findUnique({ where: { id: input.onboardingId } });
    if (!o) throw new PageError(404, "That onboarding does not exist.");
    if (o.status !== "active") throw new PageError(409, `That onboarding is ${o.status}: no reminder.`);
    const now = s.clock.now();
    if (!o.callAt) throw new PageError(409, "No onboarding call is booked: book one with /fleet call.");
    if (o.callAt <= now) throw new PageError(409, "The onboarding call has already started.");
    const pending = await prisma.reminder.findFirst({
      where: { onboardingId: o.id, kind: ReminderKind.dayBefore, status: "pending" },
      orderBy: { dueAt: "asc" },
    });
    if (!pending) {
      const sent = await prisma.reminder.findFirst({
        where: { onboardingId: o.id, kind: ReminderKind.dayBefore, status: "sent", callAt: o.callAt },
        select: { sentAt: true },
      });
      if (sent) {
        const when = sent.sentAt?.toISOString() ?? "earlier";
        throw new PageError(409, `The day-before reminder for this call was already sent (${when}).`);
      }
    }
    // Without a queued row (the scheduler plans it on its next run) the reminder's moment is computed.
    const dueAt = pending?.dueAt ?? dayBeforeDueAt(o.callAt, o.timeZone, s.deps.ctx.config.reminderLocalTime);
    if (dueAt > now) s.clock.advance(dueAt.getTime() - now.getTime());
    const sent = await s.deps.reminderTick();
    s.broadcast("clock");
    return { now: s.clock.now().toISOString(), dueAt: dueAt.toISOString(), sent };
  });

  postJson(router, "/sandbox/api/clock/advance", async (raw) => {
    const input = advanceBody.parse(raw);
    s.clock.advance(input.hours * 3_600_000);
    const sent = await s.deps.reminderTick();
    s.broadcast("clock");
    return { now: s.clock.now().toISOString(), sent };
  });

  // "Flip the switch in the HR system": the provider account now has every permission Finch asked for.
  postJson(router, "/sandbox/api/finch/grant", async (raw) => {
    const input = onboardingBody.parse(raw);
    const connection = s.finch.connection(input.onboardingId);
    if (!connection) throw new PageError(404, "This onboarding has no Finch connection yet.");
    const updated = s.finch.setConnection(connection.connectionId, { deniedProducts: [] });
    s.broadcast("finch");
    return { status: updated.status, granted: connection.deniedProducts };
  });
}
