// Talking to the sandbox API: requests, live updates over Server-Sent Events, refresh.
// One section of the sandbox page's script (see SCRIPT_SECTIONS in load-page.ts).

async function request(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) {
    const message = isObj(data) && typeof data.error === "string" ? data.error : `HTTP ${response.status}`;
    throw new Error(message);
  }
  return data;
}

/** A POST that tells the person when it fails, then refreshes the page's state. */
async function post(path, body) {
  try {
    return await request("POST", path, body);
  } catch (err) {
    toast(err instanceof Error ? err.message : String(err), "error");
    return null;
  } finally {
    scheduleRefresh(0);
  }
}

let fetching = false;
let again = false;
let refreshTimer = null;

function scheduleRefresh(delay = 60) {
  if (refreshTimer) return;
  refreshTimer = setTimeout(() => {
    refreshTimer = null;
    void refresh();
  }, delay);
}

async function refresh() {
  if (fetching) {
    again = true;
    return;
  }
  fetching = true;
  try {
    await loadState();
  } catch (err) {
    toast(`Could not load the sandbox: ${err instanceof Error ? err.message : String(err)}`, "error");
  } finally {
    fetching = false;
    if (again) {
      again = false;
      scheduleRefresh(0);
    }
  }
}

async function loadState() {
  if (!S.as) {
    const anonymous = await request("GET", "/sandbox/api/state");
    S.as = anonymous.people.rep.id;
  }
  let state;
  try {
    state = await request("GET", `/sandbox/api/state?as=${encodeURIComponent(S.as ?? "")}`);
  } catch (err) {
    // An unknown person in the address or the browser's memory: fall back to the rep.
    const anonymous = await request("GET", "/sandbox/api/state");
    if (S.as === anonymous.people.rep.id) throw err;
    S.as = anonymous.people.rep.id;
    state = await request("GET", `/sandbox/api/state?as=${encodeURIComponent(S.as ?? "")}`);
  }
  S.state = state;
  S.clockSkew = state.clock.now - Date.now();
  byId.users = new Map(state.users.map((u) => [u.id, u]));
  byId.channels = new Map(state.channels.map((c) => [c.id, c]));
  byId.teams = new Map(state.teams.map((t) => [t.id, t]));
  render();
}

function connectEvents() {
  const source = new EventSource("/sandbox/api/events");
  source.addEventListener("change", () => scheduleRefresh());
  source.addEventListener("open", () => {
    setLive(true);
    scheduleRefresh(0);
  });
  source.addEventListener("error", () => {
    setLive(false);
    // EventSource reconnects by itself (the server asks for 1 s); a closed one is started again.
    if (source.readyState === EventSource.CLOSED) setTimeout(connectEvents, 2000);
  });
}
