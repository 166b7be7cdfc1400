/** Lesson 9's preference pairs (AFINN words in Moby-Dick sentence templates; see DATA.md beside this file). */
import { loadPreferencePairs } from './reward-model';
import type { Pair } from './dpo-loop';

export function preferencePairs(): { train: Pair[]; test: Pair[] } {
  return loadPreferencePairs();
}
