-- AlterTable: an invitation adopted after Slack lost the answer to conversations.inviteShared (sent once; its id
-- may be unknown when Slack cannot list pending invitations). The status may now also be 'sending': recorded
-- before the call, so a crash between Slack's answer and our write is reconciled instead of re-invited.
ALTER TABLE "invite" ADD COLUMN     "adopted" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable: a verification counts as announced only once its report is in Slack; a failed post leaves it
-- unannounced, so the next check posts it (even when nothing changed). Earlier rows were announced.
ALTER TABLE "verification" ADD COLUMN     "announced_at" TIMESTAMPTZ(3);
UPDATE "verification" SET "announced_at" = "created_at";
