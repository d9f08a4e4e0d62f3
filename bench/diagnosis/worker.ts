/** Worker thread of the diagnosis benchmark: replays and scores the cases it is given. */
import { parentPort, workerData } from 'node:worker_threads';
import { scoreCase } from './outcome.js';
import { type CaseSpec, runCase } from './simulate.js';

async function main(): Promise<void> {
  for (const spec of workerData.specs as CaseSpec[]) {
    const outcome = scoreCase(await runCase(spec));
    parentPort?.postMessage(outcome);
  }
}

void main();
