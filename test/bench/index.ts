/**
 * `npm run bench`: every benchmark of the project, printed as numbers (never asserted in unit tests).
 * Run on a quiet machine; figures from a busy one are not comparable.
 */
import * as os from 'node:os';
import { benchCheckLatency } from './check-latency';

async function main(): Promise<void> {
  console.log(`LLM Lab benchmarks: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), Node ${process.version}\n`);
  const results: Record<string, Record<string, number>> = {};
  results.checkLatency = benchCheckLatency();
  if (process.argv.includes('--json')) console.log(JSON.stringify(results, null, 2));
}

main().catch((e) => { console.error(e); process.exit(1); });
