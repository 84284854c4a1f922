-- Durable intake (src/intake): deliveries stored before Slack or Finch get their 2xx, applied from here.
CREATE TABLE "intake_delivery" (
    "key" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "order_key" TEXT,
    "user_id" TEXT,
    "team_id" TEXT,
    "channel_id" TEXT,
    "summary" TEXT NOT NULL,
    "payload" TEXT,
    "status" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "owner" TEXT,
    "lease_until" TIMESTAMPTZ(3),
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_error" TEXT,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "applied_at" TIMESTAMPTZ(3),

    CONSTRAINT "intake_delivery_pkey" PRIMARY KEY ("key"),
    CONSTRAINT "intake_delivery_status_check" CHECK ("status" IN ('applying', 'pending', 'done', 'dead'))
);

CREATE INDEX "intake_delivery_status_next_attempt_at_idx" ON "intake_delivery"("status", "next_attempt_at");
CREATE INDEX "intake_delivery_order_key_received_at_idx" ON "intake_delivery"("order_key", "received_at");
