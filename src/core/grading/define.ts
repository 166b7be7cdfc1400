/**
 * How a lesson declares its checks.
 *
 *   export default defineChecks<typeof import('./softmax')>({
 *     exports: ['softmax'],
 *     checks: [{ name: t('rows sum to 1', '每行之和为 1'), task: 'softmax', run: (m) => { ... } }],
 *   });
 *
 * `exports` are the functions the learner file must export; the runner verifies them before any check
 * runs. Each check belongs to a `task` (an exported function), so a failure can point at that function.
 *
 * Checks run one at a time and may be run alone (the Test Explorer re-runs one failed check). A result
 * several checks need, and that is expensive to get (a training run), is declared under `shared` and asked
 * for with `ctx.shared(name)`: it is computed once per run, by the first check that asks, and only if one does.
 */
import { Rng } from '../../kit/random';
import type { Artifact } from './result';
import { type Locale, type Text, isText, say } from './text';

/** A value whose free-text strings may also be given as `Text` (both languages); literal tags stay as they are. */
export type Localizable<T> = T extends string ? (string extends T ? string | Text : T)
  : T extends number | boolean | undefined | null ? T
  : T extends readonly (infer U)[] ? Localizable<U>[]
  : T extends object ? { [K in keyof T]: Localizable<T[K]> }
  : T;

/** An artifact whose titles, captions, labels and series names may be `Text`: shown in the learner's language. */
export type LocalArtifact = Localizable<Artifact>;

export interface CheckContext {
  /** Adds a table, heatmap, curve... to the results panel. */
  artifact(artifact: LocalArtifact): void;
  /**
   * Shows a live artifact while the check runs (a loss curve that grows as training goes): each call
   * replaces the previous one with the same title in the results panel. The last one sent is kept with
   * the check's result. Calls closer together than about 100 ms are coalesced.
   */
  progress(artifact: LocalArtifact): void;
  /** A deterministic random number generator in [0, 1), seeded per check. */
  random(): number;
  /** The learner's language. */
  locale: Locale;
  /** A result declared under `shared` in defineChecks: computed once per run, on first use. */
  shared<T>(name: string): Promise<T>;
  /**
   * Runs the learner's code in n worker threads ("ranks", src/harness/threads.ts): each loads the course part
   * `course` and the learner's file (same rules as here), runs `entry({ rank, world, learner, data, shared })`, and
   * the promise gives each rank's result (structured clone); it rejects with the first rank's error or after
   * `timeoutMs`. Threads end when the check ends. Only in the runner (undefined elsewhere).
   */
  threads?(n: number, request: { course: string; entry: string; data?: unknown; shared?: SharedArrayBuffer[]; timeoutMs?: number }): Promise<unknown[]>;
}

export interface CheckSpec<M> {
  /** What the check shows, in both languages; its id comes from the English name. */
  name: Text;
  /** The exported function this check exercises. */
  task?: keyof M & string;
  /** Shown when the check fails and the failure has no hint of its own. */
  hint?: Text;
  /**
   * For a check that trains or generates at length: the seconds it may take. The learner's time
   * limit (a setting, default 10 s) still applies to every check; this check gets the larger of the two.
   */
  timeoutSeconds?: number;
  run(learner: M, ctx: CheckContext): void | Promise<void>;
}

/** An expensive result several checks use; it receives the context of the first check that asks for it. */
export type SharedResult<M> = (learner: M, ctx: CheckContext) => unknown;

export interface ExerciseChecks<M = Record<string, unknown>> {
  exports: (keyof M & string)[];
  shared?: Record<string, SharedResult<M>>;
  checks: CheckSpec<M>[];
}

export function defineChecks<M>(spec: ExerciseChecks<M>): ExerciseChecks<M> {
  const seen = new Set<string>();
  for (const c of spec.checks) {
    if (!isText(c.name)) throw new Error(`a check's name must be t(english, chinese), got ${JSON.stringify(c.name)}`);
    const id = checkId(c.name);
    if (seen.has(id)) throw new Error(`duplicate check name "${c.name.en}"`);
    seen.add(id);
  }
  return spec;
}

/** The stable id of a check, derived from its English name ("Rows sum to 1" -> "rows-sum-to-1"). */
export function checkId(name: Text | string): string {
  const en = typeof name === 'string' ? name : name.en;
  return en.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'check';
}

/** A deterministic generator of uniforms in [0, 1) for check inputs: the kit's seeded Rng. */
export function seededRandom(seed: number): () => number {
  const rng = new Rng(seed);
  return () => rng.random();
}

/** Replaces every `Text` inside a value with its words in `locale` (numbers and typed arrays pass untouched). */
export function localize<T>(value: Localizable<T>, locale: Locale): T {
  const walk = (v: unknown): unknown => {
    if (v === null || typeof v !== 'object' || ArrayBuffer.isView(v)) return v;
    if (isText(v)) return say(v, locale);
    // Arrays of plain values (curve points, numbers) are kept as they are; a mixed row ([3, t('…', '…')]) is walked.
    if (Array.isArray(v)) return v.some((x) => x !== null && typeof x === 'object') ? v.map(walk) : v;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
  };
  return walk(value) as T;
}
