/**
 * The action ids the app registers, read from its own registrations: `registerListeners` is run against a
 * recorder standing in for Bolt's `App`, so a test can press every button the app listens to, and a new one
 * cannot be forgotten.
 */
import type { App } from "@slack/bolt";
import type { InFlight } from "../../src/background.ts";
import type { AppContext } from "../../src/context.ts";
import { registerListeners } from "../../src/slack/listeners/index.ts";

/** What `app.action` was registered with: exact ids, and patterns (ticks, paging). */
export interface RegisteredActions {
  ids: string[];
  patterns: RegExp[];
}

/** Runs the app's listener registration against a recorder; no listener runs. */
export function registeredActions(): RegisteredActions {
  const found: RegisteredActions = { ids: [], patterns: [] };
  const record = (constraint: unknown) => {
    const id =
      typeof constraint === "object" && constraint !== null && !(constraint instanceof RegExp)
        ? (constraint as { action_id?: unknown }).action_id
        : constraint;
    if (typeof id === "string") found.ids.push(id);
    else if (id instanceof RegExp) found.patterns.push(id);
    else throw new Error(`an action registered with an unknown constraint: ${String(id)}`);
  };
  const app = new Proxy(
    {},
    {
      get: (_target, method) =>
        method === "action"
          ? (constraint: unknown) => record(constraint)
          : // Commands, views, events, middleware and the error handler: not what this reads.
            () => undefined,
    },
  ) as App;
  registerListeners(app, {} as AppContext, {} as InFlight);
  return found;
}
