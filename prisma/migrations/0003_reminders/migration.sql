-- AlterTable
ALTER TABLE "reminder" ADD COLUMN     "call_at" TIMESTAMPTZ(3),
ADD COLUMN     "local_date" TEXT,
ADD COLUMN     "user_id" TEXT;
