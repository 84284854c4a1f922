-- Issue 23 (src/onboarding/email-updates.ts): what went out by email to customers who work by email, once each
-- (a day-before reminder, a nudge, a verification outcome, a calendar change), and who asked for no more
-- nudges (RFC 8058 one-click unsubscribe). The key names the email; a row is claimed before the send and
-- dropped again when the mail server refuses it, so a retry can send it.
CREATE TABLE "email_send" (
    "key" TEXT NOT NULL,
    "onboarding_id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "sent_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "email_send_pkey" PRIMARY KEY ("key"),
    CONSTRAINT "email_send_onboarding_id_fkey" FOREIGN KEY ("onboarding_id") REFERENCES "onboarding"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "email_send_onboarding_id_idx" ON "email_send"("onboarding_id");

-- Set by the recipient's unsubscribe: no more reminders or nudges to this address (the verification outcome
-- and calendar changes still go). Kept across renewals of the link (the row is updated in place).
ALTER TABLE "portal_link" ADD COLUMN "nudges_stopped_at" TIMESTAMPTZ(3);
