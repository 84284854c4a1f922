/** Who owns an onboarding and when it ends: `/fleet owner` (hand over) and `/fleet done` (close). Reps only. */
import { isOurMember } from "../../cockpit/home.ts";
import type { AppContext } from "../../context.ts";
import { closeOnboarding, handOver } from "../../onboarding/close.ts";
import { isRepUser } from "../actors.ts";
import { aboutOnboarding, type SubcommandsOf } from "./fleet-command.ts";
import { notARepOwner } from "./onboard.ts";

/** `/fleet owner` and `/fleet done`. */
export function subcommands(ctx: AppContext) {
  return {
    done: {
      run: aboutOnboarding(ctx, async ({ onboarding, actor, respond }) => {
        await respond({ response_type: "ephemeral", text: await closeOnboarding(ctx, onboarding.id, actor) });
      }),
    },
    owner: {
      run: aboutOnboarding(ctx, async ({ cmd, onboarding, actor, respond }) => {
        if ((await isOurMember(ctx, cmd.newOwnerUserId)) && !(await isRepUser(ctx, cmd.newOwnerUserId))) {
          await respond({ response_type: "ephemeral", text: notARepOwner(cmd.newOwnerUserId) });
          return;
        }
        const text = await handOver(ctx, onboarding.id, cmd.newOwnerUserId, actor);
        await respond({ response_type: "ephemeral", text });
      }),
    },
  } satisfies SubcommandsOf<"done" | "owner">;
}
