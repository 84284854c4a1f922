/** views.publish (App Home) and views.open (modals, one use per trigger_id). */
import type { ViewsOpenResponse, ViewsPublishResponse } from "@slack/web-api";
import { apiView } from "../api-shapes.ts";
import { parseView } from "../content.ts";
import type { StoredView } from "../types.ts";
import {
  type Args,
  asApiShape,
  type MethodHandler,
  SlackApiError,
  stringOrUndefined,
} from "../web-api-args.ts";
import type { SlackWorkspace } from "../workspace.ts";

/** views.publish and views.open methods by Web API name. */
export function viewMethods(ws: SlackWorkspace): Array<[string, MethodHandler]> {
  return [
    ["views.publish", (a) => viewsPublish(ws, a)],
    ["views.open", (a) => viewsOpen(ws, a)],
  ];
}

function viewsPublish(ws: SlackWorkspace, args: Args): ViewsPublishResponse {
  const user = ws.requireUser(args.required("user_id", "user_not_found"));
  const view = parseView(args, "home");
  const existingId = ws.homeViewIds.get(user.id);
  const existing = existingId === undefined ? undefined : ws.views.get(existingId);
  const hash = args.string("hash");
  if (hash && existing && existing.hash !== hash) throw new SlackApiError("hash_conflict");
  const stored = storeView(ws, view, { via: "publish", userId: user.id }, existing);
  ws.homeViewIds.set(user.id, stored.id);
  return { ok: true, view: asApiShape<ViewsPublishResponse["view"]>(apiView(ws, stored)) };
}

function viewsOpen(ws: SlackWorkspace, args: Args): ViewsOpenResponse {
  const triggerId = exchangeTrigger(ws, args);
  const view = parseView(args, "modal");
  const stored = storeView(ws, view, { via: "open", triggerId });
  ws.modalIds.push(stored.id);
  return { ok: true, view: apiView(ws, stored) };
}

function exchangeTrigger(ws: SlackWorkspace, args: Args): string {
  const triggerId = args.string("trigger_id");
  if (!triggerId) throw new SlackApiError("invalid_arguments", { detail: "trigger_id is required" });
  // Slack accepts each trigger_id once.
  if (ws.usedTriggers.has(triggerId)) throw new SlackApiError("trigger_exchanged");
  ws.usedTriggers.add(triggerId);
  return triggerId;
}

function storeView(
  ws: SlackWorkspace,
  view: Record<string, unknown>,
  how: {
    via: StoredView["via"];
    userId?: string;
    triggerId?: string;
    rootViewId?: string;
    previousViewId?: string;
  },
  existing?: StoredView,
): StoredView {
  const id = existing?.id ?? ws.nextId("V");
  const stored: StoredView = {
    id,
    type: view.type === "home" ? "home" : "modal",
    via: existing?.via ?? how.via,
    callback_id: stringOrUndefined(view.callback_id) ?? "",
    private_metadata: stringOrUndefined(view.private_metadata) ?? "",
    blocks: Array.isArray(view.blocks) ? view.blocks : [],
    hash: `${ws.nowSec()}.${ws.nextId("h").slice(1).toLowerCase()}`,
    root_view_id: existing?.root_view_id ?? how.rootViewId ?? id,
    previous_view_id: existing?.previous_view_id ?? how.previousViewId ?? null,
    clear_on_close: view.clear_on_close === true,
    notify_on_close: view.notify_on_close === true,
    updates: existing ? existing.updates + 1 : 0,
  };
  const userId = existing?.userId ?? how.userId;
  if (userId) stored.userId = userId;
  const triggerId = existing?.triggerId ?? how.triggerId;
  if (triggerId) stored.triggerId = triggerId;
  if (typeof view.external_id === "string") stored.external_id = view.external_id;
  if (view.title !== undefined) stored.title = view.title;
  if (view.submit !== undefined) stored.submit = view.submit;
  if (view.close !== undefined) stored.close = view.close;
  ws.views.set(id, stored);
  ws.events.emit("view", structuredClone(stored));
  return stored;
}
