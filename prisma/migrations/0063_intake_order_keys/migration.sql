-- Issue 22 (src/intake, src/keys.ts): deliveries that carry an absolute state (a tick) can be overtaken by a
-- newer change of their element and are then recorded `obsolete`, not applied; each encryption key id keeps a
-- check value so a key replaced under the same id is refused at start.
ALTER TABLE "intake_delivery" ADD COLUMN "absolute" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "intake_delivery" DROP CONSTRAINT "intake_delivery_status_check";
ALTER TABLE "intake_delivery" ADD CONSTRAINT "intake_delivery_status_check"
    CHECK ("status" IN ('applying', 'pending', 'done', 'dead', 'obsolete'));

CREATE TABLE "encryption_key_check" (
    "key_id" TEXT NOT NULL,
    "check_value" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "encryption_key_check_pkey" PRIMARY KEY ("key_id")
);
