import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    pool: "forks",
    // Two cores on CI: a few files at once keeps database and HTTP tests from starving each other.
    maxWorkers: 2,
    testTimeout: 30_000,
    // CI runs every integration test on 2 shared cores next to Chromium and PostgreSQL; a test that timed
    // out waiting under that load gets one more try there (a real failure fails twice). Never locally.
    retry: process.env.CI ? 1 : 0,
    hookTimeout: 60_000,
    // PostgreSQL for the database tests: TEST_DATABASE_URL, else 127.0.0.1:5432, else an embedded server.
    globalSetup: ["test/global-setup.ts"],
    setupFiles: ["test/setup.ts"],
  },
});
