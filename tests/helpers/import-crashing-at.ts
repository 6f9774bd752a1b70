/**
 * A child process for crash tests: imports an order-events file into a data folder and kills itself
 * (SIGKILL: no finally block, no exit handler runs) at the k-th step of the lake swap.
 * Usage: node tests/helpers/import-crashing-at.ts <data-dir> <file> <k>
 */
import { onSwapStep } from '../../shared/lake/local/swap-steps.ts';
import { importOrders } from '../../shared/shop/local/import/import-orders.ts';

const [dataDir, file, at] = process.argv.slice(2) as [string, string, string];
let steps = 0;
onSwapStep(() => {
  steps += 1;
  if (steps === Number(at)) process.kill(process.pid, 'SIGKILL');
});
await importOrders({ file, format: 'order-events', rejectsFile: `${file}.rejects.csv`, dataDir });
console.log(JSON.stringify({ steps }));
