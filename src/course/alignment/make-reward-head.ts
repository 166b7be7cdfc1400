/**
 * Writes src/course/alignment/reward-head.json: the reference reward model's parameters (the features'
 * standardisation, the head, the rewards' spread), trained by referenceRewardModel() on preferences.json with the
 * reference loss. A generator: not exported from index.ts.
 *
 *   node --import tsx src/course/alignment/make-reward-head.ts
 *
 * Run it by hand when the reward model's recipe, its data or the bundled model change, and commit the result. The RLHF
 * and DPO checks score with the shipped head (shippedRewardScorer) instead of training it in every run (1.7 s);
 * test/unit/alignment-track.test.ts trains it again and compares, so the file cannot drift from its recipe.
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { referenceRewardModel } from './reward-model';

async function main(): Promise<void> {
  const rm = await referenceRewardModel();
  const out = path.join(__dirname, 'reward-head.json');
  writeFileSync(out, `${JSON.stringify(rm.parameters)}\n`);
  console.log(`wrote ${out}: ${rm.parameters.head.length} features, spread ${rm.parameters.spread}`);
}

main().then(() => process.exit(0), (e: unknown) => { console.error(e); process.exit(1); });
