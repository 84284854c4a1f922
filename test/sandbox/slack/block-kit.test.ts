/**
 * The Slack stand-in's Block Kit rules are its own, transcribed from Slack's reference pages: these tests
 * name each rule with the page's numbers, and one test keeps the stand-in from importing the app's rules.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { checkBlocks, findBlockProblems } from "../../../src/sandbox/slack/block-kit.ts";
import { checkImports, readSources } from "../../architecture/import-rules.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

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

const plain = (text: string) => ({ type: "plain_text", text });
const option = (text: string, value: string) => ({ text: plain(text), value });
const inActions = (element: Record<string, unknown>) => ({ type: "actions", elements: [element] });

describe("the stand-in's Block Kit rules", () => {
  it("accepts valid blocks up to the limit it is given", () => {
    const dividers = (n: number) => Array.from({ length: n }, () => ({ type: "divider" }));
    expect(() => checkBlocks(dividers(50), 50)).not.toThrow();
    expect(() => checkBlocks(dividers(100), 100, "/view/blocks")).not.toThrow();
    expect(refusal(dividers(101), 100, "/view/blocks").messages).toEqual([
      "[ERROR] no more than 100 items allowed [json-pointer:/view/blocks]",
    ]);
  });

  it("accepts every limit exactly at its value", () => {
    const atLimit = [
      { type: "header", block_id: "b".repeat(255), text: plain("h".repeat(150)) },
      { type: "section", text: { type: "mrkdwn", text: "s".repeat(3000) } },
      {
        type: "section",
        fields: Array.from({ length: 10 }, () => ({ type: "mrkdwn", text: "f".repeat(2000) })),
      },
      inActions({
        type: "checkboxes",
        action_id: "a".repeat(255),
        options: Array.from({ length: 10 }, (_, i) => option("t".repeat(75), `${i}${"v".repeat(149)}`)),
        initial_options: [option("t".repeat(75), `0${"v".repeat(149)}`)],
      }),
      inActions({ type: "button", text: plain("b".repeat(75)), value: "v".repeat(2000) }),
      { type: "context", elements: Array.from({ length: 10 }, () => ({ type: "mrkdwn", text: "c" })) },
      {
        type: "input",
        label: plain("l".repeat(2000)),
        element: { type: "plain_text_input", max_length: 3000 },
      },
    ];
    expect(findBlockProblems(atLimit, 50)).toEqual([]);
  });

  // [name, blocks, the message Slack's reference implies, at its json-pointer]
  const refused: Array<[string, unknown[], string]> = [
    [
      "header over 150",
      [{ type: "header", text: plain("h".repeat(151)) }],
      "must be less than 151 characters [json-pointer:/blocks/0/text/text]",
    ],
    [
      "header in mrkdwn",
      [{ type: "header", text: { type: "mrkdwn", text: "h" } }],
      "must be plain_text [json-pointer:/blocks/0/text/type]",
    ],
    [
      "section without text or fields",
      [{ type: "section" }],
      "missing required field: text or fields [json-pointer:/blocks/0]",
    ],
    [
      "section over 3000",
      [{ type: "section", text: plain("s".repeat(3001)) }],
      "must be less than 3001 characters [json-pointer:/blocks/0/text/text]",
    ],
    [
      "11 section fields",
      [{ type: "section", fields: Array.from({ length: 11 }, () => plain("f")) }],
      "no more than 10 items allowed [json-pointer:/blocks/0/fields]",
    ],
    [
      "empty text",
      [{ type: "section", text: { type: "mrkdwn", text: "" } }],
      "must be more than 0 characters [json-pointer:/blocks/0/text/text]",
    ],
    [
      "block_id over 255",
      [{ type: "divider", block_id: "b".repeat(256) }],
      "must be less than 256 characters [json-pointer:/blocks/0/block_id]",
    ],
    [
      "duplicate block_id",
      [
        { type: "divider", block_id: "x" },
        { type: "divider", block_id: "x" },
      ],
      'duplicate block_id "x" [json-pointer:/blocks/1/block_id]',
    ],
    [
      "unknown block type",
      [{ type: "carousel" }],
      "unsupported type: carousel [json-pointer:/blocks/0/type]",
    ],
    [
      "actions without elements",
      [{ type: "actions" }],
      "missing required field: elements [json-pointer:/blocks/0]",
    ],
    [
      "26 actions",
      [
        {
          type: "actions",
          elements: Array.from({ length: 26 }, (_, i) => ({
            type: "button",
            action_id: `a${i}`,
            text: plain("b"),
          })),
        },
      ],
      "no more than 25 items allowed [json-pointer:/blocks/0/elements]",
    ],
    [
      "an element that is not an object",
      [{ type: "actions", elements: ["go"] }],
      "must be an object [json-pointer:/blocks/0/elements/0]",
    ],
    [
      "11 checkbox options",
      [
        inActions({
          type: "checkboxes",
          options: Array.from({ length: 11 }, (_, i) => option("o", `v${i}`)),
        }),
      ],
      "no more than 10 items allowed [json-pointer:/blocks/0/elements/0/options]",
    ],
    [
      "checkboxes without options",
      [inActions({ type: "checkboxes", action_id: "c" })],
      "missing required field: options [json-pointer:/blocks/0/elements/0]",
    ],
    [
      "checkbox option without value",
      [inActions({ type: "checkboxes", options: [{ text: plain("o") }] })],
      "missing required field: value [json-pointer:/blocks/0/elements/0/options/0]",
    ],
    [
      "option text over 75",
      [inActions({ type: "checkboxes", options: [option("t".repeat(76), "v")] })],
      "must be less than 76 characters [json-pointer:/blocks/0/elements/0/options/0/text/text]",
    ],
    [
      "option value over 150",
      [inActions({ type: "checkboxes", options: [option("t", "v".repeat(151))] })],
      "must be less than 151 characters [json-pointer:/blocks/0/elements/0/options/0/value]",
    ],
    [
      "initial option not offered",
      [inActions({ type: "checkboxes", options: [option("a", "1")], initial_options: [option("b", "2")] })],
      "must match one of the options [json-pointer:/blocks/0/elements/0/initial_options/0]",
    ],
    [
      "button text over 75",
      [inActions({ type: "button", text: plain("b".repeat(76)) })],
      "must be less than 76 characters [json-pointer:/blocks/0/elements/0/text/text]",
    ],
    [
      "button without text",
      [inActions({ type: "button", action_id: "go" })],
      "missing required field: text [json-pointer:/blocks/0/elements/0]",
    ],
    [
      "button url over 3000",
      [inActions({ type: "button", text: plain("b"), url: `https://x.example/${"u".repeat(3000)}` })],
      "must be less than 3001 characters [json-pointer:/blocks/0/elements/0/url]",
    ],
    [
      "button style",
      [inActions({ type: "button", text: plain("b"), style: "loud" })],
      "must be primary or danger [json-pointer:/blocks/0/elements/0/style]",
    ],
    [
      "action_id over 255",
      [inActions({ type: "button", text: plain("b"), action_id: "a".repeat(256) })],
      "must be less than 256 characters [json-pointer:/blocks/0/elements/0/action_id]",
    ],
    [
      "duplicate action_id in a block",
      [
        {
          type: "actions",
          elements: [
            { type: "button", action_id: "go", text: plain("A") },
            { type: "button", action_id: "go", text: plain("B") },
          ],
        },
      ],
      'duplicate action_id "go" [json-pointer:/blocks/0/elements/1/action_id]',
    ],
    [
      "overflow with 6 options",
      [inActions({ type: "overflow", options: Array.from({ length: 6 }, (_, i) => option("o", `v${i}`)) })],
      "no more than 5 items allowed [json-pointer:/blocks/0/elements/0/options]",
    ],
    [
      "select placeholder over 150",
      [inActions({ type: "users_select", placeholder: plain("p".repeat(151)) })],
      "must be less than 151 characters [json-pointer:/blocks/0/elements/0/placeholder/text]",
    ],
    [
      "static select without options",
      [inActions({ type: "static_select" })],
      "must provide exactly one of options or option_groups [json-pointer:/blocks/0/elements/0]",
    ],
    [
      "a text input in an actions block",
      [inActions({ type: "plain_text_input" })],
      "plain_text_input is not allowed in actions blocks [json-pointer:/blocks/0/elements/0/type]",
    ],
    [
      "a button in an input block",
      [{ type: "input", label: plain("l"), element: { type: "button", text: plain("b") } }],
      "button is not allowed in input blocks [json-pointer:/blocks/0/element/type]",
    ],
    [
      "input without element",
      [{ type: "input", label: plain("l") }],
      "missing required field: element [json-pointer:/blocks/0]",
    ],
    [
      "input label over 2000",
      [{ type: "input", label: plain("l".repeat(2001)), element: { type: "plain_text_input" } }],
      "must be less than 2001 characters [json-pointer:/blocks/0/label/text]",
    ],
    [
      "11 context elements",
      [{ type: "context", elements: Array.from({ length: 11 }, () => plain("c")) }],
      "no more than 10 items allowed [json-pointer:/blocks/0/elements]",
    ],
    [
      "image without alt_text",
      [{ type: "image", image_url: "https://x.example/a.png" }],
      "missing required field: alt_text [json-pointer:/blocks/0]",
    ],
    [
      "confirm without deny",
      [
        inActions({
          type: "button",
          text: plain("b"),
          confirm: { title: plain("t"), text: plain("x"), confirm: plain("ok") },
        }),
      ],
      "missing required field: deny [json-pointer:/blocks/0/elements/0/confirm]",
    ],
  ];

  it.each(refused)("refuses %s with invalid_blocks", (_name, blocks, message) => {
    const { code, messages } = refusal(blocks);
    expect(code).toBe("invalid_blocks");
    expect(messages).toContain(`[ERROR] ${message}`);
  });
});

describe("the stand-in is a witness", () => {
  it("imports none of the app's rules, views, templates or domain", () => {
    const sources = new Map(
      [...readSources(ROOT, "src")].filter(([file]) => file.startsWith("src/sandbox/slack/")),
    );
    expect(sources.size).toBeGreaterThan(10);
    const appRules = (t: string) =>
      ["src/slack/", "src/blocks/", "src/checklist/", "src/onboarding/", "src/slack-gateway/"].some((p) =>
        t.startsWith(p),
      );
    const found = checkImports(sources, [{ name: "witness", from: () => true, forbidden: appRules }]).map(
      (v) => `${v.from}:${v.line} imports ${v.to}`,
    );
    expect(found).toEqual([]);
  });
});
