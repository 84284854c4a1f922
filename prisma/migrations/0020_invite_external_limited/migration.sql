-- AlterTable
ALTER TABLE "invite" ADD COLUMN     "external_limited" BOOLEAN NOT NULL DEFAULT false;
