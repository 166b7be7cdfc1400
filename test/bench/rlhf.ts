/**
 * The alignment runs of lessons 12 and 13 with the reference solutions, as their checks run them: wall time,
 * the evaluation reward before and after, and the KL to the reference, for
 *  - RLHF: PPO with KL_COEF 0.1 (lesson 12's run check);
 *  - reward hacking: the same run with KL_COEF 0.001 (the experiment lesson 12 describes);
 *  - DPO: lesson 13's run check.
 * The reward model (lesson 9's, trained once per process) is timed separately.
 *
 * Run alone: node --import tsx test/bench/rlhf.ts [--record]
 * --record also writes the PPO numbers to src/course/alignment/ppo-reference.json, the comparison lesson 13 shows
 * (rebuild with `node esbuild.mjs` afterwards: the course bundle holds the JSON).
 *
 * The reference solutions import the learner's earlier files by their learner names (`../10-gae/gae`), as
 * they would in a learner's folder; here those names are pointed at the solutions of those lessons.
 */
import { writeFileSync } from 'node:fs';
import Module from 'node:module';
import * as path from 'node:path';
import {
  EVAL, PPO_DEFAULTS, evaluate, loadRlModel, preferencePairs, referenceRewardModel, rewardSource, runDpo, runPpo,
} from '../../src/course/alignment';

const ROOT = path.resolve(__dirname, '..', '..');
const LESSONS = path.join(ROOT, 'lessons');
const seconds = (t0: number) => (performance.now() - t0) / 1000;

type Resolve = (request: string, parent: { filename?: string } | undefined, ...rest: unknown[]) => string;

/**
 * Requires a lesson's reference solution with the earlier lessons it imports as their reference solutions too:
 * inside lessons/, `../10-gae/gae` from a `.solution.ts` file resolves to `../10-gae/gae.solution`.
 */
function requireSolution<T>(file: string): T {
  const M = Module as unknown as { _resolveFilename: Resolve };
  const original = M._resolveFilename;
  M._resolveFilename = function (request, parent, ...rest) {
    const from = parent?.filename;
    if (from && from.startsWith(LESSONS) && from.endsWith('.solution.ts') && /^\.\.\/\d\d-[a-z0-9-]+\/[a-z0-9-]+$/.test(request)) {
      return original.call(this, `${request}.solution`, parent, ...rest);
    }
    return original.call(this, request, parent, ...rest);
  };
  try {
    return require(path.join(LESSONS, file)) as T;
  } finally {
    M._resolveFilename = original;
  }
}

export async function benchRlhf(opts: { record?: boolean } = {}): Promise<Record<string, number>> {
  const rlhf = requireSolution<typeof import('../../lessons/12-rlhf/rlhf.solution')>('12-rlhf/rlhf.solution.ts');
  const { dpoLoss } = requireSolution<typeof import('../../lessons/13-dpo/dpo.solution')>('13-dpo/dpo.solution.ts');
  const out: Record<string, number> = {};
  let t0 = performance.now();
  await referenceRewardModel();
  out.reward_model_s = seconds(t0);
  const [model, reward] = await Promise.all([loadRlModel(), rewardSource()]);
  const evalRun = () => evaluate(model, reward.score, EVAL.prompts, PPO_DEFAULTS.newTokens, EVAL.seed);

  // --- RLHF (PPO), then the same with a tiny KL coefficient -------------------------------------------------
  for (const [name, klCoef] of [['rlhf', rlhf.KL_COEF], ['hacking', 0.001]] as const) {
    model.reset();
    t0 = performance.now();
    const before = await evalRun();
    const history = await runPpo(model, rlhf, reward.score, { klCoef });
    const after = await evalRun();
    out[`${name}_wall_s`] = seconds(t0);
    out[`${name}_iterations`] = history.length;
    out[`${name}_reward_before`] = before.reward;
    out[`${name}_reward_after`] = after.reward;
    out[`${name}_kl_after`] = after.kl;
    console.log(`${name} (KL_COEF ${klCoef}): samples after`);
    for (const s of after.samples) console.log(`  ${JSON.stringify(s.prompt + s.text)}  ${s.reward.toFixed(2)}`);
    if (name === 'rlhf' && opts.record) {
      const file = path.join(ROOT, 'src', 'course', 'alignment', 'ppo-reference.json');
      writeFileSync(file, `${JSON.stringify({ reward: round(after.reward), kl: round(after.kl), seconds: round(out.rlhf_wall_s, 1) }, null, 2)}\n`);
      console.log(`wrote ${file}`);
    }
  }

  // --- DPO ----------------------------------------------------------------------------------------------------
  model.reset();
  t0 = performance.now();
  const before = await evalRun();
  const history = runDpo(model, dpoLoss, preferencePairs().train);
  const after = await evalRun();
  out.dpo_wall_s = seconds(t0);
  out.dpo_steps = history.length;
  out.dpo_final_loss = history[history.length - 1].loss;
  out.dpo_reward_before = before.reward;
  out.dpo_reward_after = after.reward;
  out.dpo_kl_after = after.kl;
  console.log('dpo: samples after');
  for (const s of after.samples) console.log(`  ${JSON.stringify(s.prompt + s.text)}  ${s.reward.toFixed(2)}`);

  for (const [k, v] of Object.entries(out)) console.log(`${k.padEnd(24)} ${v.toFixed(3)}`);
  return out;
}

const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

if (require.main === module) {
  benchRlhf({ record: process.argv.includes('--record') }).catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
