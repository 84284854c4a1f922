import type { AnyBlock, KnownBlock } from "@slack/types";
import { describe, expect, it } from "vitest";
import { findBlockKitViolations } from "../../src/blocks/limits.ts";

const text = (n: number) => "x".repeat(n);
const option = (value: string, label = value, description?: string) => ({
  text: { type: "plain_text" as const, text: label },
  value,
  ...(description === undefined ? {} : { description: { type: "plain_text" as const, text: description } }),
});
const check = (blocks: AnyBlock[], maxBlocks = 50) => findBlockKitViolations(blocks, { maxBlocks });

describe("findBlockKitViolations", () => {
  it("accepts a valid message", () => {
    const blocks: KnownBlock[] = [
      { type: "header", block_id: "h", text: { type: "plain_text", text: "Hello" } },
      { type: "section", block_id: "s", text: { type: "mrkdwn", text: "*Hi*" } },
      { type: "divider" },
      {
        type: "actions",
        block_id: "a",
        elements: [
          { type: "checkboxes", action_id: "c", options: [option("v")], initial_options: [option("v")] },
          { type: "button", action_id: "b", text: { type: "plain_text", text: "Go" }, url: "https://x.io" },
        ],
      },
      { type: "context", elements: [{ type: "mrkdwn", text: "small" }] },
    ];
    expect(check(blocks)).toEqual([]);
  });

  it("counts blocks against the surface's maximum", () => {
    const blocks: KnownBlock[] = Array.from({ length: 51 }, () => ({ type: "divider" }));
    expect(check(blocks)).toEqual(["51 blocks (max 50)"]);
    expect(check(blocks, 100)).toEqual([]);
  });

  it("finds duplicate and overlong block_ids", () => {
    expect(
      check([
        { type: "divider", block_id: "same" },
        { type: "divider", block_id: "same" },
        { type: "divider", block_id: text(256) },
      ]),
    ).toEqual([
      'block 2 (divider "same"): duplicate block_id (also block 1)',
      `block 3 (divider "${text(256)}"): block_id is 256 chars (max 255)`,
    ]);
  });

  it("finds overlong header and section texts, and empty ones", () => {
    expect(
      check([
        { type: "header", text: { type: "plain_text", text: text(151) } },
        { type: "section", text: { type: "mrkdwn", text: text(3001) } },
        { type: "header", text: { type: "plain_text", text: "" } },
        { type: "section" },
      ]),
    ).toEqual([
      "block 1 (header): header text is 151 chars (max 150)",
      "block 2 (section): section text is 3001 chars (max 3000)",
      "block 3 (header): header text is empty",
      "block 4 (section): section has neither text nor fields",
    ]);
  });

  it("counts UTF-16 units, so emoji cannot sneak past a limit", () => {
    expect(check([{ type: "header", text: { type: "plain_text", text: "🚀".repeat(76) } }])).toEqual([
      "block 1 (header): header text is 152 chars (max 150)",
    ]);
  });

  it("finds checkboxes with too many options and options too long", () => {
    const many = Array.from({ length: 11 }, (_, i) => option(`v${i}`));
    expect(
      check([
        { type: "actions", elements: [{ type: "checkboxes", action_id: "c", options: many }] },
        {
          type: "section",
          text: { type: "mrkdwn", text: "x" },
          accessory: {
            type: "checkboxes",
            action_id: "d",
            options: [option(text(151), text(76), text(76))],
          },
        },
      ]),
    ).toEqual([
      'block 1 (actions): checkboxes "c" has 11 options (max 10)',
      'block 2 (section): text of option 1 of checkboxes "d" is 76 chars (max 75)',
      'block 2 (section): description of option 1 of checkboxes "d" is 76 chars (max 75)',
      'block 2 (section): value of option 1 of checkboxes "d" is 151 chars (max 150)',
    ]);
  });

  it("finds initial options that are not among the options", () => {
    expect(
      check([
        {
          type: "actions",
          elements: [
            {
              type: "checkboxes",
              action_id: "c",
              options: [option("a", "A")],
              initial_options: [option("a", "B")],
            },
          ],
        },
      ]),
    ).toEqual(['block 1 (actions): initial option "a" of checkboxes "c" is not one of its options']);
  });

  it("finds duplicate and overlong action_ids in a block, allowing the same id in another block", () => {
    const box = (actionId: string) => ({
      type: "checkboxes" as const,
      action_id: actionId,
      options: [option("v")],
    });
    expect(
      check([
        { type: "actions", elements: [box("tick:a"), box("tick:a")] },
        { type: "actions", elements: [box("tick:a"), box(text(256))] },
      ]),
    ).toEqual([
      'block 1 (actions): duplicate action_id "tick:a" in the block',
      `block 2 (actions): action_id of checkboxes "${text(256)}" is 256 chars (max 255)`,
    ]);
  });

  it("finds overlong buttons", () => {
    expect(
      check([
        {
          type: "actions",
          elements: [
            {
              type: "button",
              action_id: "b",
              text: { type: "plain_text", text: text(76) },
              url: `https://${text(3000)}`,
            },
          ],
        },
      ]),
    ).toEqual([
      'block 1 (actions): text of button "b" is 76 chars (max 75)',
      'block 1 (actions): url of button "b" is 3008 chars (max 3000)',
    ]);
  });

  it("finds too many actions elements and context elements", () => {
    const button = (i: number) => ({
      type: "button" as const,
      action_id: `b${i}`,
      text: { type: "plain_text" as const, text: "x" },
    });
    expect(
      check([
        { type: "actions", elements: Array.from({ length: 26 }, (_, i) => button(i)) },
        {
          type: "context",
          elements: Array.from({ length: 11 }, () => ({ type: "mrkdwn" as const, text: "x" })),
        },
      ]),
    ).toEqual(["block 1 (actions): 26 elements (max 25)", "block 2 (context): 11 context elements (max 10)"]);
  });

  it("finds unknown block types", () => {
    expect(check([{ type: "sectoin" }, { type: "divider" }])).toEqual([
      'block 1 (sectoin): unknown block type "sectoin"',
    ]);
  });
});
