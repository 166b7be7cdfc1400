/** Lesson 12's PPO run, as recorded by `node --import tsx test/bench/rlhf.ts --record` (the reference solution, KL_COEF 0.1). */
import recorded from './ppo-reference.json';

export interface PpoRecord {
  reward: number;
  kl: number;
  seconds: number;
}

export function ppoComparison(): PpoRecord | undefined {
  const r = recorded as Partial<PpoRecord>;
  return typeof r.reward === 'number' && typeof r.kl === 'number' && typeof r.seconds === 'number' ? (r as PpoRecord) : undefined;
}
