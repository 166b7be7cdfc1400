/**
 * `npm run bench`: every benchmark of the project, printed as numbers (never asserted in unit tests).
 * Run on a quiet machine; figures from a busy one are not comparable (each line prints the load average).
 * The model and matmul benches also time PyTorch CPU in turns with the kit when python3 can import torch. `--json` also prints them as JSON;
 * `--only name,name` runs a subset (check, activation, matmul, model, modelchecks, lora, rlhf, demos).
 */
import * as os from 'node:os';
import { benchActivation } from './activation';
import { benchCheckLatency } from './check-latency';
import { benchDemos } from './demos';
import { benchLora } from './lora';
import { benchMatmul } from './matmul';
import { benchModel } from './model';
import { benchModelChecks } from './model-checks';
import { benchRlhf } from './rlhf';
import { stopTorch } from './torch';

const BENCHES: Record<string, () => Record<string, number> | Promise<Record<string, number>>> = {
  check: () => benchCheckLatency(),
  activation: () => benchActivation(),
  matmul: () => benchMatmul(),
  model: () => benchModel(),
  modelchecks: () => benchModelChecks(),
  lora: () => benchLora(),
  rlhf: () => benchRlhf(),
  demos: () => benchDemos(),
};

async function main(): Promise<void> {
  const i = process.argv.indexOf('--only');
  const only = i > 0 ? process.argv[i + 1].split(',') : Object.keys(BENCHES);
  console.log(`LLM Lab benchmarks: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), Node ${process.version}, load average ${os.loadavg()[0].toFixed(2)}\n`);
  const results: Record<string, Record<string, number>> = {};
  for (const name of only) {
    const bench = BENCHES[name];
    if (!bench) throw new Error(`unknown benchmark "${name}"; known: ${Object.keys(BENCHES).join(', ')}`);
    console.log(`== ${name}`);
    results[name] = await bench();
    await stopTorch(); // an idle PyTorch anchor still costs the next bench (its OpenMP threads): it restarts when needed
    console.log();
  }
  await stopTorch();
  if (process.argv.includes('--json')) console.log(JSON.stringify(results, null, 2));
}

main().catch((e) => { console.error(e); process.exit(1); });
