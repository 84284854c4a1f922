-- A command that sets an absolute state (`/fleet call`, `/fleet owner`, `/fleet provider`, an onboard re-run
-- that sets them) names the elements it sets (src/slack/intake/describe.ts): a newer applied delivery that
-- sets one of them overtakes it, whoever typed it (src/intake/store.ts). GIN: the overlap test (&&) is indexed.
ALTER TABLE "intake_delivery" ADD COLUMN "elements" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[];
CREATE INDEX "intake_delivery_elements_idx" ON "intake_delivery" USING GIN ("elements");
