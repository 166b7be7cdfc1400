/**
 * The regularisation lesson's mistake cases and library variants (see test/unit/catalogue.ts): every catalogued
 * mistake of lessons/01e-regularisation put into the reference solution, and the one check that names it run on it;
 * and the other conventions (TensorFlow 1.x's keep_prob, the dropout paper's test-time scaling, Keras's momentum)
 * written the way a learner porting them would, which must be named as conventions.
 */
import { REGULARISATION_MISTAKES } from '../../../lessons/01e-regularisation/mistakes';
import { type LibraryVariant, type MistakeCase, mistakeCases } from '../catalogue';

const EXERCISE = 'regularisation/norm';

// Lines of the reference solution (lessons/01e-regularisation/norm.solution.ts).
const EVAL_RETURN = 'if (!training || p === 0) return x;';
const P1 = 'if (p === 1) return mul(x, 0); // everything dropped (1 / (1 - p) would be Infinity, and 0 · Infinity is NaN)';
const SCALE = 'const scale = 1 / (1 - p);';
const MASK = 'mask.data[i] = rng.random() < p ? 0 : scale;';
const RETURN_MASKED = 'return mul(x, mask);';
const BN_MEAN = 'm = mean(x, 0, true); //     (1, C): over the batch axis';
const BN_VAR = 'v = variance(x, 0, true); // (1, C): biased (÷ N), for normalising';
const RUN_MEAN = 'this.runningMean = add(mul(this.runningMean, 1 - k), mul(m.reshape(C), k));';
const RUN_VAR = 'this.runningVar = add(mul(this.runningVar, 1 - k), mul(v.reshape(C), (k * n) / (n - 1))); // unbiased (÷ (N - 1))';
const LN_MEAN = 'const m = mean(x, -1, true);';
const LN_VAR = 'const v = variance(x, -1, true);';

// Check names (the start of the English name of the check that catalogues each mistake).
const EVAL = 'dropout in eval mode returns x unchanged';
const EXTREMES = 'dropout with p = 0 keeps every element';
const TRAINING = 'dropout in training keeps each element';
const SEEDED = 'dropout masks come from the rng';
const BN_TRAIN = 'BatchNorm1d in training normalises';
const BN_RUNNING = 'BatchNorm1d in training updates the running statistics';
const BN_EVAL = 'BatchNorm1d in eval mode';
const BN_GRAD = 'BatchNorm1d gradients';
const LN_REF = 'layerNorm normalises each row over the last axis';

/** The original paper's dropout: survivors unscaled in training, x · (1 - p) at test time. */
const PAPER_DROPOUT: [string, string][] = [
  [EVAL_RETURN, 'if (!training) return mul(x, 1 - p);\n  if (p === 0) return x;'],
  [SCALE, 'const scale = 1;'],
];
/** TensorFlow 1.x: p read as keep_prob, kept with probability p and scaled by 1 / p. */
const KEEP_PROB: [string, string][] = [
  [SCALE, 'const scale = 1 / p;'],
  [MASK, 'mask.data[i] = rng.random() < p ? scale : 0;'],
];

export const CASES: MistakeCase[] = mistakeCases(REGULARISATION_MISTAKES, EXERCISE, [
  // dropout
  { key: 'dropout-in-eval', check: EVAL, edits: [[EVAL_RETURN, 'if (p === 0) return x;']] },
  { key: 'dropout-no-rescale', check: TRAINING, edits: [[SCALE, 'const scale = 1;']] },
  { key: 'dropout-scale-p', check: TRAINING, edits: [[SCALE, 'const scale = p;']] },
  { key: 'dropout-keep-prob', check: TRAINING, edits: KEEP_PROB },
  { key: 'dropout-test-time-scale', check: EVAL, edits: PAPER_DROPOUT, name: 'eval' },
  { key: 'dropout-test-time-scale', check: TRAINING, edits: PAPER_DROPOUT, name: 'training' },
  {
    key: 'dropout-p1-nan', check: EXTREMES,
    edits: [[P1, ''], [MASK, 'mask.data[i] = rng.random() < p ? 0 : 1;'], [RETURN_MASKED, 'return mul(div(x, 1 - p), mask);']],
  },
  { key: 'dropout-not-seeded', check: SEEDED, edits: [[MASK, 'mask.data[i] = Math.random() < p ? 0 : scale;']] },
  // BatchNorm1d
  { key: 'bn-eval-batch-stats', check: BN_EVAL, edits: [['if (this.training) {', 'if (this.training || x.shape[0] > 1) {']] },
  { key: 'bn-running-not-updated', check: BN_RUNNING, edits: [[RUN_MEAN, ''], [RUN_VAR, '']] },
  {
    key: 'bn-momentum-reversed', check: BN_RUNNING,
    edits: [
      [RUN_MEAN, 'this.runningMean = add(mul(this.runningMean, k), mul(m.reshape(C), 1 - k));'],
      [RUN_VAR, 'this.runningVar = add(mul(this.runningVar, k), mul(v.reshape(C), ((1 - k) * n) / (n - 1)));'],
    ],
  },
  { key: 'bn-default-momentum-keras', check: 'BatchNorm1d starts with weight 1', edits: [['this.momentum = opts.momentum ?? 0.1;', 'this.momentum = opts.momentum ?? 0.99;']] },
  { key: 'bn-running-var-biased', check: BN_RUNNING, edits: [[RUN_VAR, 'this.runningVar = add(mul(this.runningVar, 1 - k), mul(v.reshape(C), k));']] },
  { key: 'bn-unbiased-normalise', check: BN_TRAIN, edits: [[BN_VAR, 'v = variance(x, 0, true, true);']] },
  { key: 'bn-wrong-axis', check: BN_TRAIN, edits: [[BN_MEAN, 'm = mean(x, 1, true);'], [BN_VAR, 'v = variance(x, 1, true);']] },
  { key: 'bn-stats-detached', check: BN_GRAD, edits: [[BN_MEAN, 'm = mean(x, 0, true).detach();'], [BN_VAR, 'v = variance(x, 0, true).detach();']] },
  // layerNorm
  { key: 'ln-wrong-axis', check: LN_REF, edits: [[LN_MEAN, 'const m = mean(x, 0, true);'], [LN_VAR, 'const v = variance(x, 0, true);']] },
  { key: 'ln-unbiased', check: LN_REF, edits: [[LN_VAR, 'const v = variance(x, -1, true, true);']] },
  { key: 'ln-eps-ignored', check: LN_REF, edits: [['sqrt(add(v, eps))', 'sqrt(add(v, 1e-5))']] },
]);

export const VARIANTS: LibraryVariant[] = [
  { library: 'TensorFlow 1.x (keep_prob)', name: 'p read as keep_prob: kept with probability p, scaled by 1 / p', exercise: EXERCISE, check: TRAINING, edits: KEEP_PROB },
  { library: 'Srivastava et al. (2014)', name: 'no scaling in training, x · (1 - p) at test time', exercise: EXERCISE, check: EVAL, edits: PAPER_DROPOUT },
  {
    library: 'Keras', name: 'BatchNormalization: momentum 0.99, moving = moving · momentum + batch · (1 - momentum)', exercise: EXERCISE, check: BN_RUNNING,
    edits: [
      ['this.momentum = opts.momentum ?? 0.1;', 'this.momentum = opts.momentum ?? 0.99;'],
      [RUN_MEAN, 'this.runningMean = add(mul(this.runningMean, k), mul(m.reshape(C), 1 - k));'],
      [RUN_VAR, 'this.runningVar = add(mul(this.runningVar, k), mul(v.reshape(C), ((1 - k) * n) / (n - 1)));'],
    ],
  },
  {
    library: 'Keras', name: 'BatchNormalization\'s default momentum, 0.99', exercise: EXERCISE, check: 'BatchNorm1d starts with weight 1',
    edits: [['this.momentum = opts.momentum ?? 0.1;', 'this.momentum = opts.momentum ?? 0.99;']],
  },
  {
    library: 'PyTorch', name: 'F.dropout also draws a mask for p = 0 (a mask of ones, scale 1)', exercise: EXERCISE, check: EXTREMES,
    edits: [[EVAL_RETURN, 'if (!training) return x;']],
  },
];
