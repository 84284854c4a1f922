-- Issue 23 (src/portal): per-recipient links to an onboarding's private progress page, for a customer who works
-- by email. Only the SHA-256 of the random token is stored; one link per onboarding and address (a fresh issue
-- replaces the hash and renews the expiry, so the older link stops working); revoked by the rep or /fleet done.
CREATE TABLE "portal_link" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "onboarding_id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "issued_at" TIMESTAMPTZ(3) NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "revoked_at" TIMESTAMPTZ(3),
    "revoked_by" TEXT,

    CONSTRAINT "portal_link_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "portal_link_onboarding_id_fkey" FOREIGN KEY ("onboarding_id") REFERENCES "onboarding"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "portal_link_token_hash_key" ON "portal_link"("token_hash");
CREATE UNIQUE INDEX "portal_link_onboarding_id_email_key" ON "portal_link"("onboarding_id", "email");
