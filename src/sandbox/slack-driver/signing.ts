/** Slack's request signing, as the driver signs and tests check. */
import { createHmac } from "node:crypto";

/** Slack's request signature: `v0=` + hex HMAC-SHA256(secret, `v0:{timestamp}:{raw body}`). */
export function signSlackRequest(signingSecret: string, rawBody: string, timestampSec: number): string {
  const digest = createHmac("sha256", signingSecret).update(`v0:${timestampSec}:${rawBody}`).digest("hex");
  return `v0=${digest}`;
}
