// Test suites: unit (shared logic), server integration (real SQLite file and PostgreSQL), browser (real Chromium).
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // One prepared database per run (SQLite file, PostgreSQL template), copied by each test server.
    globalSetup: ["test/helpers/template-databases.ts"],
    // Most suites wait on a browser, a database or a server process, not on the CPU: three at a
    // time on two cores finish sooner than the default of one per spare core.
    maxWorkers: 3,
  },
});
