import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // dt-sql-parser ships ES modules with directory imports that Node's resolver refuses; let Vite resolve them.
    server: { deps: { inline: ['dt-sql-parser'] } },
  },
});
