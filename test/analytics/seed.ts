/**
 * A known audit trail for the analytics tests: five onboardings around "now" (Wednesday 2026-03-18 12:00 UTC),
 * each figure of the report computable by hand (see the expectations in report.test.ts).
 */
import type { Database } from "../../src/db/client.ts";

export const NOW = new Date("2026-03-18T12:00:00Z");
const at = (iso: string) => new Date(iso);

interface SeedOnboarding {
  key: string;
  provider: string;
  channel: string | null;
  createdAt: string;
  status?: string;
  lastActivity?: string;
  /** `sentAt` absent: never sent through Slack Connect (an HR admin who works by email from the start). */
  invites?: Array<{ email: string; sentAt?: string; status: string }>;
  audit?: Array<{ action: string; at: string; email?: string }>;
  verifications?: Array<{ status: string; at: string; method: string }>;
  ticks?: Array<{ item: string; at: string; checked?: boolean }>;
  connection?: { verified: boolean };
}

const ONBOARDINGS: SeedOnboarding[] = [
  {
    key: "a",
    provider: "justworks",
    channel: "C0A",
    createdAt: "2026-03-09T10:00:00Z",
    status: "done",
    invites: [{ email: "a1@a.example", sentAt: "2026-03-09T10:00:00Z", status: "approved" }],
    audit: [
      { action: "invite.accepted", at: "2026-03-09T16:00:00Z", email: "a1@a.example" },
      { action: "invite.approved", at: "2026-03-09T17:00:00Z", email: "a1@a.example" },
      { action: "finch.connected", at: "2026-03-10T10:00:00Z" },
    ],
    verifications: [{ status: "verified", at: "2026-03-11T10:00:00Z", method: "credential" }],
    ticks: [
      { item: "step1", at: "2026-03-09T12:00:00Z" },
      { item: "step2", at: "2026-03-10T10:00:00Z" },
    ],
    connection: { verified: true },
  },
  {
    key: "b",
    provider: "justworks",
    channel: "C0B",
    createdAt: "2026-03-10T00:00:00Z",
    lastActivity: "2026-03-14T00:00:00Z",
    invites: [
      { email: "b1@b.example", sentAt: "2026-03-10T00:00:00Z", status: "approved" },
      { email: "b2@b.example", sentAt: "2026-03-10T00:00:00Z", status: "declined" },
    ],
    audit: [
      { action: "invite.accepted", at: "2026-03-11T00:00:00Z", email: "b1@b.example" },
      { action: "invite.declined", at: "2026-03-12T00:00:00Z", email: "b2@b.example" },
      { action: "finch.connected", at: "2026-03-12T00:00:00Z" },
      // A second connection (a reconnect) does not move the first moment.
      { action: "finch.connected", at: "2026-03-15T00:00:00Z" },
    ],
    verifications: [
      { status: "missing_permissions", at: "2026-03-12T01:00:00Z", method: "credential" },
      { status: "verified", at: "2026-03-14T00:00:00Z", method: "credential" },
    ],
    ticks: [
      { item: "step1", at: "2026-03-10T04:00:00Z" },
      { item: "step1", at: "2026-03-10T05:00:00Z", checked: false },
      { item: "step1", at: "2026-03-10T06:00:00Z" },
    ],
    connection: { verified: true },
  },
  {
    key: "c",
    provider: "gusto",
    channel: "C0C",
    createdAt: "2026-03-16T09:00:00Z",
    lastActivity: "2026-03-17T09:00:00Z",
    audit: [{ action: "finch.connected", at: "2026-03-17T09:00:00Z" }],
    verifications: [{ status: "missing_permissions", at: "2026-03-17T10:00:00Z", method: "assisted" }],
    connection: { verified: false },
  },
  {
    key: "d",
    provider: "bamboo_hr",
    channel: "C0D",
    createdAt: "2026-02-20T00:00:00Z",
    // Two Slack Connect invitations never answered, and a third HR admin the rep sent to email: an email customer.
    invites: [
      { email: "d1@d.example", sentAt: "2026-02-20T00:00:00Z", status: "sent" },
      { email: "d2@d.example", sentAt: "2026-02-25T00:00:00Z", status: "sent" },
      { email: "d3@d.example", status: "email" },
    ],
    ticks: [{ item: "step1", at: "2026-02-21T00:00:00Z" }],
  },
  // An email customer (`/fleet onboard … via=email`): the app still opens its channel (the rep's side of the
  // checklist); its HR admin works by email (invite status `email`, never sent through Slack Connect).
  {
    key: "e",
    provider: "bamboo_hr",
    channel: "C0E",
    createdAt: "2026-03-17T00:00:00Z",
    invites: [{ email: "e1@e.example", status: "email" }],
  },
];

/** Writes the onboardings, their invitations, audit trail, verifications, ticks and connections. */
export async function seedKnownTrail(db: Database): Promise<void> {
  const p = db.prisma;
  for (const o of ONBOARDINGS) {
    const customer = await p.customer.create({ data: { name: `Co ${o.key}`, nameKey: `co ${o.key}` } });
    const row = await p.onboarding.create({
      data: {
        customerId: customer.id,
        providerId: o.provider,
        status: o.status ?? "active",
        ownerUserId: "U0REP",
        createdByUserId: "U0REP",
        homeTeamId: "T0FLEET",
        channelId: o.channel,
        integrationUserName: "Fleet Integration",
        integrationUserEmail: "i@fleet.example",
        timeZone: "UTC",
        createdAt: at(o.createdAt),
        lastCustomerActivityAt: o.lastActivity ? at(o.lastActivity) : null,
      },
    });
    for (const i of o.invites ?? []) {
      await p.invite.create({
        data: {
          onboardingId: row.id,
          email: i.email,
          status: i.status,
          sentAt: i.sentAt ? at(i.sentAt) : null,
        },
      });
    }
    for (const a of o.audit ?? []) {
      await p.auditEvent.create({
        data: {
          onboardingId: row.id,
          action: a.action,
          at: at(a.at),
          detail: a.email ? { email: a.email } : { providerId: o.provider },
        },
      });
    }
    for (const v of o.verifications ?? []) {
      await p.verification.create({
        data: {
          onboardingId: row.id,
          status: v.status,
          trigger: "callback",
          createdAt: at(v.at),
          outcome: {
            outcome: v.status,
            connection: {
              status: "connected",
              entities: [],
              methods: [{ type: v.method, status: "connected" }],
            },
            permissions: [],
          },
        },
      });
    }
    for (const t of o.ticks ?? []) {
      await p.tick.create({
        data: { onboardingId: row.id, itemKey: t.item, checked: t.checked ?? true, at: at(t.at) },
      });
    }
    if (o.connection) {
      await p.finchConnection.create({
        data: {
          onboardingId: row.id,
          connectionId: `conn-${o.key}`,
          providerId: o.provider,
          tokenCiphertext: "x",
          tokenKeyId: "k1",
          status: "connected",
          products: [],
          codeHash: `hash-${o.key}`,
          verifiedAt: o.connection.verified ? at("2026-03-14T00:00:00Z") : null,
        },
      });
    }
  }
}
