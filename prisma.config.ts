// Prisma CLI configuration (development only: `prisma generate`, `prisma migrate diff`).
// The JS engine + a driver adapter keep every CLI command offline (Prisma 7's CLI downloads a native
// schema engine; 6.19 with engine "js" does not). The app applies prisma/migrations itself
// (src/db/migrate.ts), so production needs no Prisma CLI at all.
// Not type-checked by tsconfig: pglite-prisma-adapter types against a slightly different Prisma interface.
import { PGlite } from "@electric-sql/pglite";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  engine: "js",
  experimental: { adapter: true },
  adapter: async () => new PrismaPGlite(new PGlite()),
});
