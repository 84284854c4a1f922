// The sandbox controls: clock, reminders and Finch permissions.
// One section of the sandbox page's script (see SCRIPT_SECTIONS in load-page.ts).

function renderClock() {
  if (!S.state) return;
  const offset = S.clockSkew;
  const ahead =
    offset > 60_000
      ? ` · ${Math.floor(offset / 86_400_000)}d ${Math.floor((offset % 86_400_000) / 3_600_000)}h ahead`
      : "";
  ui.clock.textContent = `🕒 Sandbox time: ${dateTime(sandboxNow())}${ahead}`;
}

function renderControls() {
  const onboardings = S.state.onboardings;
  if (!onboardings.some((o) => o.id === S.onboardingId)) S.onboardingId = onboardings[0]?.id ?? null;
  const selected = onboardings.find((o) => o.id === S.onboardingId);
  const key = JSON.stringify([onboardings, S.as, S.onboardingId]);
  if (ui.controls.dataset.key === key) return;
  ui.controls.dataset.key = key;
  const row = (k, v) =>
    el("div", { class: "row" }, el("span", { class: "k", text: k }), el("span", { class: "v" }, v));
  const chip = (text, good) => el("span", { class: `status-chip ${good ? "good" : "bad"}`, text });
  const picker = el(
    "select",
    {
      class: "bk-select",
      "data-testid": "onboarding-picker",
      on: {
        change: (event) => {
          S.onboardingId = event.target.value;
          renderControls();
        },
      },
    },
    onboardings.map((o) =>
      el("option", { value: o.id, selected: o.id === S.onboardingId, text: `${o.company} (${o.status})` }),
    ),
  );
  const parts = [el("h2", { text: "Sandbox controls" })];
  if (!selected) {
    parts.push(
      el(
        "div",
        { class: "card" },
        el("div", { text: "No onboarding yet." }),
        el("div", {
          class: "note",
          text: "As Rita (the rep), type /fleet onboard … in #general to start one.",
        }),
      ),
    );
  } else {
    const reminder = selected.reminder;
    const connection = selected.finch;
    const denied = connection?.deniedProducts ?? [];
    parts.push(
      picker,
      el("h3", { text: "Clock" }),
      el(
        "div",
        { class: "card" },
        row("Call", selected.callAt ? dateTime(Date.parse(selected.callAt)) : "not booked"),
        row(
          "Day-before reminder",
          reminder ? `${reminder.status} · due ${dateTime(Date.parse(reminder.dueAt))}` : "none scheduled",
        ),
        el(
          "button",
          {
            class: "bk-btn primary",
            type: "button",
            "data-testid": "fire-reminder",
            disabled: !selected.callAt,
            on: { click: () => fireReminder(selected) },
          },
          "⏰ Fire day-before reminder",
        ),
        el(
          "button",
          {
            class: "bk-btn",
            type: "button",
            on: {
              click: async () => {
                const result = await post("/sandbox/api/clock/advance", { hours: 24 });
                if (result) toast(`Clock moved one day ahead; ${result.sent} reminder(s) sent.`);
              },
            },
          },
          "+1 day",
        ),
        el("div", {
          class: "note",
          text: "Moves the sandbox clock (never back) to the reminder's moment and runs the reminder scheduler once.",
        }),
        el(
          "button",
          {
            class: "bk-btn",
            type: "button",
            "data-testid": "post-weekly-report",
            on: {
              click: async () => {
                const result = await post("/sandbox/api/report/weekly", {});
                if (result)
                  toast(
                    `Weekly report: message ${result.message}, chart ${result.chart}, CSV ${result.csv}.`,
                  );
              },
            },
          },
          "📊 Post the weekly report",
        ),
      ),
      el("h3", { text: "Finch (stand-in)" }),
      el(
        "div",
        { class: "card", "data-testid": "finch-card" },
        row(
          "Connection",
          connection
            ? chip(connection.status, connection.status === "connected")
            : chip("not connected", false),
        ),
        connection ? row("Products", connection.products.join(", ")) : null,
        denied.length ? row("Missing in the HR system", chip(denied.join(", "), false)) : null,
        denied.length
          ? el(
              "button",
              {
                class: "bk-btn primary",
                type: "button",
                "data-testid": "grant-permissions",
                on: {
                  click: async () => {
                    const result = await post("/sandbox/api/finch/grant", { onboardingId: selected.id });
                    if (result)
                      toast(
                        `Granted ${result.granted.join(", ")} in the HR system. Press Re-check in the thread.`,
                      );
                  },
                },
              },
              "Grant the missing permissions",
            )
          : null,
        el("div", {
          class: "note",
          text: "Finch Connect login: good_user / good_pass. Untick a permission on the Connect page to see how a missing one is reported.",
        }),
      ),
    );
  }
  parts.push(
    el("h3", { text: "How to try it" }),
    el(
      "div",
      { class: "card" },
      el("div", {
        class: "note",
        text: "1. As Rita Rep, type /fleet onboard Acme Corp hr=jane@acme.example call=… in #general.",
      }),
      el("div", {
        class: "note",
        text: "2. Switch to Jane (top right), open the shared channel and tick the steps.",
      }),
      el("div", {
        class: "note",
        text: "3. Press Connect Justworks, sign in on Finch's page, and read the verification in the thread.",
      }),
      el("div", {
        class: "note",
        text: "4. Fire the day-before reminder; as Rita, open the Fleet Concierge App Home.",
      }),
    ),
  );
  ui.controls.replaceChildren(...parts);
}

async function fireReminder(onboarding) {
  const result = await post("/sandbox/api/clock/reminder", { onboardingId: onboarding.id });
  if (!result) return;
  S.clockSkew = Date.parse(result.now) - Date.now();
  renderClock();
  toast(`Clock moved to ${dateTime(Date.parse(result.now))}; ${result.sent} reminder(s) sent.`);
  if (onboarding.channelId && byId.channels.has(onboarding.channelId)) {
    S.view = { kind: "channel", id: onboarding.channelId };
    S.viewAuto = false;
    S.stickToBottom = true;
  }
}
