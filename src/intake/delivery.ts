/**
 * What the durable intake stores: one delivery from Slack or Finch that we are about to answer 2xx to.
 * The intake itself knows nothing about Slack or Finch; the receivers describe each delivery (key,
 * order, who, where) and register one applier per source.
 */

/**
 * Where a delivery came from; each source has one applier (src/intake/intake.ts). `portal`: a tick on the
 * customer's private page (src/portal/tick-intake.ts), ordered with the Slack ticks of the same checkbox.
 */
export type IntakeSource = "slack" | "finch" | "portal";

/** A verified delivery, described by its receiver. */
export interface IncomingDelivery {
  /** De-duplication key: Slack's event_id/trigger, Finch's event id. Redeliveries share it. */
  key: string;
  source: IntakeSource;
  /** e.g. `block_actions`, `slash_command`, `event:member_joined_channel`, `finch:job.completed`. */
  kind: string;
  /** Deliveries with the same order key (a channel, a Finch connection) are applied in arrival order. */
  orderKey: string | null;
  userId: string | null;
  teamId: string | null;
  channelId: string | null;
  /**
   * The delivery carries an absolute state of its element (a checkbox's ticked options, a picked date), not a
   * change: once a newer delivery of the same order key was applied, this one is obsolete and not applied.
   */
  absolute?: boolean;
  /**
   * The absolute states a command sets, when its order key is not its element (`/fleet call` is ordered per
   * person, but sets the onboarding's call whoever types it): a newer applied delivery naming one of them
   * overtakes this one. Empty or left out: its order key is its element.
   */
  elements?: string[];
  /** A short description for the App Home's dead letters (no secrets). */
  summary: string;
  /** What the applier needs; stored encrypted, cleared once applied. */
  body: unknown;
  /** When it reached us (kept through the spool, so replays keep their order). */
  receivedAt: Date;
}

/** A delivery read back from the intake to be applied. */
export interface StoredDelivery extends IncomingDelivery {
  /** 1 for the first attempt. */
  attempts: number;
}

/**
 * Applies one delivery; `live` is true on the attempt made while the sender still waits for its answer.
 * Resolves `obsolete` when the use case found what it sets changed by a newer delivery (nothing applied).
 */
export type Applier = (delivery: StoredDelivery, live: boolean) => Promise<void | "obsolete">;

/** Outcome of taking a delivery in. */
export type Intake =
  /** Stored; this process applies it now (while the sender still waits for the answer). */
  | "apply-now"
  /** Stored; an older delivery of the same order key is still waiting, so the worker applies it in turn. */
  | "queued"
  /** Seen before (a redelivery): answer 2xx and do nothing. */
  | "duplicate"
  /** The database did not answer in time: written to the local spool, replayed when it returns. */
  | "spooled"
  /** Neither the database nor the spool took it: do NOT answer 2xx, let the sender retry. */
  | "refused";

/**
 * A short, log-safe text of an error (no stack, bounded). A database error names PostgreSQL's own code and
 * message: Prisma's text for it is generic (and says `undefined` through the PGlite adapter).
 */
export function errorText(err: unknown): string {
  const cause = (err as { meta?: { driverAdapterError?: { cause?: { code?: string; message?: string } } } })
    ?.meta?.driverAdapterError?.cause;
  const text = cause?.message
    ? `database error ${cause.code ?? ""}: ${cause.message}`
    : err instanceof Error
      ? `${err.name}: ${err.message}`
      : String(err);
  return text.replace(/\s+/g, " ").slice(0, 300);
}
