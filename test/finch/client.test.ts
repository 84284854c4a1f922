/** The Finch SDK boundary: error classification, and webhook verification against the SDK's own vector. */
import {
  APIConnectionTimeoutError,
  AuthenticationError,
  BadRequestError,
  InternalServerError,
  PermissionDeniedError,
  RateLimitError,
} from "@tryfinch/finch-api";
import { afterEach, describe, expect, it, vi } from "vitest";
import { classifyFinchError, isUsableWebhookSecret, unwrapFinchWebhook } from "../../src/finch/client.ts";

// The SDK's own test vector (finch-api-node tests/api-resources/webhooks.test.ts).
const VECTOR = {
  secret: "5WbX5kEWLlfzsGNjH64I8lOOqUB6e8FH",
  timestamp: 1676312382,
  id: "msg_2Lh9KRb0pzN4LePd3XiA4v12Axj",
  body: `{"company_id":"720be419-0293-4d32-a707-32179b0827ab"}`,
  signature: "v1,m7y0TV2C+hlHxU42wCieApTSTaA8/047OAplBqxIV/s=",
};
const headers = (overrides: Partial<Record<string, string>> = {}) => ({
  "finch-event-id": VECTOR.id,
  "finch-timestamp": String(VECTOR.timestamp),
  "finch-signature": VECTOR.signature,
  ...overrides,
});

describe("unwrapFinchWebhook", () => {
  afterEach(() => {
    vi.useRealTimers();
  });
  const at = (seconds: number) => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date(seconds * 1000));
  };

  it("accepts the SDK's test vector", () => {
    at(VECTOR.timestamp);
    expect(unwrapFinchWebhook(VECTOR.body, headers(), VECTOR.secret)).toEqual({
      company_id: "720be419-0293-4d32-a707-32179b0827ab",
    });
  });

  it("accepts up to 5 minutes of skew either way, refuses more", () => {
    at(VECTOR.timestamp + 300);
    expect(() => unwrapFinchWebhook(VECTOR.body, headers(), VECTOR.secret)).not.toThrow();
    at(VECTOR.timestamp - 300);
    expect(() => unwrapFinchWebhook(VECTOR.body, headers(), VECTOR.secret)).not.toThrow();
    at(VECTOR.timestamp + 301);
    expect(() => unwrapFinchWebhook(VECTOR.body, headers(), VECTOR.secret)).toThrow(/too old/);
    at(VECTOR.timestamp - 301);
    expect(() => unwrapFinchWebhook(VECTOR.body, headers(), VECTOR.secret)).toThrow(/too new/);
  });

  it("refuses a tampered body, a wrong secret, another id and a missing signature", () => {
    at(VECTOR.timestamp);
    expect(() => unwrapFinchWebhook(VECTOR.body.replace("720b", "720c"), headers(), VECTOR.secret)).toThrow();
    expect(() =>
      unwrapFinchWebhook(VECTOR.body, headers(), Buffer.alloc(24, 1).toString("base64")),
    ).toThrow();
    expect(() =>
      unwrapFinchWebhook(VECTOR.body, headers({ "finch-event-id": "msg_other" }), VECTOR.secret),
    ).toThrow();
    expect(() =>
      unwrapFinchWebhook(VECTOR.body, headers({ "finch-signature": "" }), VECTOR.secret),
    ).toThrow();
  });

  it("knows a usable secret", () => {
    expect(isUsableWebhookSecret(VECTOR.secret)).toBe(true);
    expect(isUsableWebhookSecret("not base64!")).toBe(false);
    expect(isUsableWebhookSecret("")).toBe(false);
  });
});

describe("classifyFinchError", () => {
  const h = new Headers();
  it("maps Finch's documented errors to what they mean for us", () => {
    const cases: Array<[unknown, string]> = [
      [
        new AuthenticationError(
          401,
          { code: 401, name: "authentication_error", finch_code: "reauthenticate_user" },
          "",
          h,
        ),
        "reauth",
      ],
      [new AuthenticationError(401, { code: 401, name: "invalid_token_error" }, "", h), "reauth"],
      [
        new AuthenticationError(
          401,
          { code: 401, name: "authentication_error", finch_code: "account_setup_required" },
          "",
          h,
        ),
        "setup_required",
      ],
      [new AuthenticationError(401, { code: 401, name: "invalid_client_error" }, "", h), "unexpected"],
      [
        new PermissionDeniedError(
          403,
          { code: 403, name: "error_permissions", finch_code: "insufficient_account_permissions" },
          "",
          h,
        ),
        "missing_permission",
      ],
      [
        new PermissionDeniedError(403, { code: 403, name: "insufficient_scope_error" }, "", h),
        "not_in_scope",
      ],
      [new BadRequestError(400, { code: 400, name: "invalid_grant_error" }, "", h), "invalid_grant"],
      [new RateLimitError(429, { code: 429, name: "rate_limit_error" }, "", h), "transient"],
      [new InternalServerError(503, { code: 503, name: "server_error" }, "", h), "transient"],
      [new APIConnectionTimeoutError({ message: "timed out" }), "transient"],
      [new Error("boom"), "unexpected"],
    ];
    for (const [err, kind] of cases) expect(classifyFinchError(err).kind, String(err)).toBe(kind);
  });
});
