/** Opening a modal within the trigger_id's 3 seconds, or telling the person at once. */
import type { WebClient } from "@slack/web-api";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../../src/logger.ts";
import { openModalInTime } from "../../../src/slack/listeners/open-modal.ts";
import { inDelivery } from "../../../src/slack-gateway/delivery-scope.ts";

const logger = createLogger({ level: "silent" });
const view = () => ({
  type: "modal" as const,
  title: { type: "plain_text" as const, text: "Form" },
  blocks: [],
});

function fakeClient(answer: () => Promise<unknown>) {
  const opened: string[] = [];
  const client = {
    views: {
      open: async (args: { trigger_id: string }) => {
        opened.push(args.trigger_id);
        return answer();
      },
    },
  } as unknown as WebClient;
  return { client, opened };
}

describe("openModalInTime", () => {
  it("opens the modal while the trigger is fresh", async () => {
    const { client, opened } = fakeClient(async () => ({ ok: true }));
    const told: string[] = [];
    const tell = async (t: string) => void told.push(t);
    const scope = { key: "cmd:1", attempt: 1, receivedAt: new Date(), replay: false };
    const ok = await inDelivery(scope, () =>
      openModalInTime({ logger }, { client, triggerId: "t1", tell, again: "it" }, view),
    );
    expect(ok).toBe(true);
    expect(opened).toEqual(["t1"]);
    expect(told).toEqual([]);
  });

  it("does not try a replayed delivery's trigger, or one older than 2.5 s: the person is told", async () => {
    const { client, opened } = fakeClient(async () => ({ ok: true }));
    const told: string[] = [];
    const tell = async (t: string) => void told.push(t);
    const replayed = { key: "cmd:2", attempt: 1, receivedAt: new Date(), replay: true };
    const old = { key: "cmd:3", attempt: 1, receivedAt: new Date(Date.now() - 5_000), replay: false };
    for (const scope of [replayed, old]) {
      const ok = await inDelivery(scope, () =>
        openModalInTime({ logger }, { client, triggerId: "t2", tell, again: "`/fleet onboard`" }, view),
      );
      expect(ok).toBe(false);
    }
    expect(opened).toEqual([]);
    expect(told).toHaveLength(2);
    expect(told[0]).toContain("`/fleet onboard` again");
  });

  it("tells the person when Slack refuses the trigger as expired, and throws other errors", async () => {
    const refuse = (error: string) => async () => {
      throw Object.assign(new Error(error), { data: { ok: false, error } });
    };
    const told: string[] = [];
    const tell = async (t: string) => void told.push(t);
    const expired = fakeClient(refuse("expired_trigger_id"));
    expect(
      await openModalInTime({ logger }, { client: expired.client, triggerId: "t3", tell, again: "it" }, view),
    ).toBe(false);
    expect(told).toHaveLength(1);
    const broken = fakeClient(refuse("invalid_blocks"));
    await expect(
      openModalInTime({ logger }, { client: broken.client, triggerId: "t4", tell, again: "it" }, view),
    ).rejects.toThrow("invalid_blocks");
  });
});
