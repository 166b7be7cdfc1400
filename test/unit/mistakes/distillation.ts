/**
 * The distillation lesson's mistake cases and library variants (see test/unit/catalogue.ts): every catalogued mistake
 * put into the reference solution, and the quick value check that names it run on it. None of them trains.
 */
import { DISTILL_MISTAKES } from '../../../lessons/14c-distillation/mistakes';
import { type LibraryVariant, type MistakeCase, mistakeCases } from '../catalogue';

const RETURN = 'return add(mul(kl, alpha * T * T), mul(ce, 1 - alpha));';
const KL = 'const kl = div(sum(mul(pt, sub(logPt, logPs))), N);';
const LOG_PT = 'const logPt = logSoftmax(div(teacher, T), -1);';
const LOG_PS = 'const logPs = logSoftmax(div(student, T), -1);';
const PT = 'const pt = softmax(div(teacher, T), -1);';
const KERAS_RETURN = 'return add(mul(ce, alpha), mul(kl, (1 - alpha) * T * T)); // Keras: alpha * student_loss + (1 - alpha) * distillation_loss';

const VALUE = 'distillLoss: the value against a float64 reference';

export const CASES: MistakeCase[] = mistakeCases(DISTILL_MISTAKES, 'distillation/distill', [
  { key: 'no-t-squared', check: VALUE, edits: [[RETURN, 'return add(mul(kl, alpha), mul(ce, 1 - alpha));']] },
  { key: 'kl-reversed', check: VALUE, edits: [[KL, 'const kl = div(sum(mul(softmax(div(student, T), -1), sub(logPs, logPt))), N);']] },
  { key: 'one-side-temperature', name: 'the student at T = 1', check: VALUE, edits: [[LOG_PS, 'const logPs = logSoftmax(student, -1);']] },
  { key: 'one-side-temperature', name: 'the teacher at T = 1', check: VALUE, edits: [[LOG_PT, 'const logPt = logSoftmax(teacher, -1);'], [PT, 'const pt = softmax(teacher, -1);']] },
  { key: 'alpha-swapped', check: VALUE, edits: [[RETURN, KERAS_RETURN]] },
  {
    key: 't-after-softmax', check: VALUE,
    edits: [
      [LOG_PT, 'const logPt = sub(logSoftmax(teacher, -1), Math.log(T));'],
      [LOG_PS, 'const logPs = sub(logSoftmax(student, -1), Math.log(T));'],
      [PT, 'const pt = div(softmax(teacher, -1), T);'],
    ],
  },
  { key: 'kl-mean-over-classes', check: VALUE, edits: [[KL, 'const kl = div(sum(mul(pt, sub(logPt, logPs))), N * student.shape[1]);']] },
]);

export const VARIANTS: LibraryVariant[] = [
  { library: 'Keras', name: 'alpha on the hard-label loss, 1 - alpha on the distillation loss (the keras.io example)', exercise: 'distillation/distill', check: VALUE, edits: [[RETURN, KERAS_RETURN]] },
];
