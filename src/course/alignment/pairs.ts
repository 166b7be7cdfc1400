/** Lesson 9's preference pairs (AFINN words in Moby-Dick sentence templates; see ../09-reward-model/DATA.md). */
import { loadPreferencePairs } from '../09-reward-model/reward-model';
import type { Pair } from './dpo-loop';

export function preferencePairs(): { train: Pair[]; test: Pair[] } {
  return loadPreferencePairs();
}
