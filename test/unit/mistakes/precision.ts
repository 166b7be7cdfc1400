/**
 * The precision lesson's mistake cases and library variants (see test/unit/catalogue.ts): every catalogued mistake
 * put into the reference solution, and the one check that names it run on it; and other libraries' ways of writing
 * the same lines, which must pass.
 */
import { PRECISION_MISTAKES } from '../../../lessons/06e-precision/mistakes';
import { type LibraryVariant, type MistakeCase, mistakeCases } from '../catalogue';

const EX = 'precision/scaling';

// Lines of the reference solution the edits change.
const ROUND = 'const r = roundHalfEven(a / ulp) * ulp;';
const OVERFLOW = 'out[i] = v > 0 ? Infinity : -Infinity;';
const ULP = 'const ulp = 2 ** (Math.max(e, -14) - 10); // below 2^-14 the spacing stays 2^-24: subnormals';
const BF16 = 'o[i] = ((u + bias) >>> 0) & 0xffff0000;';
const WEIGHT = 'const w = count(mb) / total;';
const BACKWARD = 'mul(l, w).backward();';
const BACKOFF = 'this.scale *= this.backoffFactor;';
const UNSCALE = 'for (const g of grads) for (let i = 0; i < g.length; i++) g[i] /= scaler.scale;\n';
const SKIP = `if (scaler.foundInf(grads)) { // overflow: skip the step, lower the scale
    scaler.update(true);
    return { loss: loss.item(), skipped: true, gradNorm: Infinity };
  }`;
const CLIP = 'if (norm > maxNorm) for (const g of grads) for (let i = 0; i < g.length; i++) g[i] *= maxNorm / norm;\n';
const UPDATE = `for (let i = 0; i < w.length; i++) w[i] -= opts.lr * grads[j][i]; // the update goes to the fp32 master
    model[j].data.set(toFp16(w)); // and the working copy is the master rounded to fp16`;
const GOOD = 'scaler.update(false);';

// Checks (the start of their English names).
const FP16_HAND = 'toFp16: hand-worked values';
const FP16_RANDOM = 'toFp16: bit for bit';
const BF16_CHECK = 'toBf16: hand-worked and random values';
const ACC_EQUAL = 'accumulateGradients: k equal micro batches';
const ACC_SIZES = 'accumulateGradients: micro batches of different sizes';
const SCALER = 'DynamicLossScaler: the state sequence';
const STEP = 'mixedPrecisionStep:';

export const CASES: MistakeCase[] = mistakeCases(PRECISION_MISTAKES, EX, [
  { key: 'fp16-ties-away', check: FP16_HAND, edits: [[ROUND, 'const r = Math.round(a / ulp) * ulp;']] },
  { key: 'fp16-ties-away', name: 'random values and ties', check: FP16_RANDOM, edits: [[ROUND, 'const r = Math.floor(a / ulp + 0.5) * ulp;']] },
  { key: 'fp16-saturate', check: FP16_HAND, edits: [[OVERFLOW, 'out[i] = v > 0 ? 65504 : -65504;']] },
  { key: 'fp16-saturate', name: 'clamped after rounding', check: FP16_RANDOM, edits: [[OVERFLOW, 'out[i] = v > 0 ? 65504 : -65504;']] },
  {
    key: 'fp16-flush-subnormals', check: FP16_HAND,
    edits: [[ULP, 'if (e < -14) {\n      out[i] = v < 0 ? -0 : 0;\n      continue;\n    }\n    const ulp = 2 ** (e - 10);']],
  },
  { key: 'bf16-truncate', check: BF16_CHECK, edits: [[BF16, 'o[i] = u & 0xffff0000;']] },
  { key: 'no-accum-scaling', check: ACC_EQUAL, edits: [[BACKWARD, 'l.backward();']] },
  { key: 'no-accum-scaling', name: 'micro batches of different sizes', check: ACC_SIZES, edits: [[BACKWARD, 'l.backward();']] },
  { key: 'mean-of-means', check: ACC_SIZES, edits: [[WEIGHT, 'const w = 1 / microBatches.length;']] },
  { key: 'scale-not-reduced', check: SCALER, edits: [[BACKOFF, '']] },
  { key: 'step-not-skipped', check: STEP, edits: [[SKIP, 'const found = scaler.foundInf(grads);'], [GOOD, 'scaler.update(found);']] },
  { key: 'unscale-after-clip', check: STEP, edits: [[UNSCALE, ''], [CLIP, `${CLIP}  ${UNSCALE}`]] },
  {
    key: 'fp16-update', check: STEP,
    edits: [[UPDATE, 'const p = model[j].data;\n    for (let i = 0; i < p.length; i++) p[i] -= opts.lr * grads[j][i];\n    p.set(toFp16(p));\n    w.set(p);']],
  },
  {
    key: 'fp16-update', name: 'master never written', check: STEP,
    edits: [[UPDATE, 'const p = model[j].data;\n    for (let i = 0; i < p.length; i++) p[i] -= opts.lr * grads[j][i];\n    p.set(toFp16(p));']],
  },
]);

/** Other libraries' ways of writing the same lines: they must pass (the lesson accepts them). */
export const VARIANTS: LibraryVariant[] = [
  {
    library: 'PyTorch', name: 'clipping as torch.nn.utils.clip_grad_norm_ (divide by norm + 1e-6)', exercise: EX, check: STEP,
    edits: [[CLIP, 'if (norm > maxNorm) for (const g of grads) for (let i = 0; i < g.length; i++) g[i] *= maxNorm / (norm + 1e-6);\n']],
  },
  {
    library: 'PyTorch', name: 'unscaling by multiplying with the reciprocal of the scale, as GradScaler.unscale_', exercise: EX, check: STEP,
    edits: [[UNSCALE, 'const inv = 1 / scaler.scale;\n  for (const g of grads) for (let i = 0; i < g.length; i++) g[i] *= inv;\n']],
  },
];
