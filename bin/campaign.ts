#!/usr/bin/env node
import '../shared/cli/quiet-warnings.ts';

const { main } = await import('../shared/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
