/**
 * Writes src/course/alignment/baseline-evaluation.json: the bundled model evaluated before any fine-tuning (see
 * baseline.ts). A generator: not exported from index.ts.
 *
 *   node --import tsx src/course/alignment/make-baseline.ts
 *
 * Run it by hand when the bundled model, the evaluation prompts, the sampler or the reward model change, and commit
 * the result; test/unit/alignment-track.test.ts fails until then.
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { EVAL, PPO_DEFAULTS, evaluate } from './ppo-loop';
import { rewardSource } from './reward';
import { loadRlModel } from './rl-model';

async function main(): Promise<void> {
  const [model, reward] = await Promise.all([loadRlModel(), rewardSource()]);
  const e = await evaluate(model, reward.score, EVAL.prompts, PPO_DEFAULTS.newTokens, EVAL.seed);
  const out = path.join(__dirname, 'baseline-evaluation.json');
  writeFileSync(out, `${JSON.stringify(e, null, 1)}\n`);
  console.log(`wrote ${out}: ${e.samples.length} samples, mean reward ${e.reward}, KL ${e.kl}`);
}

main().then(() => process.exit(0), (e: unknown) => { console.error(e); process.exit(1); });
