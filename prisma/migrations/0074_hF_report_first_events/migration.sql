-- Issue 26 (scale): the analytics report keeps a window's event only when it is the onboarding's (or the
-- invitation's) first of its action: one probe of this index per event instead of a hash over all earlier
-- events (src/analytics/figures.ts; plans in docs/bench/2026-12-07-analysis.md).
CREATE INDEX "audit_event_action_onboarding_id_at_idx" ON "audit_event"("action", "onboarding_id", "at");
