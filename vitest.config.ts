import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Vitest's default is one fork per core less one: a single fork on a 2-core machine, so the
    // integration files (mostly waiting on child processes, servers and timeouts) ran one at a
    // time. Two files in flight took the suite from ~544 s to ~297 s here, every test passing.
    poolOptions: { forks: { minForks: 1, maxForks: 2 } },
  },
});
