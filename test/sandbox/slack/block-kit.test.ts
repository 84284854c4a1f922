import { describe, expect, it } from "vitest";
import { checkBlocks } from "../../../src/sandbox/slack/block-kit.ts";

/** The Slack error checkBlocks throws, with the messages of its response_metadata. */
function refusal(blocks: unknown[], maxBlocks = 50, pointer?: string): { code: string; messages: string[] } {
  try {
    checkBlocks(blocks, maxBlocks, pointer);
  } catch (error) {
    const { code, extra } = error as { code: string; extra: { response_metadata: { messages: string[] } } };
    return { code, messages: extra.response_metadata.messages };
  }
  throw new Error("checkBlocks accepted the blocks");
}

describe("checkBlocks", () => {
  it("accepts valid blocks up to the limit it is given", () => {
    const dividers = (n: number) => Array.from({ length: n }, () => ({ type: "divider" }));
    expect(() => checkBlocks(dividers(50), 50)).not.toThrow();
    expect(() => checkBlocks(dividers(100), 100, "/view/blocks")).not.toThrow();
    expect(refusal(dividers(101), 100, "/view/blocks").messages).toEqual([
      "[ERROR] 101 blocks (max 100) [json-pointer:/view/blocks]",
    ]);
  });

  it("reports limits.ts's findings with Slack's pointer to the block", () => {
    const long = { type: "header", text: { type: "plain_text", text: "h".repeat(151) } };
    const { code, messages } = refusal([{ type: "divider" }, long]);
    expect(code).toBe("invalid_blocks");
    expect(messages).toEqual([
      "[ERROR] block 2 (header): header text is 151 chars (max 150) [json-pointer:/blocks/1]",
    ]);
  });

  it("keeps the refusals limits.ts does not make", () => {
    const option = (i: number) => ({ text: { type: "plain_text", text: `o${i}` }, value: `v${i}` });
    const overflow = { type: "overflow", action_id: "more", options: [1, 2, 3, 4, 5, 6].map(option) };
    expect(refusal([{ type: "actions", elements: [overflow] }]).messages).toEqual([
      "[ERROR] no more than 5 items allowed [json-pointer:/blocks/0/elements/0/options]",
    ]);
    expect(refusal([{ type: "alert" }]).messages).toEqual([
      "[ERROR] unsupported type: alert [json-pointer:/blocks/0/type]",
    ]);
    const label = { type: "plain_text", text: "l".repeat(2001) };
    expect(refusal([{ type: "input", label, element: { type: "plain_text_input" } }]).messages).toEqual([
      "[ERROR] must be less than 2001 characters [json-pointer:/blocks/0/label/text]",
    ]);
    expect(
      refusal([{ type: "section", text: { type: "mrkdwn", text: "x" }, accessory: 7 }]).messages,
    ).toEqual(["[ERROR] must be an object [json-pointer:/blocks/0/accessory]"]);
  });
});
