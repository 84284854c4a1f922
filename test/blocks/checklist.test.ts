import type { ActionsBlock, Button, Checkboxes, KnownBlock, SectionBlock } from "@slack/types";
import { describe, expect, it } from "vitest";
import { buildChecklistMessage, type ChecklistMessageInput } from "../../src/blocks/checklist.ts";
import { findBlockKitViolations } from "../../src/blocks/limits.ts";
import { checklistItems, maxChecklistBlocks } from "../../src/checklist/items.ts";
import type { ItemState } from "../../src/checklist/progress.ts";
import type { ProviderTemplate } from "../../src/checklist/template-format.ts";
import { getTemplate, loadTemplates } from "../../src/checklist/template-registry.ts";
import { ActionId, MetadataEventType } from "../../src/slack-gateway/ids.ts";

const AT = new Date("2026-03-02T10:30:00Z");
const CALL = new Date("2026-03-05T15:00:00Z");

/** 200 characters (code points) of accents and emoji. */
const LONG_NAME = Array.from("Société Générale d'Électricité & Fils <Zürich> 🚀⚡👩‍💻 ".repeat(10))
  .slice(0, 200)
  .join("");

function input(
  template: ProviderTemplate,
  overrides: Partial<ChecklistMessageInput> = {},
): ChecklistMessageInput {
  return {
    template,
    companyName: "Acme",
    integrationUserName: "Fleet Integration",
    integrationUserEmail: "fleet+acme@fleet.io",
    state: new Map(),
    renderNonce: "n1",
    onboardingId: "8e1c2a4e-0000-4000-8000-000000000001",
    callAt: null,
    connectUrl: null,
    ...overrides,
  };
}

/** The named states every template is rendered in. */
function states(template: ProviderTemplate): Array<[string, Map<string, ItemState>]> {
  const keys = checklistItems(template).map((i) => i.key);
  const mixed = new Map<string, ItemState>();
  keys.forEach((k, i) => {
    if (i % 3 === 0) mixed.set(k, { done: true, source: "slack", byUserId: "U012ABCDEF", at: AT });
    if (i % 3 === 1) mixed.set(k, { done: true, source: "finch", at: AT, note: "read 5 employees" });
    if (i % 3 === 2)
      mixed.set(k, { done: false, source: "finch", note: "Finch could not read this: grant it" });
  });
  return [
    ["nothing done", new Map()],
    ["some done in Slack and by Finch", mixed],
    ["all done", new Map(keys.map((k) => [k, { done: true, source: "finch" as const, at: AT }]))],
  ];
}

function checkboxesOf(blocks: KnownBlock[]): Checkboxes[] {
  return blocks
    .filter((b): b is ActionsBlock => b.type === "actions")
    .flatMap((b) => b.elements.filter((e): e is Checkboxes => e.type === "checkboxes"));
}

function sectionTexts(blocks: KnownBlock[]): string[] {
  return blocks.filter((b): b is SectionBlock => b.type === "section").map((b) => b.text?.text ?? "");
}

describe("buildChecklistMessage fits Block Kit for every template and state", () => {
  for (const template of loadTemplates()) {
    for (const [name, state] of states(template)) {
      for (const companyName of ["Acme", LONG_NAME]) {
        it(`${template.id}: ${name}, company name of ${Array.from(companyName).length} chars`, () => {
          const message = buildChecklistMessage(
            input(template, {
              state,
              companyName,
              callAt: CALL,
              connectUrl: "https://connect.tryfinch.com/x",
            }),
          );
          expect(findBlockKitViolations(message.blocks, { maxBlocks: 50 })).toEqual([]);
          expect(message.blocks.length).toBe(maxChecklistBlocks(template));
          const json = JSON.stringify(message);
          expect(json).not.toContain("undefined");
          expect(json).not.toMatch(/\{(companyName|integrationUser[A-Za-z]*)\}/);
          // Slack's own date tokens ({date_short} …) are the only braces allowed.
          expect(json.replaceAll(/<!date\^[^>]*>/g, "")).not.toMatch(/\{[a-z][A-Za-z]+\}/);
        });
      }
    }
  }
});

describe("buildChecklistMessage for Justworks", () => {
  const template = getTemplate("justworks");
  const keys = checklistItems(template).map((i) => i.key);

  it("renders 40 blocks with a call time, 39 without", () => {
    expect(buildChecklistMessage(input(template, { callAt: CALL })).blocks).toHaveLength(40);
    expect(buildChecklistMessage(input(template)).blocks).toHaveLength(39);
  });

  it("gives every block a block_id carrying the nonce, all new on each render", () => {
    const a = buildChecklistMessage(input(template, { renderNonce: "aaa" })).blocks;
    const b = buildChecklistMessage(input(template, { renderNonce: "bbb" })).blocks;
    const idsA = a.map((block) => block.block_id ?? "");
    const idsB = b.map((block) => block.block_id ?? "");
    expect(idsA.every((id) => id.endsWith(":aaa"))).toBe(true);
    expect(idsB.every((id) => id.endsWith(":bbb"))).toBe(true);
    expect(idsA.filter((id) => idsB.includes(id))).toEqual([]);
    expect(idsA).toContain("s3:perm:payments-invoices-reporting:aaa");
  });

  it("rejects a nonce that could break block_ids", () => {
    expect(() => buildChecklistMessage(input(template, { renderNonce: "" }))).toThrow(RangeError);
    expect(() => buildChecklistMessage(input(template, { renderNonce: "a:b" }))).toThrow(/renderNonce/);
    expect(() => buildChecklistMessage(input(template, { renderNonce: "x".repeat(65) }))).toThrow(
      /renderNonce/,
    );
  });

  it("makes every item its own single-option checkbox, ticked only when done", () => {
    const state = new Map<string, ItemState>([
      ["add-user", { done: true, source: "slack", byUserId: "U012ABCDEF", at: AT }],
      ["payments-invoices-reporting", { done: true, source: "finch", at: AT }],
      ["benefits-manage", { done: true, source: "slack", byUserId: null }],
      ["grant-admin", { done: false, source: "slack", byUserId: "U012ABCDEF" }],
    ]);
    const boxes = checkboxesOf(buildChecklistMessage(input(template, { state })).blocks);
    expect(boxes.map((b) => b.action_id)).toEqual(keys.map((k) => `tick:${k}`));
    for (const box of boxes) {
      expect(box.options).toHaveLength(1);
      const key = box.options[0]!.value!;
      if (state.get(key)?.done) expect(box.initial_options).toEqual(box.options);
      else expect(box.initial_options).toBeUndefined();
    }
    const byKey = new Map(boxes.map((b) => [b.options[0]!.value, b.options[0]!]));
    expect(byKey.get("add-user")!.description?.text).toBe(
      `Ticked by <@U012ABCDEF> · <!date^${AT.getTime() / 1000}^{date_short}|2026-03-02>`,
    );
    expect(byKey.get("payments-invoices-reporting")!.description?.text).toMatch(
      /^Verified by Finch · <!date\^/,
    );
    expect(byKey.get("benefits-manage")!.description?.text).toBe("Ticked in Slack");
    expect(byKey.get("hr-manage")!.text.text).toBe("Manage employees");
    // Each open box says who checks it (Fleet through Finch, or you) and where it is switched on.
    expect(byKey.get("hr-manage")!.description?.text).toBe(
      "You tick it · Fleet's guide + Finch · Company > Permissions > Company HR",
    );
    expect(byKey.get("hr-view-basic")!.description?.text).toBe(
      "Fleet checks it through Finch · Company > Permissions > Company HR",
    );
    expect(byKey.get("grant-admin")!.description?.text).toBe(
      "Tick when done · Fleet checks it through Finch once connected",
    );
    expect(byKey.get("connect")!.description?.text).toBe("Ticks itself when Finch verifies the connection");
  });

  it("shows why verification failed under an open item", () => {
    const state = new Map<string, ItemState>([
      [
        "payments-invoices-reporting",
        { done: false, source: "finch", note: "Finch could not list payments" },
      ],
    ]);
    const boxes = checkboxesOf(buildChecklistMessage(input(template, { state })).blocks);
    const box = boxes.find((b) => b.action_id === "tick:payments-invoices-reporting")!;
    expect(box.options[0]!.description?.text).toBe("⚠️ Finch could not list payments");
  });

  it("states progress in the fallback text, the progress line and the metadata", () => {
    const state = new Map<string, ItemState>(
      ["add-user", "grant-admin", "verify-permissions", "note-details", "settings-view-company"].map((k) => [
        k,
        { done: true, source: "slack" },
      ]),
    );
    const message = buildChecklistMessage(input(template, { state }));
    expect(message.text).toBe("Justworks setup checklist for Acme — 4 of 6 steps done");
    const progressLine = sectionTexts(message.blocks).find((t) => t.startsWith("*4 of 6 steps done*"));
    // The open boxes by name, with who acts and how each is checked; never "your HR admin".
    expect(progressLine).toContain("▰▰▰▰▱▱\n12 things left for you: ");
    expect(progressLine).toContain("*View basic employee info* in step 3 (Fleet checks it through Finch)");
    expect(progressLine).toContain("and 8 more.");
    expect(progressLine).not.toContain("HR admin");
    expect(message.metadata).toEqual({
      event_type: MetadataEventType.checklist,
      event_payload: {
        onboarding_id: "8e1c2a4e-0000-4000-8000-000000000001",
        steps_done: 4,
        steps_total: 6,
        items_done: 5,
        items_total: 18,
      },
    });
    expect(sectionTexts(message.blocks).find((t) => t.startsWith("*Step 3"))).toContain("1 of 13 granted");
  });

  it("says when the customer's part is done, and when everything is", () => {
    const customerDone = new Map<string, ItemState>(
      keys.filter((k) => k !== "connect").map((k) => [k, { done: true, source: "slack" }]),
    );
    const progressOf = (state: Map<string, ItemState>) =>
      sectionTexts(buildChecklistMessage(input(template, { state })).blocks).find((t) =>
        t.includes("steps done*"),
      );
    expect(progressOf(customerDone)).toContain(
      "Your part is done. One thing left for Fleet: *Complete the connection* in step 6.",
    );
    customerDone.set("connect", { done: true, source: "finch" });
    expect(progressOf(customerDone)).toContain("*6 of 6 steps done*   ▰▰▰▰▰▰\n:white_check_mark: All done");
    expect(buildChecklistMessage(input(template, { state: customerDone })).text).toBe(
      "Justworks setup checklist for Acme — 6 of 6 steps done",
    );
  });

  it("tells the HR admin exactly what to enter in step 1: Finch's form with Fleet's integration user", () => {
    const texts = sectionTexts(buildChecklistMessage(input(template)).blocks);
    const step1 = texts.find((t) => t.startsWith("*Step 1 · "))!;
    expect(step1).toContain(":bust_in_silhouette: Your part");
    expect(step1).toContain("Member Type: `3rd Party Admin/Accountant`");
    expect(step1).toContain("First Name: `Fleet`");
    expect(step1).toContain("Last Name: `Integration`");
    expect(step1).toContain("Work Email: `fleet+acme@fleet.io`");
    expect(step1).toContain("Show in Directory and Org Chart: `No`");
    expect(step1).toContain("*Manage &gt; Employees*");
    expect(texts.find((t) => t.startsWith("*Step 6 · "))).toContain(":office: Fleet");
  });

  it("explains which permission a person must confirm", () => {
    const step3 = sectionTexts(buildChecklistMessage(input(template)).blocks).find((t) =>
      t.startsWith("*Step 3"),
    )!;
    expect(step3).toContain("except *Manage employees*, *Upload &amp; view all documents*, *View reports*");
    expect(step3).toContain("*Manage company benefits*: tick those yourself");
    const groups = sectionTexts(buildChecklistMessage(input(template)).blocks).filter((t) =>
      /^\*[^*]+\*$/.test(t),
    );
    expect(groups).toEqual(["*Company HR*", "*Settings*", "*Payments*", "*Benefits*"]);
  });

  it("shows the call time in each reader's own time zone", () => {
    const json = JSON.stringify(buildChecklistMessage(input(template, { callAt: CALL })).blocks);
    expect(json).toContain(
      `:calendar: *Onboarding call:* <!date^${CALL.getTime() / 1000}^` +
        "{date_short_pretty} at {time}|2026-03-05 15:00 UTC>",
    );
    expect(JSON.stringify(buildChecklistMessage(input(template)).blocks)).not.toContain("Onboarding call");
  });

  it("puts the Connect button beside step 6 until the connection is made", () => {
    const url = "https://connect.tryfinch.com/authorize?session=abc";
    const buttonOf = (state: Map<string, ItemState>, connectUrl: string | null) =>
      buildChecklistMessage(input(template, { state, connectUrl }))
        .blocks.filter((b): b is ActionsBlock => b.type === "actions")
        .flatMap((b) => b.elements.filter((e): e is Button => e.type === "button").map((e) => ({ b, e })));
    const [found, ...more] = buttonOf(new Map(), url);
    expect(more).toEqual([]);
    expect(found!.b.block_id).toBe("s6:item:connect:n1");
    expect(found!.e).toMatchObject({
      action_id: ActionId.connectLink,
      url,
      style: "primary",
      text: { type: "plain_text", text: "Connect Justworks" },
    });
    expect(buttonOf(new Map(), null)).toEqual([]);
    expect(buttonOf(new Map([["connect", { done: true, source: "finch" }]]), url)).toEqual([]);
  });

  it("keeps a very long company name within the header and escapes it in mrkdwn", () => {
    const message = buildChecklistMessage(input(template, { companyName: LONG_NAME }));
    const header = message.blocks[0]!;
    expect(header.type).toBe("header");
    const headerText = (header as { text: { text: string } }).text.text;
    expect(headerText.length).toBeLessThanOrEqual(150);
    expect(
      headerText.startsWith("Justworks setup for Société Générale d'Électricité & Fils <Zürich> 🚀⚡👩‍💻"),
    ).toBe(true);
    expect(headerText.endsWith("…")).toBe(true);
    expect(message.text).toMatch(
      /^Justworks setup checklist for Société Générale d'Électricité &amp; Fils &lt;Zürich&gt;/,
    );
    const step6 = sectionTexts(message.blocks).find((t) => t.startsWith("*Step 6"))!;
    expect(step6).toContain("&lt;Zürich&gt;");
    expect(step6).not.toContain("<Zürich>");
  });

  it("ends with the troubleshooting tips", () => {
    const last = buildChecklistMessage(input(template)).blocks.at(-1)!;
    expect(last.type).toBe("context");
    expect(JSON.stringify(last)).toContain("Troubleshooting");
    expect(JSON.stringify(last)).toContain("username is usually *not* your email");
  });
});

describe("buildChecklistMessage shows the template's auth note", () => {
  const justworks = getTemplate("justworks");
  const setupOf = (template: ProviderTemplate) =>
    JSON.stringify(buildChecklistMessage(input(template)).blocks.find((b) => b.block_id === "setup:n1"));

  it("beside 'Before you begin', filled and escaped, without adding a block", () => {
    const withNote: ProviderTemplate = {
      ...justworks,
      finch: {
        ...justworks.finch,
        authMethod: "assisted",
        authNote: "Finch sets up *{companyName}* > later.",
      },
    };
    const setup = setupOf(withNote);
    expect(setup).toContain(":link: *How you connect:* Finch sets up *Acme* &gt; later.");
    expect(buildChecklistMessage(input(withNote)).blocks).toHaveLength(
      buildChecklistMessage(input(justworks)).blocks.length,
    );
  });

  it("and nothing when the template has none", () => {
    expect(setupOf({ ...justworks, finch: { ...justworks.finch, authNote: null } })).not.toContain(
      "How you connect",
    );
  });
});
