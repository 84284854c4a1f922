/**
 * The check runner over the check table, with a fake Finch client (no network): dependencies run first and
 * are not reported on their own, a dependency not granted blocks what needs it, an empty sample is said so,
 * and an account-wide failure stops the run.
 */
import { APIError } from "@tryfinch/finch-api";
import { describe, expect, it } from "vitest";
import type { FinchCheck } from "../../src/checklist/template-format.ts";
import { runChecks } from "../../src/finch/checks.ts";
import type { FinchClient } from "../../src/finch/client.ts";

type Reply = { status: number; body?: unknown } | Error;

/** A client whose every read answers from `replies` (by SDK method), recording the order of calls. */
function fakeClient(replies: Record<string, Reply>, calls: string[]): FinchClient {
  const read = (name: string) => () => ({
    asResponse: async () => {
      calls.push(name);
      const reply = replies[name] ?? { status: 200, body: {} };
      if (reply instanceof Error) throw reply;
      const text = reply.body === undefined ? "" : JSON.stringify(reply.body);
      return new Response(text, { status: reply.status });
    },
  });
  return {
    hris: {
      company: { retrieve: read("company") },
      directory: { list: read("directory") },
      individuals: { retrieveMany: read("individuals") },
      employments: { retrieveMany: read("employments") },
      payments: { list: read("payments") },
      payStatements: { retrieveMany: read("payStatements") },
      benefits: { list: read("benefits") },
    },
  } as unknown as FinchClient;
}

const options = { now: new Date("2026-03-02T12:00:00Z"), labelOf: (c: FinchCheck) => `label of ${c}` };
const forbidden = () => new APIError(403, { name: "forbidden_error" }, "forbidden", new Headers());

describe("runChecks", () => {
  it("reads dependencies first and reports only what was asked", async () => {
    const calls: string[] = [];
    const client = fakeClient(
      {
        directory: { status: 200, body: { individuals: [{ id: "a" }, { id: "b" }] } },
        individuals: { status: 200, body: { responses: [{ code: 200 }, { code: 200 }] } },
        payments: { status: 200, body: [{ id: "p1", pay_date: "2026-02-27" }] },
        payStatements: { status: 200, body: { responses: [{ code: 200 }] } },
      },
      calls,
    );
    const run = await runChecks(
      client,
      new Set<FinchCheck>(["individual", "pay_statement", "none"]),
      options,
    );
    expect(calls).toEqual(["directory", "individuals", "payments", "payStatements"]);
    expect(Object.fromEntries(run.results)).toEqual({
      individual: { result: "granted" },
      pay_statement: { result: "granted" },
      none: { result: "unverifiable" },
    });
  });

  it("blocks a check whose dependency is missing, and says when there is nothing to sample", async () => {
    const calls: string[] = [];
    const client = fakeClient({ directory: forbidden(), payments: { status: 200, body: [] } }, calls);
    const wanted = new Set<FinchCheck>(["directory", "individual", "payment", "pay_statement"]);
    const run = await runChecks(client, wanted, options);
    expect(calls).toEqual(["directory", "payments"]);
    expect(run.results.get("directory")).toEqual({ result: "missing" });
    expect(run.results.get("individual")).toEqual({
      result: "blocked",
      detail: "needs “label of directory” first",
    });
    expect(run.results.get("pay_statement")).toEqual({
      result: "no_sample",
      detail: "no payroll in the last 90 days",
    });
    expect(run.failures.map((f) => f.check)).toEqual(["directory"]);
  });

  it("passes 'still syncing' on to what depends on it", async () => {
    const client = fakeClient({ directory: { status: 202 } }, []);
    const run = await runChecks(client, new Set<FinchCheck>(["employment_income"]), options);
    expect(Object.fromEntries(run.results)).toEqual({ employment_income: { result: "syncing" } });
  });

  it("stops at a sign-in failure, keeping what was read before", async () => {
    const calls: string[] = [];
    const reauth = new APIError(401, { name: "reauthenticate_user" }, "reauth", new Headers());
    const client = fakeClient({ directory: reauth }, calls);
    const run = await runChecks(client, new Set<FinchCheck>(["company", "individual", "benefits"]), options);
    expect(run.abort).toBe("reauth");
    expect(calls).toEqual(["company", "directory"]);
    expect(Object.fromEntries(run.results)).toEqual({ company: { result: "granted" } });
  });
});
