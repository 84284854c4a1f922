-- Spool files each instance set aside (`.unreadable`, `.rejected` in its DATA_DIR/intake-spool), so reps see every
-- replica's in the App Home (src/intake/set-aside-ledger.ts). A Retry or Discard pressed on another replica is
-- recorded in `requested`; the instance that holds the file carries it out on its next pass and removes the row.
CREATE TABLE "intake_set_aside" (
    "instance" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "bytes" INTEGER NOT NULL,
    "set_aside_at" TIMESTAMPTZ(3) NOT NULL,
    "requested" TEXT,
    "requested_by" TEXT,
    "requested_team" TEXT,
    "requested_at" TIMESTAMPTZ(3),

    CONSTRAINT "intake_set_aside_pkey" PRIMARY KEY ("instance","name")
);
CREATE INDEX "intake_set_aside_set_aside_at_idx" ON "intake_set_aside"("set_aside_at");
