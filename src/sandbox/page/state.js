// The page's state and the elements the shell fills.
// One section of the sandbox page's script (see SCRIPT_SECTIONS in load-page.ts).

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
