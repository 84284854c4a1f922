-- When each absolute field of an onboarding last changed: the happened-at (the delivery's arrival) of the
-- command that set it. A late replay or Retry that happened before is overtaken, whichever door it came by.
ALTER TABLE "onboarding" ADD COLUMN "call_changed_at" TIMESTAMPTZ(3);
ALTER TABLE "onboarding" ADD COLUMN "owner_changed_at" TIMESTAMPTZ(3);
ALTER TABLE "onboarding" ADD COLUMN "provider_changed_at" TIMESTAMPTZ(3);
