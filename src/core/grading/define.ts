/**
 * How a lesson declares its checks.
 *
 *   export default defineChecks<typeof import('./softmax')>({
 *     exports: ['softmax'],
 *     checks: [{ name: 'rows sum to 1', task: 'softmax', run: (m) => { ... } }],
 *   });
 *
 * `exports` are the functions the learner file must export; the runner verifies them before any check
 * runs. Each check belongs to a `task` (an exported function), so a failure can point at that function.
 */
import { Rng } from '../../kit/random';
import type { Artifact } from './result';

export interface CheckContext {
  /** Adds a table, heatmap, curve... to the results panel. */
  artifact(artifact: Artifact): void;
  /**
   * Shows a live artifact while the check runs (a loss curve that grows as training goes): each call
   * replaces the previous one with the same title in the results panel. The last one sent is kept with
   * the check's result. Calls closer together than about 100 ms are coalesced.
   */
  progress(artifact: Artifact): void;
  /** A deterministic random number generator in [0, 1), seeded per check. */
  random(): number;
}

export interface CheckSpec<M> {
  name: string;
  /** The exported function this check exercises. */
  task?: keyof M & string;
  /** Shown when the check fails and the failure has no hint of its own. */
  hint?: string;
  /**
   * For a check that trains or generates at length: the seconds it may take. The learner's time
   * limit (a setting, default 10 s) still applies to every check; this check gets the larger of the two.
   */
  timeoutSeconds?: number;
  run(learner: M, ctx: CheckContext): void | Promise<void>;
}

export interface ExerciseChecks<M = Record<string, unknown>> {
  exports: (keyof M & string)[];
  checks: CheckSpec<M>[];
}

export function defineChecks<M>(spec: ExerciseChecks<M>): ExerciseChecks<M> {
  const seen = new Set<string>();
  for (const c of spec.checks) {
    if (seen.has(c.name)) throw new Error(`duplicate check name "${c.name}"`);
    seen.add(c.name);
  }
  return spec;
}

/** The stable id of a check, derived from its name ("Rows sum to 1" -> "rows-sum-to-1"). */
export function checkId(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'check';
}

/** A deterministic generator of uniforms in [0, 1) for check inputs: the kit's seeded Rng. */
export function seededRandom(seed: number): () => number {
  const rng = new Rng(seed);
  return () => rng.random();
}
