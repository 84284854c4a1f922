/**
 * The browser pages around Finch Connect say what they said, from one builder module (src/html/connect-pages.ts)
 * that imports nothing of the domain; the Finch use cases and routes keep no page sentence of their own.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  alreadyConnectedPage,
  callbackPages,
  confirmPage,
  connectedPage,
  connectLinkPages,
  tooManyAttemptsPage,
} from "../../src/html/connect-pages.ts";
import { simplePage } from "../../src/http/router.ts";

const ROOT = join(import.meta.dirname, "..", "..");

describe("connect pages", () => {
  it("the confirmation page names provider and company, escaped, with one POST button", () => {
    const html = confirmPage({ providerName: "Gusto <HR>", companyName: "Acme & Co" });
    expect(html).toContain("<title>Connect Gusto &#60;HR&#62; to Fleet · Fleet</title>");
    expect(html).toContain("sign in to Gusto &#60;HR&#62; for Acme &#38; Co.");
    expect(html).toContain('<form method="post"><button type="submit"');
    expect(html).toContain(">Continue to Gusto &#60;HR&#62;</button></form></body>");
  });

  it("fills in the facts each page names", () => {
    expect(tooManyAttemptsPage({ retryAfterSeconds: 42 }).message).toBe(
      "Please wait 42 seconds, then start again with the Connect button in Slack.",
    );
    expect(connectedPage({ providerName: "Justworks" }).message).toMatch(
      /^Justworks is connected to Fleet\./,
    );
    expect(alreadyConnectedPage({ providerName: "Rippling" }).title).toBe("Rippling is already connected");
    expect(simplePage(callbackPages.cancelled.title, callbackPages.cancelled.message)).toContain(
      "<h1>Connection cancelled</h1>",
    );
    expect(connectLinkPages.notValid.title).toBe("This link is not valid");
  });

  it("the Finch use cases and routes hold no page sentence (titles and messages come from the builders)", () => {
    for (const file of [
      "src/finch/connect-session.ts",
      "src/finch/connect-callback.ts",
      "src/http/finch-routes.ts",
    ]) {
      const text = readFileSync(join(ROOT, file), "utf8");
      expect(text, file).not.toMatch(/title: ["`]|message:\s*["`]|simplePage\(\s*["`]/);
      expect(text, file).not.toMatch(/page\(\s*\d+,\s*["`]/);
    }
  });
});
