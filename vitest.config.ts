// Test suites: unit (shared logic), server integration (real SQLite file and PostgreSQL), browser (real Chromium).
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
