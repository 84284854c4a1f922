/** The Finch message builders, checked against Block Kit's limits and for what they must (not) say. */
import { describe, expect, it } from "vitest";
import {
  buildConnectLinkMessage,
  buildDisconnectConfirmation,
  buildVerificationMessage,
  verificationSummaryText,
} from "../../src/blocks/finch.ts";
import { findBlockKitViolations } from "../../src/blocks/limits.ts";
import { getTemplate } from "../../src/checklist/template-registry.ts";
import {
  type PermissionOutcome,
  type PermissionResultKind,
  setupStepsOf,
  type VerificationOutcome,
  type VerificationReport,
} from "../../src/finch/report.ts";
import { ActionId, MetadataEventType } from "../../src/slack-gateway/ids.ts";

const template = getTemplate("justworks");
const ONBOARDING = "8e1c2a4e-0000-4000-8000-000000000001";
const AT = new Date("2026-03-02T10:30:00Z");
const LONG = "Société Générale <Zürich> & Fils 🚀 ".repeat(20);

/** Six permissions as Finch's Justworks page named them: fixed test data, independent of the shipped template. */
const PERMISSIONS = [
  ["settings-edit-employee-permissions", "Settings", "Edit employee permissions", "none"],
  ["settings-edit-company", "Settings", "Edit company settings", "company"],
  ["payments-invoices-reporting", "Payments", "View invoices & reporting", "payment"],
  ["hr-manage", "Company HR", "Manage employees", "directory"],
  ["hr-documents", "Company HR", "Upload & view all documents", "none"],
  ["benefits-manage", "Benefits", "Manage company benefits", "benefits"],
].map(([key = "", group = "", label = "", check = ""]) => ({
  key,
  group,
  label,
  check: check as PermissionOutcome["check"],
  fix: `Required by Finch · Company > Permissions > ${group}`,
  where: `Company > Permissions > ${group}`,
}));

function permissions(resultOf: (key: string, check: string) => PermissionResultKind): PermissionOutcome[] {
  return PERMISSIONS.map((p) => ({
    key: p.key,
    label: p.label,
    group: p.group,
    fix: p.fix,
    where: p.where,
    check: p.check,
    result: p.check === "none" ? "unverifiable" : resultOf(p.key, p.check),
  }));
}

function report(
  outcome: VerificationOutcome,
  overrides: Partial<VerificationReport> = {},
): VerificationReport {
  return {
    onboardingId: ONBOARDING,
    companyName: "Acme",
    providerName: "Justworks",
    outcome,
    connection: {
      status: "connected",
      providerId: "justworks",
      entities: [{ name: "Acme Inc.", status: "connected" }],
    },
    permissions: permissions(() => "granted"),
    setupSteps: setupStepsOf(template),
    checkedAt: AT,
    ...overrides,
  };
}

const blockText = (blocks: unknown[]) => JSON.stringify(blocks);

describe("buildVerificationMessage", () => {
  const outcomes: VerificationOutcome[] = [
    "verified",
    "missing",
    "syncing",
    "retry",
    "reauth",
    "setup_required",
    "error",
  ];
  it.each(outcomes)(
    "renders a valid message for %s, with a Re-check button carrying the onboarding id",
    (outcome) => {
      const message = buildVerificationMessage(report(outcome));
      expect(findBlockKitViolations(message.blocks, { maxBlocks: 50 })).toEqual([]);
      expect(message.metadata.event_type).toBe(MetadataEventType.verification);
      expect(message.metadata.event_payload).toMatchObject({ onboarding_id: ONBOARDING, outcome });
      const button = message.blocks
        .flatMap((b) => (b.type === "actions" ? b.elements : []))
        .find((e) => e.type === "button" && e.action_id === ActionId.recheck);
      expect(button).toMatchObject({ value: ONBOARDING });
    },
  );

  it("names every missing permission with its fix path, and says it is not a success", () => {
    const denied = new Set(["payment", "benefits"]);
    const r = report("missing", {
      permissions: permissions((_k, check) => (denied.has(check) ? "missing" : "granted")),
    });
    const message = buildVerificationMessage(r);
    const text = blockText(message.blocks);
    for (const p of r.permissions.filter((x) => x.result === "missing")) {
      expect(text).toContain(p.label.replaceAll("&", "&amp;"));
      expect(text).toContain(p.fix.replace(/^.* · /, "").replaceAll(">", "&gt;"));
    }
    expect(text).toContain("2 permissions are missing");
    // Where to switch it on, from the fix's place alone: no "Required by Finch ·" glued in front.
    expect(text).toContain("Turn it on in Justworks: _Company &gt; Permissions &gt; Payments_");
    expect(text).not.toContain("Required by Finch");
    expect(text).not.toContain("verified.*");
    expect(message.text).toContain("missing: View invoices & reporting, Manage company benefits");
    expect(message.metadata.event_payload).toMatchObject({ missing: 2, granted: 2, checked: 4 });
    expect(text).not.toContain("read-only");
    expect(text).toContain("Finch can't see this one: tick it in the checklist once it's on");
  });

  it("explains the third-party admin set-up with the guide's steps 1–2", () => {
    const text = blockText(buildVerificationMessage(report("setup_required", { permissions: [] })).blocks);
    expect(text).toContain("Step 1 · Add Fleet's integration user");
    expect(text).toContain("Step 2 · Make the integration user an administrator");
    expect(text).toContain("third-party administrator");
  });

  it("stays within limits with huge names and many entities, and escapes mrkdwn in data", () => {
    const message = buildVerificationMessage(
      report("verified", {
        companyName: LONG,
        connection: {
          status: "connected",
          providerId: "justworks",
          entities: Array.from({ length: 40 }, () => ({ name: LONG, status: "connected" })),
        },
      }),
    );
    expect(findBlockKitViolations(message.blocks, { maxBlocks: 50 })).toEqual([]);
    expect(blockText(message.blocks)).not.toContain("<Zürich>");
  });

  it("shows Finch's connection message and each sign-in method's status, escaped", () => {
    const r = report("syncing", {
      connection: {
        status: "processing",
        providerId: "justworks",
        entities: [],
        message: "Sync <in progress> & more",
        methods: [{ type: "credential", status: "processing", message: "Fetching data" }],
      },
    });
    // The customer's report speaks plainly; Finch's own codes and words are a detail for the rep.
    const text = blockText(buildVerificationMessage(r).blocks);
    expect(text).toContain("*Connection:* being set up");
    expect(text).not.toContain("Sync &lt;in progress&gt;");
    expect(text).not.toContain("credential");
    expect(text).not.toContain("processing");
    const rep = verificationSummaryText(r, "C1");
    expect(rep).toContain("“Sync &lt;in progress&gt; &amp; more”");
    expect(rep).toContain("credential: `processing` “Fetching data”");
    expect(verificationSummaryText(report("syncing", { connection: null }), "C1")).not.toContain(
      "Finch's detail",
    );
    // The method's message is not repeated when it is the connection's own.
    const same = report("syncing", {
      connection: {
        status: "processing",
        providerId: "justworks",
        entities: [],
        message: "Syncing",
        methods: [{ type: "credential", status: "processing", message: "Syncing" }],
      },
    });
    expect(verificationSummaryText(same, "C1")).not.toContain("`processing` “Syncing”");
  });

  it("tells an assisted customer that Finch may take days, and a credential one that the sync is running", () => {
    const assisted = blockText(
      buildVerificationMessage(report("syncing", { authMethod: "assisted" })).blocks,
    );
    expect(assisted).toContain("can take a few days");
    expect(assisted).toContain("Fleet keeps checking");
    const credential = blockText(
      buildVerificationMessage(report("syncing", { authMethod: "credential" })).blocks,
    );
    expect(credential).not.toContain("few days");
    expect(credential).toContain("still syncing");
  });

  it("says a permission Finch does not offer is for a person, without a red cross", () => {
    const r = report("verified", {
      permissions: permissions((_k, c) => (c === "benefits" ? "unsupported" : "granted")),
    });
    const text = blockText(buildVerificationMessage(r).blocks);
    expect(text).toContain("Manage company benefits — Finch can't see this one for Justworks");
    expect(text).not.toContain(":x:");
  });

  it("gives each result kind its own wording", () => {
    const kinds: PermissionResultKind[] = [
      "granted",
      "missing",
      "not_in_scope",
      "syncing",
      "unsupported",
      "no_sample",
      "blocked",
      "retry",
      "error",
    ];
    for (const kind of kinds) {
      const text = blockText(
        buildVerificationMessage(report("syncing", { permissions: permissions(() => kind) })).blocks,
      );
      expect(text.length).toBeGreaterThan(0);
    }
    const syncing = blockText(
      buildVerificationMessage(report("syncing", { permissions: permissions(() => "syncing") })).blocks,
    );
    expect(syncing).toContain("still syncing");
  });

  it("summarises for the rep without employee data", () => {
    expect(verificationSummaryText(report("verified"), "C1")).toContain("connected and verified");
    const missing = report("missing", {
      permissions: permissions((_k, c) => (c === "benefits" ? "missing" : "granted")),
    });
    expect(verificationSummaryText(missing, "C1")).toContain("Manage company benefits");
    expect(verificationSummaryText(missing, "C1")).toContain("<#C1>");
  });
});

describe("buildConnectLinkMessage", () => {
  it.each(["connect", "reconnect"] as const)("renders a valid %s message pointing at our own URL", (kind) => {
    const url = `https://fleet.example/${kind === "connect" ? "connect" : "reconnect"}/abc.def`;
    const message = buildConnectLinkMessage({
      onboardingId: ONBOARDING,
      companyName: LONG,
      providerName: "Justworks",
      url,
      kind,
      reason: kind === "reconnect" ? "Finch can no longer sign in." : undefined,
    });
    expect(findBlockKitViolations(message.blocks, { maxBlocks: 50 })).toEqual([]);
    expect(message.metadata).toEqual({
      event_type: MetadataEventType.connectLink,
      event_payload: { onboarding_id: ONBOARDING, kind },
    });
    const button = message.blocks.flatMap((b) => (b.type === "actions" ? b.elements : []))[0];
    expect(button).toMatchObject({ type: "button", action_id: ActionId.connectLink, url });
    expect(blockText(message.blocks)).toContain(
      kind === "connect" ? "Connect Justworks" : "Reconnect Justworks",
    );
  });
});

describe("buildDisconnectConfirmation", () => {
  it("is a danger button with a confirmation, carrying the onboarding id", () => {
    const message = buildDisconnectConfirmation({
      onboardingId: ONBOARDING,
      companyName: LONG,
      providerName: "Justworks",
    });
    expect(findBlockKitViolations(message.blocks, { maxBlocks: 50 })).toEqual([]);
    const button = message.blocks.flatMap((b) => (b.type === "actions" ? b.elements : []))[0];
    expect(button).toMatchObject({
      action_id: ActionId.confirmDisconnect,
      value: ONBOARDING,
      style: "danger",
    });
    expect(button).toHaveProperty("confirm");
  });
});
