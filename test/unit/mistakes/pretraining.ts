/**
 * The pretraining lesson's mistake cases and library variants (see test/unit/catalogue.ts): every catalogued mistake
 * put into the reference solution (or, for 'earlier-lessons', into the optimizers lesson's solution it builds on), and
 * the one quick check that names it run on it. None of them trains the live model.
 */
import { PRETRAIN_MISTAKES } from '../../../lessons/06d-pretraining/mistakes';
import { type LibraryVariant, type MistakeCase, mistakeCases } from '../catalogue';

const TARGET = 'y.push(Array.from({ length: blockSize }, (_, t) => data[start + t + 1])); // the next character of each position';
const KEEP = 'if (target !== ignoreIndex) { rows.push(i); kept.push(target); }';
const LOSS_RETURN = 'return crossEntropyLoss(picked, kept); //                   the mean over those N targets';
const SUM_BACK = 'nll += loss.item() * n; // back from the batch\'s mean to its sum';
const PPL = 'return { loss, perplexity: Math.exp(loss), tokens };';
const ZERO_GRAD = 'optimizer.zeroGrad(); //                  backward() adds into .grad: clear last step\'s';
const CLIP = 'clipGradNorm(params, train.clip); //      after backward, before the step';
const SCHEDULE = 'optimizer.lr = cosineLr(step, schedule);';

const IMPORT = "import { Rng, type Tensor, embedding, noGrad } from '@llm-lab/kit';";

const TARGET_FOR_HF = 'y.push([...x[b]]); // labels = input_ids, as Hugging Face\'s collator for causal LMs';
const LOSS_KEEP = `  targets.flat().forEach((target, i) => {
    if (target !== ignoreIndex) { rows.push(i); kept.push(target); }
  });`;
const HF_LOSS = `  targets.forEach((row, b) => row.forEach((target, t) => { // labels = input_ids: logits at t - 1 predict token t
    if (t > 0 && target !== ignoreIndex) { rows.push(b * T + t - 1); kept.push(target); }
  }));`;

const PARTS = 'the parts from earlier lessons';
const BATCH = 'getBatch: windows and their targets';
const LOSS = 'lmLoss: the mean over the targets';
const EVAL = 'evaluate: loss and perplexity over batches';
const LOOP = 'train: the loop matches';

export const CASES: MistakeCase[] = mistakeCases(PRETRAIN_MISTAKES, 'pretraining/train', [
  // The optimizers lesson's warmup off by one: the quick test of the earlier parts names it.
  { key: 'earlier-lessons', check: PARTS, in: 'optimizers/optim', edits: [['if (step < warmup) return (maxLr * (step + 1)) / warmup;', 'if (step < warmup) return (maxLr * step) / warmup;']] },
  { key: 'targets-not-shifted', check: BATCH, edits: [[TARGET, 'y.push(Array.from({ length: blockSize }, (_, t) => data[start + t]));']] },
  // Hugging Face's way, both halves: labels = input_ids from getBatch, the shift inside the loss (a convention).
  { key: 'hf-shift-in-loss', check: BATCH, edits: [[TARGET, TARGET_FOR_HF], [LOSS_KEEP, HF_LOSS]] },
  { key: 'hf-shift-in-loss', name: 'the loss alone', check: LOSS, edits: [[LOSS_KEEP, HF_LOSS]] },
  // The loss as the mean over every position, the padded ones contributing 0: a mask times the per-position loss.
  {
    key: 'loss-over-padding', check: LOSS,
    edits: [[IMPORT, "import { Rng, type Tensor, embedding, mul, noGrad } from '@llm-lab/kit';"], [LOSS_RETURN, 'return mul(crossEntropyLoss(picked, kept), rows.length / (B * T)); // sum over kept / all positions']],
  },
  {
    key: 'ppl-mean-of-batches', check: EVAL,
    edits: [
      ['  let nll = 0;\n  let tokens = 0;\n', '  let nll = 0;\n  let tokens = 0;\n  const ppls: number[] = [];\n'],
      [SUM_BACK, 'nll += loss.item() * n;\n      ppls.push(Math.exp(loss.item()));'],
      [PPL, 'return { loss, perplexity: ppls.reduce((a, b) => a + b, 0) / ppls.length, tokens };'],
    ],
  },
  {
    key: 'loss-mean-of-batches', check: EVAL,
    edits: [
      ['  let nll = 0;\n  let tokens = 0;\n', '  let nll = 0;\n  let tokens = 0;\n  let batchesSeen = 0;\n'],
      [SUM_BACK, 'nll += loss.item();\n      batchesSeen++;'],
      ['const loss = nll / tokens;', 'const loss = nll / batchesSeen;'],
    ],
  },
  { key: 'padding-counted', check: EVAL, edits: [['tokens += n;', 'tokens += y.length * y[0].length;']] },
  { key: 'no-zero-grad', check: LOOP, edits: [[ZERO_GRAD, '']] },
  { key: 'clip-after-step', check: LOOP, edits: [[CLIP, ''], ['    optimizer.step();\n', '    optimizer.step();\n    clipGradNorm(params, train.clip);\n']] },
  { key: 'clip-after-step', name: 'no clipping at all', check: LOOP, edits: [[CLIP, '']] },
  { key: 'schedule-off-by-one', check: LOOP, edits: [[SCHEDULE, 'optimizer.lr = cosineLr(step + 1, schedule);']] },
  { key: 'lr-not-scheduled', check: LOOP, edits: [[SCHEDULE, '']] },
]);

export const VARIANTS: LibraryVariant[] = [
  {
    library: 'Hugging Face', name: 'labels = input_ids, the shift inside the loss', exercise: 'pretraining/train', check: BATCH,
    edits: [[TARGET, TARGET_FOR_HF], [LOSS_KEEP, HF_LOSS]],
  },
  {
    library: 'Hugging Face', name: 'the loss shifts inside (logits[..., :-1, :] against labels[..., 1:])', exercise: 'pretraining/train', check: LOSS,
    edits: [[LOSS_KEEP, HF_LOSS]],
  },
  {
    library: 'nanoGPT', name: 'weight decay only on tensors of 2+ dims (two AdamW optimizers)', exercise: 'pretraining/train', check: LOOP,
    edits: [
      ['const optimizer = new AdamW(params, { lr: train.maxLr, weightDecay: train.weightDecay, betas: train.betas });',
        'const decayed = new AdamW(params.filter((p) => p.ndim >= 2), { lr: train.maxLr, weightDecay: train.weightDecay, betas: train.betas });\n'
        + '  const plain = new AdamW(params.filter((p) => p.ndim < 2), { lr: train.maxLr, weightDecay: 0, betas: train.betas });'],
      [ZERO_GRAD, 'decayed.zeroGrad();\n    plain.zeroGrad();'],
      [SCHEDULE, 'decayed.lr = plain.lr = cosineLr(step, schedule);'],
      ['    optimizer.step();\n', '    decayed.step();\n    plain.step();\n'],
    ],
  },
  {
    library: 'PyTorch', name: 'the loss as per-position NLL with a mask (F.cross_entropy(..., reduction="none") then masked mean)', exercise: 'pretraining/train', check: LOSS,
    edits: [[IMPORT, "import { Rng, Tensor, div, embedding, gather, logSoftmax, mul, noGrad, sum } from '@llm-lab/kit';"], [LOSS_RETURN, 'void picked;\n  const logp = logSoftmax(flat, -1); //                      (B·T, V)\n'
      + '  const mask = new Tensor(Float32Array.from(targets.flat(), (v) => (v === ignoreIndex ? 0 : 1)), [B * T, 1]);\n'
      + '  const nll = mul(gather(logp, 1, targets.flat().map((v) => (v === ignoreIndex ? 0 : v)), [B * T, 1]), -1); // (B·T, 1)\n'
      + '  return div(sum(mul(nll, mask)), kept.length);']],
  },
];
