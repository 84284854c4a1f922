/**
 * The App Home's answer to "who is stuck, and why", per onboarding: the flags with their reasons and the line
 * saying what it waits on and who acts ("Waiting on @Jane — step 1 · …, no activity for 2 days"). Pure.
 */
import { openItemAction, openItemName } from "../checklist/open-items.ts";
import type { HomeFlag, HomeWaiting } from "./home-input.ts";
import { escapeMrkdwn, mentions, plural } from "./mrkdwn.ts";

/** What a row needs for these texts. */
export interface WaitingRow {
  waiting: HomeWaiting;
  flags: HomeFlag[];
  idleDays: number;
  providerName?: string;
}

/** Each flag with its reason, e.g. ":zzz: *stalled* — no customer activity for 6 days". */
export function flagTexts(row: WaitingRow): string[] {
  return row.flags.map(flagText);
}

function flagText(flag: HomeFlag): string {
  switch (flag.kind) {
    case "call_risk": {
      const open = flag.openCustomerBoxes
        ? `${plural(flag.openCustomerBoxes, "box", "boxes")} open for the customer`
        : "nothing open for the customer";
      if (flag.selfConfirmOnly)
        return `:warning: *call soon, boxes to confirm* — call in ${plural(flag.hoursToCall, "hour")}, Finch verified; only boxes the customer confirms are open`;
      return `:rotating_light: *at risk for the call* — call in ${plural(flag.hoursToCall, "hour")}, ${open}${flag.verified ? "" : ", Finch not verified"}`;
    }
    case "broken":
      return flag.missingPermissions
        ? `:red_circle: *permissions missing* — Finch cannot read ${plural(flag.missingPermissions, "permission")}`
        : ":red_circle: *connection broken* — Finch can no longer read the HR system";
    case "not_started":
      return `:hourglass: *not started* — nothing done and no activity for ${plural(flag.idleDays, "day")}`;
    case "stalled":
      return `:zzz: *stalled* — no customer activity for ${plural(flag.idleDays, "day")}`;
  }
}

/** "Waiting on @Jane — step 1 · Add Fleet's integration user, no activity for 2 days". */
export function waitingText(row: WaitingRow): string {
  const w = row.waiting;
  // The open box itself when known ("tick *Manage company benefits* in step 3"), else the step.
  const step = w.item
    ? openItemAction(w.item)
    : w.step
      ? `step ${w.step.number} · ${escapeMrkdwn(w.step.title)}`
      : "";
  const idle =
    row.idleDays >= 1 && w.who === "customer" ? `, no activity for ${plural(row.idleDays, "day")}` : "";
  const people =
    w.userIds.length > 0 ? mentions(w.userIds) : w.emails.map(escapeMrkdwn).join(", ") || "the HR admin";
  switch (w.what) {
    case "accept_invite":
      return `:hourglass_flowing_sand: Waiting on ${people} to accept the Slack Connect invitation${idle}`;
    case "reconnect":
      return `:hourglass_flowing_sand: Waiting on ${people} — reconnect Finch (Connect button in the channel)${idle}`;
    case "permissions":
      if (w.item)
        return `:hourglass_flowing_sand: Waiting on ${people} — switch on ${openItemName(w.item)} in step ${w.item.stepNumber}, then Re-check${idle}`;
      return `:hourglass_flowing_sand: Waiting on ${people} — switch on the missing permissions${step ? ` (${step})` : ""}${idle}`;
    case "step":
      return w.who === "fleet"
        ? `:hourglass_flowing_sand: Waiting on ${people} (Fleet) — ${step}`
        : `:hourglass_flowing_sand: Waiting on ${people} — ${step}${idle}`;
    case "verify":
      return ":hourglass_flowing_sand: Waiting on Finch to verify the connection (it re-checks by itself)";
    case "call":
      return ":white_check_mark: Nothing waiting — ready for the call";
  }
}
