-- The page token, encrypted under the app's key (AES-256-GCM, like Finch tokens), so an update email can carry
-- the link the recipient already has instead of renewing it (which would break a page they have open). The
-- lookup still goes by the SHA-256 only.
ALTER TABLE "portal_link" ADD COLUMN "token_ciphertext" TEXT;
