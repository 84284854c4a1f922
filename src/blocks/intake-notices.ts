/**
 * What a person is told about a delivery whose request is long answered (src/slack/intake/notices.ts): a
 * replayed form's field errors, and a delivery that stayed dead after its last attempt. Pure.
 */

/** A replayed form's field errors, as a direct message. */
export function replayedFormErrorsText(errors: readonly string[]): string {
  return `:warning: Your form could not be submitted after a short hiccup on our side: ${errors.join("; ")}. Please open it again.`;
}

/** A delivery as the dead-letter notice names it. */
export interface DeadDeliveryFacts {
  kind: string;
  summary: string;
  attempts: number;
}

/** The notice for a dead delivery, or null for events (someone joined, an invite was accepted): nobody to tell. */
export function deadDeliveryText(d: DeadDeliveryFacts): string | null {
  const what =
    d.kind === "block_actions"
      ? d.summary.startsWith("checkbox")
        ? "your tick on the checklist"
        : "your click"
      : d.kind === "slash_command"
        ? `\`${d.summary}\``
        : d.kind === "view_submission"
          ? "your form"
          : null;
  if (!what) return null;
  return (
    `:warning: Sorry — ${what} could not be saved: Fleet tried ${d.attempts} times and failed. ` +
    "Please try again in a few minutes. Your Fleet rep sees this too and can retry it."
  );
}
