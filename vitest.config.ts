import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two test files at a time on the 2-core machine (Vitest's default is cores − 1 = one): most files
    // wait on DuckDB, child processes and the file system part of the time. Measured on a fresh clone:
    // 740 s with one worker, 546 s with two, the same 647 tests passing.
    maxWorkers: 2,
    // dt-sql-parser ships ES modules with directory imports that Node's resolver refuses; let Vite resolve them.
    server: { deps: { inline: ['dt-sql-parser'] } },
  },
});
