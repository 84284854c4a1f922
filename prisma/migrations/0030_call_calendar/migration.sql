-- AlterTable: the SEQUENCE of the call's calendar entry (RFC 5545 §3.8.7.4), raised on every move and on cancellation.
ALTER TABLE "onboarding" ADD COLUMN     "call_sequence" INTEGER NOT NULL DEFAULT 0;
