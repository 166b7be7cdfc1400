/**
 * The optimizers lesson's mistake cases and library variants (see test/unit/catalogue.ts): every catalogued mistake
 * put into the reference solution, and the one check that names it run on it; and other libraries' ways of writing
 * the same lines, which must pass or be named as conventions.
 */
import { OPTIM_MISTAKES } from '../../../lessons/01d-optimizers/mistakes';
import { type LibraryVariant, type MistakeCase, mistakeCases } from '../catalogue';

const EX = 'optimizers/optim';

// Lines of the reference solution the edits change.
const M_HAT = 'const mHat = m[i] / bc1;';
const V_HAT = 'const vHat = v[i] / bc2;';
const DECAY_LINES = `if (decoupled) w[i] -= lr * weightDecay * w[i]; // AdamW: shrink the weights themselves
        else gi += weightDecay * w[i]; //                  Adam: L2 in the gradient`;
const DECAY = 'if (decoupled) w[i] -= lr * weightDecay * w[i];';
const ADAM_STEP = 'w[i] -= (lr * mHat) / (Math.sqrt(vHat) + eps);';
const SGD_BUF = 'buf[i] = momentum * buf[i] + d;';
const SGD_STEP = 'w[i] -= lr * buf[i];';
const WARMUP = 'if (step < warmup) return (maxLr * (step + 1)) / warmup;';
const PROGRESS = 'const progress = (step - warmup) / (total - warmup);';
const CLIP_BODY = `for (const g of grads) for (let i = 0; i < g.length; i++) sq += g[i] * g[i];
  const norm = Math.sqrt(sq);
  if (norm > maxNorm) {
    const scale = maxNorm / norm;
    for (const g of grads) for (let i = 0; i < g.length; i++) g[i] *= scale;
  }`;

// Checks (the start of their English names).
const SGD_PLAIN = 'SGD without momentum';
const SGD_MOMENTUM = 'SGD with momentum';
const ADAM = 'Adam: 100 steps';
const ADAMW = 'AdamW: 100 steps';
const COSINE = 'cosineLr: warmup, cosine decay';
const CLIP_GLOBAL = 'clipGradNorm: one global norm';
const CLIP_SMALL = 'clipGradNorm leaves small gradients alone';
const ZERO_GRAD = 'zeroGrad clears every gradient';

/** Keras's SGD: velocity = momentum · velocity − lr · g; w += velocity. */
const KERAS_MOMENTUM: [string, string][] = [[SGD_BUF, 'buf[i] = momentum * buf[i] - lr * d;'], [SGD_STEP, 'w[i] += buf[i];']];
/** Keras's Adam: alpha = lr · √(1 − β₂ᵗ) / (1 − β₁ᵗ); w −= alpha · m / (√v + ε). */
const KERAS_EPS: [string, string][] = [[ADAM_STEP, 'w[i] -= ((lr * Math.sqrt(bc2)) / bc1) * m[i] / (Math.sqrt(v[i]) + eps);']];
/** Hugging Face's get_cosine_schedule_with_warmup: step / warmup. */
const HF_WARMUP: [string, string][] = [[WARMUP, 'if (step < warmup) return (maxLr * step) / warmup;']];
/** nanoGPT's train.py: (it + 1) / (warmup_iters + 1). */
const NANOGPT_WARMUP: [string, string][] = [[WARMUP, 'if (step < warmup) return (maxLr * (step + 1)) / (warmup + 1);']];
/** nanoGPT's configure_optimizers: only tensors with 2 or more dimensions are decayed. */
const NANOGPT_2D: [string, string][] = [[DECAY, 'if (decoupled) w[i] -= p.ndim >= 2 ? lr * weightDecay * w[i] : 0;']];

export const CASES: MistakeCase[] = mistakeCases(OPTIM_MISTAKES, EX, [
  { key: 'no-bias-correction', check: ADAM, edits: [[M_HAT, 'const mHat = m[i];'], [V_HAT, 'const vHat = v[i];']] },
  { key: 'no-bias-correction', name: 'AdamW, only v corrected', check: ADAMW, edits: [[M_HAT, 'const mHat = m[i];']] },
  { key: 'l2-in-adamw', check: ADAMW, edits: [[DECAY_LINES, 'gi += weightDecay * w[i];']] },
  { key: 'adam-decoupled', check: ADAM, edits: [['protected decoupled = false;', 'protected decoupled = true;']] },
  { key: 'decay-wrong-target', check: ADAMW, edits: [[DECAY, 'if (decoupled) w[i] -= lr * weightDecay * g[i];']] },
  { key: 'decay-no-lr', check: ADAMW, edits: [[DECAY, 'if (decoupled) w[i] -= weightDecay * w[i];']] },
  { key: 'decay-after-step', check: ADAMW, edits: [
    [DECAY_LINES, 'if (!decoupled) gi += weightDecay * w[i];'],
    [ADAM_STEP, `${ADAM_STEP}\n        if (decoupled) w[i] -= lr * weightDecay * w[i];`],
  ] },
  { key: 'decay-2d-only', check: ADAMW, edits: NANOGPT_2D },
  { key: 'eps-hat', check: ADAM, edits: KERAS_EPS },
  { key: 'eps-in-sqrt', check: ADAM, edits: [[ADAM_STEP, 'w[i] -= (lr * mHat) / Math.sqrt(vHat + eps);']] },
  { key: 'lr-cached', check: SGD_PLAIN, edits: [
    ['readonly momentum: number;', 'readonly momentum: number;\n  private readonly lr0: number;'],
    ['this.lr = opts.lr;', 'this.lr = opts.lr;\n    this.lr0 = opts.lr;'],
    ['const { lr, momentum, weightDecay } = this;', 'const { momentum, weightDecay } = this;\n    const lr = this.lr0;'],
  ] },
  { key: 'momentum-lr-in-buffer', check: SGD_MOMENTUM, edits: [[SGD_BUF, 'buf[i] = momentum * buf[i] + lr * d;'], [SGD_STEP, 'w[i] -= buf[i];']] },
  { key: 'no-grad-updated', name: 'a null grad read as zeros', check: SGD_PLAIN, edits: [[
    'const g = p.grad;\n      if (!g) return;\n      const w = p.data;\n      const buf',
    'const g = p.grad ?? new Float32Array(p.size);\n      const w = p.data;\n      const buf',
  ]] },
  { key: 'no-grad-updated', name: 'a null grad read anyway (TypeError)', check: ADAM, edits: [[
    'const g = p.grad;\n      if (!g) return;\n      const w = p.data;\n      const m',
    'const g = p.grad as Float32Array;\n      const w = p.data;\n      const m',
  ]] },
  { key: 'schedule-off-by-one', name: 'the cosine part one step early', check: COSINE, edits: [[PROGRESS, 'const progress = (step + 1 - warmup) / (total - warmup);']] },
  { key: 'schedule-off-by-one', name: 'the whole schedule one step early', check: COSINE, edits: [['const { maxLr, minLr, warmup, total } = opts;', 'const { maxLr, minLr, warmup, total } = opts;\n  step = step + 1;']] },
  { key: 'warmup-from-zero', check: COSINE, edits: HF_WARMUP },
  { key: 'warmup-nanogpt', check: COSINE, edits: NANOGPT_WARMUP },
  { key: 'clip-per-tensor', check: CLIP_GLOBAL, edits: [[CLIP_BODY, `for (const g of grads) {
    let s = 0;
    for (let i = 0; i < g.length; i++) s += g[i] * g[i];
    sq += s;
    const n = Math.sqrt(s);
    if (n > maxNorm) for (let i = 0; i < g.length; i++) g[i] *= maxNorm / n;
  }
  const norm = Math.sqrt(sq);`]] },
  { key: 'clip-returns-after', check: CLIP_GLOBAL, edits: [['return norm;', 'return Math.min(norm, maxNorm);']] },
  { key: 'clip-always-scales', check: CLIP_SMALL, edits: [['if (norm > maxNorm) {', 'if (norm > 0) {']] },
]);

export const VARIANTS: LibraryVariant[] = [
  { library: 'Keras', name: 'SGD velocity with lr inside, v = μv − lr·g, w += v', exercise: EX, check: SGD_MOMENTUM, edits: KERAS_MOMENTUM },
  { library: 'Keras', name: "Adam's ε̂: corrections folded into the step size", exercise: EX, check: ADAM, edits: KERAS_EPS },
  { library: 'Hugging Face', name: 'get_cosine_schedule_with_warmup: warmup step / warmup', exercise: EX, check: COSINE, edits: HF_WARMUP },
  { library: 'nanoGPT', name: 'train.py: warmup (it + 1) / (warmup_iters + 1)', exercise: EX, check: COSINE, edits: NANOGPT_WARMUP },
  { library: 'nanoGPT', name: 'configure_optimizers: weight decay on 2-D tensors only', exercise: EX, check: ADAMW, edits: NANOGPT_2D },
  { library: 'PyTorch', name: 'clip_grad_norm_: max_norm / (norm + 1e-6), clamped to 1, always multiplied', exercise: EX, check: CLIP_GLOBAL, edits: [[CLIP_BODY,
    `for (const g of grads) for (let i = 0; i < g.length; i++) sq += g[i] * g[i];
  const norm = Math.sqrt(sq);
  const coef = Math.min(maxNorm / (norm + 1e-6), 1);
  for (const g of grads) for (let i = 0; i < g.length; i++) g[i] *= coef;`]] },
  { library: 'PyTorch', name: 'clip_grad_norm_ with small gradients: multiplied by a coefficient clamped to 1', exercise: EX, check: CLIP_SMALL, edits: [[CLIP_BODY,
    `for (const g of grads) for (let i = 0; i < g.length; i++) sq += g[i] * g[i];
  const norm = Math.sqrt(sq);
  const coef = Math.min(maxNorm / (norm + 1e-6), 1);
  for (const g of grads) for (let i = 0; i < g.length; i++) g[i] *= coef;`]] },
  { library: 'PyTorch', name: 'zero_grad(set_to_none=True): grads set to null', exercise: EX, check: ZERO_GRAD, edits: [[
    'w[i] -= (lr * mHat) / (Math.sqrt(vHat) + eps);\n      }\n    });\n  }\n\n  zeroGrad(): void {\n    for (const p of this.params) p.zeroGrad();',
    'w[i] -= (lr * mHat) / (Math.sqrt(vHat) + eps);\n      }\n    });\n  }\n\n  zeroGrad(): void {\n    for (const p of this.params) p.grad = null;',
  ], [
    'w[i] -= lr * buf[i];\n      }\n    });\n  }\n\n  zeroGrad(): void {\n    for (const p of this.params) p.zeroGrad();',
    'w[i] -= lr * buf[i];\n      }\n    });\n  }\n\n  zeroGrad(): void {\n    for (const p of this.params) p.grad = null;',
  ]] },
];
