// The page's state and the elements the shell fills.
// One section of the sandbox page's script (see SCRIPT_SECTIONS in load-page.ts).

/**
 * What the pane shows: a channel (`id`), or the app's Home or Messages tab (`tab`).
 * @typedef {{ kind: "channel" | "app", id?: string, tab?: string }} PaneView
 */

/**
 * The page's state. `state` is the sandbox's answer to GET /sandbox/api/state (src/sandbox/routes/
 * page-routes.ts), read as it comes: the page checks the fields it uses where it uses them.
 * @type {{
 *   state: any,
 *   as: string | null,
 *   view: PaneView | null,
 *   viewAuto?: boolean,
 *   stickToBottom?: boolean,
 *   collapsed: Set<string>,
 *   dismissed: Set<string>,
 *   clockSkew: number,
 *   seen: Record<string, number>,
 *   onboardingId: string | null,
 *   homeOpenedFor: string | null,
 *   modalKey: string | null,
 *   modalOpener: FocusPlace | null,
 *   live: boolean,
 * }}
 */
const S = {
  state: null,
  as: null,
  view: null,
  collapsed: new Set(),
  dismissed: new Set(),
  clockSkew: 0,
  seen: {},
  onboardingId: null,
  homeOpenedFor: null,
  modalKey: null,
  modalOpener: null,
  live: false,
};
const byId = { users: new Map(), channels: new Map(), teams: new Map() };
const optionData = new WeakMap();
let uid = 0;

const me = () => S.state?.me ?? null;
const tz = () => me()?.tz ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
const sandboxNow = () => Date.now() + S.clockSkew;
