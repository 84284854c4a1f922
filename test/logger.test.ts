import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, scrubSecrets, toBoltLogger } from "../src/logger.ts";

function capture() {
  const lines: string[] = [];
  const logger = createLogger(
    { level: "debug" },
    new Writable({
      write(chunk, _e, done) {
        lines.push(String(chunk));
        done();
      },
    }),
  );
  return { logger, lines };
}

describe("logging", () => {
  it("redacts tokens, secrets, codes and signature headers in structured fields", () => {
    const { logger, lines } = capture();
    logger.info(
      {
        token: "xoxb-1-secret",
        code: "finch-auth-code",
        client_secret: "cs",
        req: { headers: { authorization: "Bearer abc", "x-slack-signature": "v0=deadbeef" } },
        nested: { access_token: "tok" },
      },
      "request",
    );
    const out = lines.join("");
    for (const secret of ["xoxb-1-secret", "finch-auth-code", '"cs"', "Bearer abc", "v0=deadbeef", '"tok"']) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain("[redacted]");
  });

  it("scrubs secrets out of free text and error messages, also through Bolt's logger", () => {
    const { logger, lines } = capture();
    logger.error(new Error("call failed with token xoxb-999-abc"), "oops");
    toBoltLogger(logger).warn("redirect to https://app/finch/callback?code=abc123&x=1 with Bearer zzz");
    const out = lines.join("");
    expect(out).not.toContain("xoxb-999-abc");
    expect(out).not.toContain("abc123");
    expect(out).not.toContain("zzz");
    expect(scrubSecrets("?code=1&token=2")).toBe("?code=[redacted]&token=[redacted]");
  });
});
