-- The worker leases the oldest due deliveries first (src/intake/store.ts leaseDue). With thousands waiting (a
-- spool replayed after an outage) a scan and sort of every waiting row per batch of 20 cost ~60 ms; walking
-- this index in order stops after the first 20 heads of their order keys. Partial: done rows are most rows.
-- (Prisma's schema cannot express a partial index; it lives here only.)
CREATE INDEX "intake_delivery_waiting_idx" ON "intake_delivery"("received_at", "key")
    WHERE "status" IN ('pending', 'applying');
