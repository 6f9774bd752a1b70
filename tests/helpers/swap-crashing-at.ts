/**
 * A child process for crash tests: runs one lake swap and kills itself (SIGKILL: no finally block, no
 * exit handler runs) at the swap's k-th step. Prints the number of steps when it was not killed.
 * Usage: node tests/helpers/swap-crashing-at.ts <data-dir> <swaps.json> <k>
 * swaps.json: [{ "target": …, "next": … | null }] with paths relative to the data folder.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type FolderSwap, swapFolders } from '../../shared/lake/local/lake-swap.ts';
import { onSwapStep } from '../../shared/lake/local/swap-steps.ts';

const [dataDir, swapsFile, at] = process.argv.slice(2) as [string, string, string];
const swaps = (JSON.parse(readFileSync(swapsFile, 'utf8')) as FolderSwap[]).map((s) => ({
  target: resolve(dataDir, s.target),
  next: s.next === null ? null : resolve(dataDir, s.next),
}));
let steps = 0;
onSwapStep(() => {
  steps += 1;
  if (steps === Number(at)) process.kill(process.pid, 'SIGKILL');
});
await swapFolders(dataDir, swaps);
console.log(JSON.stringify({ steps }));
