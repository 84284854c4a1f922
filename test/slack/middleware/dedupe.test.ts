/** Delivery keys: a redelivery is recognised, a new submission of the same form is not mistaken for one. */
import { describe, expect, it } from "vitest";
import { deliveryKey } from "../../../src/slack/middleware/dedupe.ts";

const submission = (triggerId: string) => ({
  type: "view_submission",
  trigger_id: triggerId,
  view: { id: "V0FORM", hash: "1700000000.abc" },
});

describe("deliveryKey", () => {
  it("gives a form resubmitted after validation errors its own key (same view id and hash, new trigger)", () => {
    expect(deliveryKey(submission("1.1.aaa"))).not.toBe(deliveryKey(submission("2.2.bbb")));
  });

  it("gives the same delivery the same key", () => {
    expect(deliveryKey(submission("1.1.aaa"))).toBe(deliveryKey(submission("1.1.aaa")));
    expect(deliveryKey({ event_id: "Ev1" })).toBe("evt:Ev1");
  });
});
