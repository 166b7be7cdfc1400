/**
 * The distillation lesson's grading-truth corpus (see test/unit/corpus.ts): learner files for distillation/distill
 * written independently of the catalogue. Correct files in other styles than the reference (the KL as a soft
 * cross-entropy minus the teacher's entropy, the teacher's probabilities computed in float64 from .data, log(softmax)
 * instead of logSoftmax with the hard term by logSoftmax + gather, a mean over the rows instead of a division, early
 * returns at alpha 0 and 1), and one-bug variants: most of them mistakes no catalogue names (the hard term softened
 * too, the KL summed over the rows, T instead of T², a sign, an argument check missing, the input modified in place),
 * the others catalogued mistakes written a new way (`catalogued`).
 *
 * Only the first correct file runs the live training (about 5 s); every other entry runs the quick checks. Each bug's
 * `line` is computed from its source: where a marker occurs, exactly once.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { type CorpusEntry, lineOf } from '../corpus';
import { LESSONS, withEdits } from '../helpers';

const EX = 'distillation/distill';
const SOLUTION = readFileSync(path.join(LESSONS, '14c-distillation', 'distill.solution.ts'), 'utf8');
const QUICK = ['distillLoss: the value', 'distillLoss: the gradient', 'distillLoss: rejects'];

const IMPORT = "import { type Tensor, add, crossEntropy, div, logSoftmax, mul, softmax, sub, sum } from '@llm-lab/kit';";
const RETURN = 'return add(mul(kl, alpha * T * T), mul(ce, 1 - alpha));';
const KL = 'const kl = div(sum(mul(pt, sub(logPt, logPs))), N);';
const CE = 'const ce = crossEntropy(student, targets);';
const CHECK_ALPHA = "if (!(alpha >= 0 && alpha <= 1)) throw new Error(`distillLoss: alpha must be in [0, 1], got ${alpha}`);";

/** The soft term as T²·(CE(p_t, p_s) − H(p_t)), the hard term by logSoftmax + gather, a mean over rows. */
const SOFT_CE = `import { Tensor, add, div, gather, logSoftmax, mean, mul, neg, softmax, sum } from '@llm-lab/kit';

export interface DistillOptions {
  temperature: number;
  alpha: number;
}

export function distillLoss(student: Tensor, teacher: Tensor, targets: ArrayLike<number>, opts: DistillOptions): Tensor {
  const T = opts.temperature;
  const a = opts.alpha;
  if (T <= 0 || Number.isNaN(T)) throw new Error('temperature must be positive');
  if (a < 0 || a > 1 || Number.isNaN(a)) throw new Error('alpha must be in [0, 1]');
  const [N] = student.shape;
  const pt = softmax(div(teacher, T), -1);
  const softCe = mean(neg(sum(mul(pt, logSoftmax(div(student, T), -1)), -1))); // cross-entropy against soft targets
  const entropy = mean(neg(sum(mul(pt, logSoftmax(div(teacher, T), -1)), -1))); // the teacher's entropy, a constant
  const kl = add(softCe, neg(entropy));
  const logp = logSoftmax(student, -1);
  const picked = gather(logp, 1, Array.from(targets), [N, 1]);
  const hard = neg(mean(picked));
  return add(mul(kl, a * T ** 2), mul(hard, 1 - a));
}
`;

/** The teacher's softened distribution computed in float64 over .data (it needs no gradient), the student in kit ops. */
const TEACHER64 = `import { Tensor, add, crossEntropy, div, logSoftmax, mul, sum } from '@llm-lab/kit';

export interface DistillOptions {
  temperature: number;
  alpha: number;
}

function softTargets(logits: Tensor, T: number): { p: Tensor; plogp: number } {
  const [N, V] = logits.shape;
  const p = new Float32Array(N * V);
  let plogp = 0;
  for (let n = 0; n < N; n++) {
    let max = -Infinity;
    for (let v = 0; v < V; v++) max = Math.max(max, logits.data[n * V + v] / T);
    let z = 0;
    for (let v = 0; v < V; v++) z += Math.exp(logits.data[n * V + v] / T - max);
    for (let v = 0; v < V; v++) {
      const logq = logits.data[n * V + v] / T - max - Math.log(z);
      p[n * V + v] = Math.exp(logq);
      plogp += Math.exp(logq) * logq;
    }
  }
  return { p: new Tensor(p, [N, V]), plogp };
}

export function distillLoss(student: Tensor, teacher: Tensor, targets: ArrayLike<number>, opts: DistillOptions): Tensor {
  const { temperature, alpha } = opts;
  if (!(temperature > 0)) throw new RangeError('temperature');
  if (!(alpha >= 0) || !(alpha <= 1)) throw new RangeError('alpha');
  const N = student.shape[0];
  const { p, plogp } = softTargets(teacher, temperature);
  const cross = div(sum(mul(p, logSoftmax(div(student, temperature), -1))), -N);
  const kl = add(cross, plogp / N);
  const soft = mul(kl, alpha * temperature * temperature);
  return add(soft, mul(crossEntropy(student, targets), 1 - alpha));
}
`;

function correct(name: string, file: { edits?: [string, string][]; source?: string }, checks: string[] | undefined = QUICK): CorpusEntry {
  const source = file.source ?? withEdits(SOLUTION, file.edits!, name);
  return { exercise: EX, name, kind: 'correct', source, ...(checks ? { checks } : {}) };
}

interface BugOptions { catalogued?: string; kitOps?: boolean; at?: string }

function bug(name: string, edits: [string, string][], opts: BugOptions = {}, base = SOLUTION): CorpusEntry {
  const source = withEdits(base, edits, name);
  const marker = opts.at ?? edits[edits.length - 1][1].split('\n').find((l) => l.trim() !== '')!.trim();
  return {
    exercise: EX, name, kind: 'bug', source, line: lineOf(source, marker, name), checks: QUICK,
    ...(opts.catalogued ? { catalogued: opts.catalogued } : {}),
    ...(opts.kitOps ? { kitOps: true } : {}),
  };
}

export const CORPUS: CorpusEntry[] = [
  // --- correct files in other styles (the first one also runs the live training) -----------------------------------
  correct('soft cross-entropy minus the teacher\'s entropy, hard term by logSoftmax + gather, means over rows', { source: SOFT_CE }, undefined),
  correct('the teacher\'s soft targets in float64 over .data, a constant tensor', { source: TEACHER64 }),
  correct('log(softmax(...)) instead of logSoftmax, T ** 2 computed once', {
    edits: [
      [IMPORT, "import { type Tensor, add, crossEntropy, div, log, mul, softmax, sub, sum } from '@llm-lab/kit';"],
      ['const logPt = logSoftmax(div(teacher, T), -1);', 'const logPt = log(softmax(div(teacher, T), -1));'],
      ['const logPs = logSoftmax(div(student, T), -1);', 'const logPs = log(softmax(div(student, T), -1));'],
      [RETURN, 'const t2 = T ** 2;\n  return add(mul(kl, alpha * t2), mul(ce, 1 - alpha));'],
    ],
  }),
  correct('early returns at alpha 0 and 1, KL as a mean over rows of per-row sums', {
    edits: [
      [IMPORT, "import { type Tensor, add, crossEntropy, div, logSoftmax, mean, mul, softmax, sub, sum } from '@llm-lab/kit';"],
      ['  const N = student.shape[0];\n', '  if (alpha === 0) return crossEntropy(student, targets);\n'],
      [KL, 'const kl = mean(sum(mul(pt, sub(logPt, logPs)), -1));'],
      [RETURN, 'if (alpha === 1) return mul(kl, T * T);\n  return add(mul(kl, alpha * T * T), mul(ce, 1 - alpha));'],
    ],
  }),
  correct('the temperature as a multiplication by 1 / T, weights named, the sum taken per row', {
    edits: [
      ['const logPt = logSoftmax(div(teacher, T), -1);', 'const invT = 1 / T;\n  const logPt = logSoftmax(mul(teacher, invT), -1);'],
      ['const logPs = logSoftmax(div(student, T), -1);', 'const logPs = logSoftmax(mul(student, invT), -1);'],
      ['const pt = softmax(div(teacher, T), -1);', 'const pt = softmax(mul(teacher, invT), -1);'],
      [KL, 'const kl = div(sum(sum(mul(pt, sub(logPt, logPs)), 1)), N);'],
      [RETURN, 'const softWeight = alpha * T * T;\n  const hardWeight = 1 - alpha;\n  return add(mul(kl, softWeight), mul(ce, hardWeight));'],
    ],
  }),

  // --- bugs no catalogue names -------------------------------------------------------------------------------------
  bug('the hard-label cross-entropy softened by T too', [[CE, 'const ce = crossEntropy(div(student, T), targets);']], { kitOps: true }),
  bug('the KL summed over the rows, not averaged', [[KL, 'const kl = sum(mul(pt, sub(logPt, logPs)));']], { kitOps: true }),
  bug('the soft term multiplied by T instead of T²', [[RETURN, 'return add(mul(kl, alpha * T), mul(ce, 1 - alpha));']], { kitOps: true }),
  bug('the log-ratio with its sign flipped (a negative KL)', [[KL, 'const kl = div(sum(mul(pt, sub(logPs, logPt))), N);']], { kitOps: true }),
  bug('alpha never checked (1.5 accepted)', [[CHECK_ALPHA, "if (alpha < 0) throw new Error('alpha must not be negative');"]]),
  bug('the student\'s logits divided by T in place', [['const logPs = logSoftmax(div(student, T), -1);', 'for (let i = 0; i < student.data.length; i++) student.data[i] /= T;\n  const logPs = logSoftmax(student, -1);']], { at: 'for (let i = 0; i < student.data.length; i++) student.data[i] /= T;' }),

  // --- catalogued mistakes written a new way -----------------------------------------------------------------------
  bug('KL(student ‖ teacher) written as the student\'s soft cross-entropy against the teacher', [[KL, 'const ps = softmax(div(student, T), -1);\n  const kl = div(sum(mul(ps, sub(logPs, logPt))), N);']], { catalogued: 'kl-reversed', kitOps: true, at: 'const kl = div(sum(mul(ps, sub(logPs, logPt))), N);' }),
  bug('the soft weight kept in a variable that forgot T²', [[RETURN, 'const softWeight = alpha;\n  return add(mul(kl, softWeight), mul(ce, 1 - alpha));']], { catalogued: 'no-t-squared', at: 'const softWeight = alpha;' }),
  bug('the teacher\'s float64 soft targets computed at T = 1', [['const { p, plogp } = softTargets(teacher, temperature);', 'const { p, plogp } = softTargets(teacher, 1);']], { catalogued: 'one-side-temperature' }, TEACHER64),
  bug('a mean over every element of the pointwise KL', [[KL, "const kl = mean(mul(pt, sub(logPt, logPs))); // like kl_div(..., reduction='mean')"], [IMPORT, "import { type Tensor, add, crossEntropy, div, logSoftmax, mean, mul, softmax, sub, sum } from '@llm-lab/kit';"]], { catalogued: 'kl-mean-over-classes', kitOps: true, at: 'const kl = mean(mul(pt, sub(logPt, logPs)));' }),
];
