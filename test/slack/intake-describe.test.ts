/** How Slack deliveries are described to the intake: keys, order, who, and nothing secret kept. */
import { describe, expect, it } from "vitest";
import { ProviderCatalogue } from "../../src/checklist/provider-catalogue.ts";
import { deliveryKey, describeSlackDelivery, laterAnswer } from "../../src/slack/intake/describe.ts";

const submission = (triggerId: string) => ({
  type: "view_submission",
  trigger_id: triggerId,
  view: { id: "V0FORM", hash: "1700000000.abc" },
});

const tick = (actionId: string, on: boolean) => ({
  type: "block_actions",
  token: "legacy-verification-token",
  trigger_id: "1.2.abc",
  user: { id: "U0HR", team_id: "T0ACME" },
  team: { id: "T0FLEET" },
  container: { channel_id: "C0ACME", message_ts: "1.1" },
  channel: { id: "C0ACME" },
  response_url: "https://hooks.slack.com/actions/x",
  actions: [{ type: "checkboxes", action_id: actionId, action_ts: "5.5", selected_options: on ? [{}] : [] }],
});

describe("deliveryKey", () => {
  it("gives a form resubmitted after validation errors its own key (same view id and hash, new trigger)", () => {
    expect(deliveryKey(submission("1.1.aaa"))).not.toBe(deliveryKey(submission("2.2.bbb")));
  });

  it("gives the same delivery the same key", () => {
    expect(deliveryKey(submission("1.1.aaa"))).toBe(deliveryKey(submission("1.1.aaa")));
    expect(deliveryKey({ event_id: "Ev1" })).toBe("evt:Ev1");
    expect(deliveryKey({ command: "/fleet", trigger_id: "9.9" })).toBe("cmd:9.9");
  });
});

describe("describeSlackDelivery", () => {
  it("describes a tick: who, where, ordered per checkbox, without the legacy token", () => {
    const d = describeSlackDelivery(tick("tick:add-user", true), new Date(0));
    expect(d).toMatchObject({
      source: "slack",
      kind: "block_actions",
      userId: "U0HR",
      teamId: "T0ACME",
      channelId: "C0ACME",
      orderKey: "slack:C0ACME:tick:add-user",
      summary: "checkbox tick:add-user (ticked)",
      // A tick carries the checkbox's whole state: an older one is obsolete once a newer one was applied.
      absolute: true,
    });
    expect(JSON.stringify(d.body)).not.toContain("legacy-verification-token");
    expect(describeSlackDelivery(tick("tick:add-user", false), new Date(0)).summary).toContain("unticked");
  });

  it("orders events per channel, leaves commands unordered, gives keyless deliveries a unique key", () => {
    const event = describeSlackDelivery(
      {
        type: "event_callback",
        event_id: "Ev9",
        event: { type: "member_left_channel", channel: "C1", user: "U1" },
      },
      new Date(0),
    );
    expect(event).toMatchObject({ kind: "event:member_left_channel", orderKey: "slack:C1", userId: "U1" });
    const command = describeSlackDelivery(
      { command: "/fleet", text: "status Acme", user_id: "U0REP", team_id: "T0FLEET", channel_id: "C2" },
      new Date(0),
    );
    expect(command).toMatchObject({
      kind: "slash_command",
      // One person's commands in a channel are applied in the order they were typed.
      orderKey: "slack:C2:cmd:U0REP",
      summary: "/fleet status Acme",
    });
    expect(command.key).toMatch(/^once:/);
    expect(laterAnswer("slash_command")).toMatchObject({ response_type: "ephemeral" });
    expect(laterAnswer("block_actions")).toBeUndefined();
  });

  it("names what a /fleet call, owner, provider or onboard sets; only the first three are absolute", () => {
    const parse = {
      now: new Date("2026-12-01T00:00:00Z"),
      defaultTimeZone: "America/Chicago",
      providers: new ProviderCatalogue().allProviderChoices(),
    };
    const fleet = (text: string, channel = "C2") =>
      describeSlackDelivery(
        {
          command: "/fleet",
          text,
          trigger_id: `t:${text}`,
          user_id: "U0REP",
          team_id: "T0FLEET",
          channel_id: channel,
        },
        new Date(0),
        () => parse,
      );
    expect(fleet("call 2027-03-02T15:00")).toMatchObject({ absolute: true, elements: ["slack:C2:set:call"] });
    // Another person's /fleet call in the channel sets the same element (though it is ordered per person).
    expect(fleet("call Acme  Corp 2027-03-02T15:00 tz=Central").elements).toEqual([
      "slack:company:acme corp:set:call",
    ]);
    expect(fleet("owner <@U0REP2>")).toMatchObject({ absolute: true, elements: ["slack:C2:set:owner"] });
    expect(fleet("provider Acme bamboo_hr")).toMatchObject({
      absolute: true,
      elements: ["slack:company:acme:set:provider"],
    });
    expect(fleet("onboard Acme hr=jane@acme.example call=2027-03-02T15:00 provider=paycom")).toMatchObject({
      absolute: false,
      elements: ["slack:company:acme:set:call", "slack:company:acme:set:provider"],
    });
    for (const text of ["status", "call yesterday", "verify Acme"]) {
      expect(fleet(text).absolute).toBe(false);
      expect(fleet(text).elements).toBeUndefined();
    }
  });

  it("asks for the parse context only for a command that may set something (status, help: no parse)", () => {
    let asked = 0;
    const parse = () => {
      asked++;
      return { now: new Date(0), defaultTimeZone: "America/Chicago", providers: [] };
    };
    const body = (text: string) => ({ command: "/fleet", text, user_id: "U1", channel_id: "C2" });
    for (const text of ["status Acme", "help", "link", "verify Acme", "nonsense call"])
      expect(describeSlackDelivery(body(text), new Date(0), parse).elements).toBeUndefined();
    expect(asked).toBe(0);
    expect(describeSlackDelivery(body("  CALL 2027-03-02T15:00"), new Date(0), parse).elements).toEqual([
      "slack:C2:set:call",
    ]);
    expect(describeSlackDelivery(body('"owner" <@U0REP2>'), new Date(0), parse).elements).toEqual([
      "slack:C2:set:owner",
    ]);
    expect(asked).toBe(2);
  });
});
