/** The reps' cockpit in Slack, the App Home: open, the scope picker (mine / everyone's) and paging. */
import type { App, BlockAction, ButtonAction, StaticSelectAction } from "@slack/bolt";
import { publishHome } from "../../cockpit/home.ts";
import type { AppContext } from "../../context.ts";
import { ActionId } from "../../slack-gateway/ids.ts";
import { interactionActor, isRep } from "../actors.ts";

/** Registers the App Home's listeners. */
export function register(app: App, ctx: AppContext): void {
  app.event("app_home_opened", async ({ event }) => {
    if (event.tab !== "home") return;
    await publishHome(ctx, event.user);
  });

  // A link button: Slack opens the channel, and still sends an action, which needs an ack.
  app.action(ActionId.homeOpenChannel, async ({ ack }) => {
    await ack();
  });

  /** Everyone's onboardings are for reps only: anyone else asking for them gets their own. */
  const scopeFor = async (body: BlockAction, wanted: string | undefined): Promise<"all" | "mine"> => {
    if (wanted !== "all") return "mine";
    const actor = interactionActor(ctx, body);
    if (await isRep(ctx, actor)) return "all";
    ctx.logger.warn(
      { user: actor.userId, team: actor.teamId },
      "everyone's onboardings refused to a non-rep",
    );
    return "mine";
  };

  app.action<BlockAction<StaticSelectAction>>(ActionId.homeScope, async ({ ack, body, action }) => {
    await ack();
    const scope = await scopeFor(body, action.selected_option.value);
    await publishHome(ctx, body.user.id, { scope, page: 0 });
  });

  app.action<BlockAction<ButtonAction>>(
    new RegExp(`^${ActionId.homePage}:`),
    async ({ ack, body, action }) => {
      await ack();
      const { page, scope } = safeJson(action.value) as { page?: number; scope?: string };
      await publishHome(ctx, body.user.id, {
        scope: await scopeFor(body, scope),
        page: Number(page) || 0,
      });
    },
  );
}

/** A button's JSON value, or `{}` when it is not JSON. */
export function safeJson(text: string | undefined): unknown {
  try {
    return JSON.parse(text ?? "{}");
  } catch {
    return {};
  }
}
