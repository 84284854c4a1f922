-- Issue 26 (scale): the analytics report (src/analytics/figures.ts) starts from the events inside its window
-- instead of every onboarding's history: onboardings started, audit events of one action, verified
-- verifications, invitations sent and checklist ticks, each by time. Plans: docs/bench/scale-plans.md.
CREATE INDEX "onboarding_created_at_idx" ON "onboarding"("created_at");
CREATE INDEX "audit_event_action_at_idx" ON "audit_event"("action", "at");
CREATE INDEX "verification_status_created_at_idx" ON "verification"("status", "created_at");
CREATE INDEX "invite_sent_at_idx" ON "invite"("sent_at");
CREATE INDEX "tick_at_idx" ON "tick"("at");
