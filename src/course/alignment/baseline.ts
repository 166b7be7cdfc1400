/**
 * The bundled model's evaluation before any fine-tuning: the RLHF lesson's prompts and seed, sampled, scored with the
 * shipped reward model and compared with the reference (which it still is, so its KL is 0). It is the "before" column of
 * the RLHF and DPO checks, the same in every run, so they read it from baseline-evaluation.json (written by
 * make-baseline.ts) instead of sampling and scoring it again each time (0.8 s of the DPO check);
 * test/unit/alignment-track.test.ts evaluates the bundled model again and compares, so the file cannot drift from
 * the model, the prompts or the reward model.
 */
import recorded from './baseline-evaluation.json';
import type { Evaluation } from './ppo-loop';

export function baselineEvaluation(): Evaluation {
  const r = recorded as Evaluation;
  const ok = typeof r.reward === 'number' && typeof r.kl === 'number' && Array.isArray(r.samples) &&
    r.samples.every((s) => typeof s.prompt === 'string' && typeof s.text === 'string' && typeof s.reward === 'number');
  if (!ok) throw new Error('baseline-evaluation.json is malformed: run node --import tsx src/course/alignment/make-baseline.ts');
  // A copy: a check may not change what the next one reads.
  return { reward: r.reward, kl: r.kl, samples: r.samples.map((s) => ({ ...s })) };
}
