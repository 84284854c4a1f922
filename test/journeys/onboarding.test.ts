/**
 * The heart of the product over real HTTP: a rep onboards a customer, the customer's HR admin ticks every
 * step from their own workspace, progress reaches 100% and the rep is told.
 */
import { afterAll, beforeAll, describe, it } from "vitest";
import { type Harness, startHarness } from "../helpers/harness.ts";
import { onboardAgainResumes, onboardAndTickEverything } from "./onboarding-journey.ts";

describe.each(["pglite", "postgres"] as const)("onboarding journey on %s", (db) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ db });
  });
  afterAll(async () => h?.stop());

  it("onboard → channel, invites, pinned checklist → HR ticks everything → 100% and the rep is told", async () => {
    await onboardAndTickEverything(h);
  });

  it("running the same command again resumes and never creates a second channel or checklist", async () => {
    await onboardAgainResumes(h);
  });
});
