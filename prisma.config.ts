// Prisma CLI configuration. The JS engine + a driver adapter keep every CLI command offline
// (Prisma 7's CLI downloads a native schema engine; 6.19 with engine "js" does not).
// The CLI is only used at development time (generate, migrate diff) against embedded PGlite;
// the app applies prisma/migrations itself (src/db/migrate.ts).
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
