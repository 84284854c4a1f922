// Start-up: who acts, the clock tick, live updates and the first render.
// One section of the sandbox page's script (see SCRIPT_SECTIONS in load-page.ts).

const params = new URLSearchParams(location.search);
S.as = params.get("as") || localStorage.getItem("fleet-sandbox-as") || null;
setInterval(renderClock, 1000);
connectEvents();
void refresh();
