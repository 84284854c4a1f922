-- `/fleet done` now records `onboarding.closing_announced` once its closing note, checklist and calendar
-- CANCEL are in Slack, and finishes them on a retry until then (src/onboarding/close.ts). Onboardings closed
-- before this release announced their closing already: record that, so a later `/fleet done` does not
-- announce it again.
INSERT INTO "audit_event" ("onboarding_id", "action", "external", "detail")
SELECT "id", 'onboarding.closing_announced', false, '{"backfilled": true}'::jsonb
FROM "onboarding"
WHERE "status" = 'done';
