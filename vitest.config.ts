import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    pool: "forks",
    // Two cores on CI: a few files at once keeps database and HTTP tests from starving each other.
    maxWorkers: 2,
    testTimeout: 30_000,
    // No blanket retry: a flaky test is fixed (deterministic waiting, a bound that fits 2 shared cores);
    // one that truly needs another try says so with `{ retry: 1 }` and why, on that test only.
    hookTimeout: 60_000,
    // PostgreSQL for the database tests: TEST_DATABASE_URL, else 127.0.0.1:5432, else an embedded server.
    globalSetup: ["test/global-setup.ts"],
    setupFiles: ["test/setup.ts"],
  },
});
