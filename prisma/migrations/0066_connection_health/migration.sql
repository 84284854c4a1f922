-- AlterTable: connection health after go-live (src/finch/health.ts). A verified connection stays watched after
-- `/fleet done` until Fleet disconnects it: the problem found (reauth, disconnected, lost_access, stale_sync),
-- since when, what was lost, the channel message that announced it (its thread hears the recovery), and when
-- the next daily check is due.
ALTER TABLE "finch_connection" ADD COLUMN     "health_problem" TEXT;
ALTER TABLE "finch_connection" ADD COLUMN     "health_detail" TEXT;
ALTER TABLE "finch_connection" ADD COLUMN     "health_since" TIMESTAMPTZ(3);
ALTER TABLE "finch_connection" ADD COLUMN     "health_message_ts" TEXT;
ALTER TABLE "finch_connection" ADD COLUMN     "next_health_check_at" TIMESTAMPTZ(3);
CREATE INDEX "finch_connection_next_health_check_at_idx" ON "finch_connection"("next_health_check_at");
