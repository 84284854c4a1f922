-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "customer" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "name_key" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "customer_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "onboarding" (
    "id" UUID NOT NULL,
    "customer_id" UUID NOT NULL,
    "provider_id" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'active',
    "setup_stage" TEXT NOT NULL DEFAULT 'created',
    "owner_user_id" TEXT NOT NULL,
    "created_by_user_id" TEXT NOT NULL,
    "home_team_id" TEXT NOT NULL,
    "channel_id" TEXT,
    "channel_name" TEXT,
    "checklist_ts" TEXT,
    "integration_user_name" TEXT NOT NULL,
    "integration_user_email" TEXT NOT NULL,
    "time_zone" TEXT NOT NULL,
    "call_at" TIMESTAMPTZ(3),
    "checklist_version" INTEGER NOT NULL DEFAULT 0,
    "last_customer_activity_at" TIMESTAMPTZ(3),
    "customer_steps_done_at" TIMESTAMPTZ(3),
    "last_nudge_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "closed_at" TIMESTAMPTZ(3),

    CONSTRAINT "onboarding_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "invite" (
    "id" UUID NOT NULL,
    "onboarding_id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "slack_invite_id" TEXT,
    "slack_user_id" TEXT,
    "slack_team_id" TEXT,
    "last_error" TEXT,
    "sent_at" TIMESTAMPTZ(3),
    "alerted_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "invite_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "step_state" (
    "onboarding_id" UUID NOT NULL,
    "item_key" TEXT NOT NULL,
    "done" BOOLEAN NOT NULL DEFAULT false,
    "source" TEXT NOT NULL DEFAULT 'slack',
    "by_user_id" TEXT,
    "by_team_id" TEXT,
    "by_external" BOOLEAN NOT NULL DEFAULT false,
    "note" TEXT,
    "changed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "step_state_pkey" PRIMARY KEY ("onboarding_id","item_key")
);

-- CreateTable
CREATE TABLE "tick" (
    "id" BIGSERIAL NOT NULL,
    "onboarding_id" UUID NOT NULL,
    "item_key" TEXT NOT NULL,
    "checked" BOOLEAN NOT NULL,
    "source" TEXT NOT NULL DEFAULT 'slack',
    "user_id" TEXT,
    "team_id" TEXT,
    "external" BOOLEAN NOT NULL DEFAULT false,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "tick_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "slack_message" (
    "id" UUID NOT NULL,
    "onboarding_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "channel_id" TEXT NOT NULL,
    "ts" TEXT NOT NULL,
    "thread_ts" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "slack_message_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "reminder" (
    "id" UUID NOT NULL,
    "onboarding_id" UUID,
    "kind" TEXT NOT NULL,
    "dedupe_key" TEXT NOT NULL,
    "due_at" TIMESTAMPTZ(3) NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "leased_by" TEXT,
    "lease_until" TIMESTAMPTZ(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "channel_id" TEXT,
    "message_ts" TEXT,
    "sent_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "reminder_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "finch_connection" (
    "id" UUID NOT NULL,
    "onboarding_id" UUID NOT NULL,
    "connection_id" TEXT NOT NULL,
    "provider_id" TEXT NOT NULL,
    "token_ciphertext" TEXT NOT NULL,
    "token_key_id" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "products" TEXT[],
    "code_hash" TEXT NOT NULL,
    "verified_at" TIMESTAMPTZ(3),
    "next_poll_at" TIMESTAMPTZ(3),
    "poll_interval_sec" INTEGER NOT NULL DEFAULT 60,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "finch_connection_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "finch_connect_session" (
    "id" UUID NOT NULL,
    "onboarding_id" UUID NOT NULL,
    "session_id" TEXT NOT NULL,
    "connect_url" TEXT NOT NULL,
    "kind" TEXT NOT NULL DEFAULT 'new',
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "finch_connect_session_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "verification" (
    "id" UUID NOT NULL,
    "onboarding_id" UUID NOT NULL,
    "status" TEXT NOT NULL,
    "outcome" JSONB NOT NULL,
    "trigger" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "verification_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "processed_delivery" (
    "key" TEXT NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "processed_delivery_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "audit_event" (
    "id" BIGSERIAL NOT NULL,
    "onboarding_id" UUID,
    "action" TEXT NOT NULL,
    "actor_user_id" TEXT,
    "actor_team_id" TEXT,
    "external" BOOLEAN NOT NULL DEFAULT false,
    "detail" JSONB,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_event_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "customer_name_key_key" ON "customer"("name_key");

-- CreateIndex
CREATE UNIQUE INDEX "onboarding_channel_id_key" ON "onboarding"("channel_id");

-- CreateIndex
CREATE INDEX "onboarding_owner_user_id_status_call_at_idx" ON "onboarding"("owner_user_id", "status", "call_at");

-- CreateIndex
CREATE INDEX "onboarding_status_call_at_idx" ON "onboarding"("status", "call_at");

-- CreateIndex
CREATE INDEX "onboarding_customer_id_idx" ON "onboarding"("customer_id");

-- CreateIndex
CREATE INDEX "invite_slack_invite_id_idx" ON "invite"("slack_invite_id");

-- CreateIndex
CREATE UNIQUE INDEX "invite_onboarding_id_email_key" ON "invite"("onboarding_id", "email");

-- CreateIndex
CREATE INDEX "tick_onboarding_id_at_idx" ON "tick"("onboarding_id", "at");

-- CreateIndex
CREATE INDEX "slack_message_onboarding_id_kind_idx" ON "slack_message"("onboarding_id", "kind");

-- CreateIndex
CREATE UNIQUE INDEX "slack_message_channel_id_ts_key" ON "slack_message"("channel_id", "ts");

-- CreateIndex
CREATE UNIQUE INDEX "reminder_dedupe_key_key" ON "reminder"("dedupe_key");

-- CreateIndex
CREATE INDEX "reminder_status_due_at_idx" ON "reminder"("status", "due_at");

-- CreateIndex
CREATE INDEX "reminder_onboarding_id_kind_idx" ON "reminder"("onboarding_id", "kind");

-- CreateIndex
CREATE UNIQUE INDEX "finch_connection_onboarding_id_key" ON "finch_connection"("onboarding_id");

-- CreateIndex
CREATE UNIQUE INDEX "finch_connection_code_hash_key" ON "finch_connection"("code_hash");

-- CreateIndex
CREATE INDEX "finch_connection_connection_id_idx" ON "finch_connection"("connection_id");

-- CreateIndex
CREATE INDEX "finch_connection_next_poll_at_idx" ON "finch_connection"("next_poll_at");

-- CreateIndex
CREATE UNIQUE INDEX "finch_connect_session_session_id_key" ON "finch_connect_session"("session_id");

-- CreateIndex
CREATE INDEX "finch_connect_session_onboarding_id_expires_at_idx" ON "finch_connect_session"("onboarding_id", "expires_at");

-- CreateIndex
CREATE INDEX "verification_onboarding_id_created_at_idx" ON "verification"("onboarding_id", "created_at");

-- CreateIndex
CREATE INDEX "processed_delivery_received_at_idx" ON "processed_delivery"("received_at");

-- CreateIndex
CREATE INDEX "audit_event_onboarding_id_at_idx" ON "audit_event"("onboarding_id", "at");

-- CreateIndex
CREATE INDEX "audit_event_at_idx" ON "audit_event"("at");

-- AddForeignKey
ALTER TABLE "onboarding" ADD CONSTRAINT "onboarding_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customer"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "invite" ADD CONSTRAINT "invite_onboarding_id_fkey" FOREIGN KEY ("onboarding_id") REFERENCES "onboarding"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "step_state" ADD CONSTRAINT "step_state_onboarding_id_fkey" FOREIGN KEY ("onboarding_id") REFERENCES "onboarding"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tick" ADD CONSTRAINT "tick_onboarding_id_fkey" FOREIGN KEY ("onboarding_id") REFERENCES "onboarding"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "slack_message" ADD CONSTRAINT "slack_message_onboarding_id_fkey" FOREIGN KEY ("onboarding_id") REFERENCES "onboarding"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "reminder" ADD CONSTRAINT "reminder_onboarding_id_fkey" FOREIGN KEY ("onboarding_id") REFERENCES "onboarding"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "finch_connection" ADD CONSTRAINT "finch_connection_onboarding_id_fkey" FOREIGN KEY ("onboarding_id") REFERENCES "onboarding"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "finch_connect_session" ADD CONSTRAINT "finch_connect_session_onboarding_id_fkey" FOREIGN KEY ("onboarding_id") REFERENCES "onboarding"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "verification" ADD CONSTRAINT "verification_onboarding_id_fkey" FOREIGN KEY ("onboarding_id") REFERENCES "onboarding"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "audit_event" ADD CONSTRAINT "audit_event_onboarding_id_fkey" FOREIGN KEY ("onboarding_id") REFERENCES "onboarding"("id") ON DELETE CASCADE ON UPDATE CASCADE;



-- Hand-written: at most one active onboarding per customer (re-running /fleet onboard resumes it).
CREATE UNIQUE INDEX "onboarding_one_active_per_customer" ON "onboarding"("customer_id") WHERE "status" = 'active';
