/**
 * Where this app applies its Slack deliveries: in the applier thread once it runs (INTAKE_APPLY_IN_WORKER=1,
 * ./applier-thread.ts), otherwise — before it has started, when it cannot start, after it died — with the
 * main thread's own Bolt app, as without the setting.
 */
import type { AppContext } from "../../context.ts";
import { ApplierThread } from "./applier-thread.ts";
import type { IntakeReceiverDeps } from "./receiver.ts";

export class ApplierSlot {
  private thread: ApplierThread | undefined;

  /** The receiver's `applyElsewhere`. */
  readonly apply: NonNullable<IntakeReceiverDeps["applyElsewhere"]> = (delivery, event, here) =>
    this.thread ? this.thread.apply(delivery, event, here) : here(delivery, event);

  /**
   * Starts the thread on this app's database. It needs the real clock (a test's moved clock cannot cross
   * threads) and a database another thread can open (not PGlite run on the main thread): else it stays here.
   */
  async start(ctx: AppContext, realClock: boolean): Promise<void> {
    const shared = realClock ? await ctx.db.share?.() : undefined;
    if (!shared) {
      ctx.logger.warn(
        { realClock },
        "INTAKE_APPLY_IN_WORKER: deliveries are applied on the main thread (moved clock or in-thread PGlite)",
      );
      return;
    }
    const { config, identity, publicUrl } = ctx;
    try {
      this.thread = await ApplierThread.start({ config, identity, publicUrl, db: shared }, ctx.logger);
    } catch (err) {
      // Applying here is slower under load, never wrong: start anyway, and say why.
      ctx.logger.error({ err }, "INTAKE_APPLY_IN_WORKER: the applier thread did not start; applying here");
      if (shared.kind === "pglite") shared.port.close();
    }
  }

  /** The `/metrics` route's source of the thread's counters (none while there is no thread). */
  metricsSource(): { more: () => ReturnType<ApplierThread["metrics"]> } {
    return { more: async () => (this.thread ? this.thread.metrics() : []) };
  }

  /** Drains and stops the thread (deliveries applied later are applied here). */
  async stop(): Promise<void> {
    await this.thread?.stop();
  }
}
