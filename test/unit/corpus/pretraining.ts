/**
 * The pretraining lesson's grading-truth corpus (see test/unit/corpus.ts): learner files for pretraining/train written
 * independently of the catalogue. Correct files in other styles than the reference (logSoftmax + gather with a mask,
 * a float64 loop over the logits for evaluation, slices of an array for the batch, nanoGPT's decay groups,
 * per-parameter zeroGrad, a while loop...), and one-bug variants: most of them mistakes no catalogue names (a start range
 * off by one, targets two ahead, ignoreIndex ignored, perplexity in base 2, the batch size used as the context, the
 * config's betas dropped, a generator made anew every step), the others catalogued mistakes written a new way (`catalogued`).
 *
 * No entry runs the live training (30 s and more on a busy machine; the lesson suite and the track test run it): every
 * entry runs the quick checks. Each bug's `line` is computed from its source: where a marker (by default the first
 * line of the changed text) occurs, exactly once.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { type CorpusEntry, lineOf } from '../corpus';
import { LESSONS, withEdits } from '../helpers';

const EX = 'pretraining/train';
const SOLUTION = readFileSync(path.join(LESSONS, '06d-pretraining', 'pretrain.solution.ts'), 'utf8');

const QUICK = ['the parts from earlier lessons', 'getBatch: windows', 'lmLoss: the mean', 'evaluate: loss and perplexity', 'train: the loop matches'];
const IMPORT = "import { Rng, type Tensor, embedding, noGrad } from '@llm-lab/kit';";
const ALL_OPS = "import { Rng, Tensor, div, gather, logSoftmax, mul, noGrad, sum } from '@llm-lab/kit';";

const BATCH_BODY = `  for (let b = 0; b < batchSize; b++) {
    const start = rng.randint(0, data.length - blockSize); // the last start still has a target after its window
    x.push(Array.from({ length: blockSize }, (_, t) => data[start + t]));
    y.push(Array.from({ length: blockSize }, (_, t) => data[start + t + 1])); // the next character of each position
  }`;
const LOSS_BODY = `  const flat = logits.reshape(B * T, V); //                   (B·T, V): one row per position
  const rows: number[] = [];
  const kept: number[] = [];
  targets.flat().forEach((target, i) => {
    if (target !== ignoreIndex) { rows.push(i); kept.push(target); }
  });
  // embedding() picks rows of a table, with gradients: only the positions that have a real target.
  const picked = embedding(flat, rows, [rows.length]); //     (N, V)
  return crossEntropyLoss(picked, kept); //                   the mean over those N targets`;
const EVAL_BODY = `  noGrad(() => {
    for (const { x, y } of batches) {
      const n = y.flat().filter((v) => v !== -100).length;
      if (n === 0) continue;
      const loss = lmLoss(gptForward(weights, x, config).logits, y);
      nll += loss.item() * n; // back from the batch's mean to its sum
      tokens += n;
    }
  });`;
const ZERO_GRAD = "optimizer.zeroGrad(); //                  backward() adds into .grad: clear last step's";
const RNG = 'const rng = new Rng(train.seed); //    one generator for every batch of the run';
const GET = 'const { x, y } = getBatch(data, train.batchSize, config.blockSize, rng);';
const PPL = 'return { loss, perplexity: Math.exp(loss), tokens };';

/** The loss as a masked mean of per-position NLL (PyTorch's reduction="none" then a mean over the mask), kit ops. */
const MASKED_LOSS = `  const flat = logits.reshape(B * T, V);
  const ids = targets.flat();
  const logp = logSoftmax(flat, -1); //                                          (B·T, V)
  const picked = gather(logp, 1, ids.map((v) => (v === ignoreIndex ? 0 : v)), [B * T, 1]); // (B·T, 1)
  const mask = new Tensor(Float32Array.from(ids, (v) => (v === ignoreIndex ? 0 : 1)), [B * T, 1]);
  const count = ids.filter((v) => v !== ignoreIndex).length;
  return div(sum(mul(picked, mask)), -count);`;

/** Evaluation with a float64 log-sum-exp over the logits' .data, no lmLoss. */
const FLOAT64_EVAL = `  for (const { x, y } of batches) {
    const logits = noGrad(() => gptForward(weights, x, config).logits);
    const V = logits.shape[2];
    const ids = y.flat();
    for (let i = 0; i < ids.length; i++) {
      if (ids[i] === -100) continue;
      let m = -Infinity;
      for (let v = 0; v < V; v++) m = Math.max(m, logits.data[i * V + v]);
      let z = 0;
      for (let v = 0; v < V; v++) z += Math.exp(logits.data[i * V + v] - m);
      nll += m + Math.log(z) - logits.data[i * V + ids[i]];
      tokens++;
    }
  }`;

interface BugOptions {
  catalogued?: string;
  kitOps?: boolean;
  at?: string;
}

function correct(name: string, edits: [string, string][]): CorpusEntry {
  return { exercise: EX, name, kind: 'correct', source: withEdits(SOLUTION, edits, name), checks: QUICK };
}

function bug(name: string, edits: [string, string][], opts: BugOptions = {}, base = SOLUTION): CorpusEntry {
  const source = withEdits(base, edits, name);
  const marker = opts.at ?? edits[edits.length - 1][1].split('\n').find((l) => l.trim() !== '')!.trim();
  return {
    exercise: EX, name, kind: 'bug', source, line: lineOf(source, marker, name), checks: QUICK,
    ...(opts.catalogued ? { catalogued: opts.catalogued } : {}),
    ...(opts.kitOps ? { kitOps: true } : {}),
  };
}

const MASKED = correct('loss as a masked mean of logSoftmax + gather (kit ops)', [[IMPORT, ALL_OPS], [LOSS_BODY, MASKED_LOSS]]);
const masked = MASKED.source!;

export const CORPUS: CorpusEntry[] = [
  // --- correct files in other styles -----------------------------------------------------------------------------
  MASKED,
  correct('batch by slicing an array copy; evaluation in float64 over .data', [
    [BATCH_BODY, `  const all = Array.from(data);
  let b = 0;
  while (b < batchSize) {
    const s = rng.randint(0, all.length - blockSize);
    const window = all.slice(s, s + blockSize + 1); //  blockSize + 1 ids: inputs and the one after
    x.push(window.slice(0, -1));
    y.push(window.slice(1));
    b++;
  }`],
    [EVAL_BODY, FLOAT64_EVAL],
  ]),
  correct('nanoGPT decay groups, per-parameter zeroGrad, losses read before backward', [
    ['const optimizer = new AdamW(params, { lr: train.maxLr, weightDecay: train.weightDecay, betas: train.betas });',
      'const groups = [new AdamW(params.filter((p) => p.ndim >= 2), { lr: train.maxLr, weightDecay: train.weightDecay, betas: train.betas }), new AdamW(params.filter((p) => p.ndim < 2), { lr: train.maxLr, weightDecay: 0, betas: train.betas })];'],
    [ZERO_GRAD, 'for (const p of params) p.zeroGrad();'],
    ['optimizer.lr = cosineLr(step, schedule);', 'const lr = cosineLr(step, schedule);\n    for (const g of groups) g.lr = lr;'],
    ['    optimizer.step();\n', '    for (const g of groups) g.step();\n'],
  ]),
  correct('evaluation as Σ mean·n with counts from a loop, perplexity from the sum of logs', [
    [EVAL_BODY, `  for (const batch of batches) {
    let n = 0;
    for (const row of batch.y) for (const v of row) if (v !== -100) n++;
    if (!n) continue;
    const mean = noGrad(() => lmLoss(gptForward(weights, batch.x, config).logits, batch.y)).item();
    nll += mean * n;
    tokens += n;
  }`],
    [PPL, 'return { loss, perplexity: Math.exp(nll / tokens), tokens };'],
  ]),
  correct('the loss with crossEntropyLoss over all rows when nothing is ignored, rows picked otherwise', [
    ['  // embedding() picks rows of a table, with gradients: only the positions that have a real target.\n',
      '  if (rows.length === B * T) return crossEntropyLoss(flat, kept); // no padding: every row\n'],
  ]),
  // --- one-bug variants, not catalogued -------------------------------------------------------------------------
  bug('start range one short: randint(0, length - blockSize - 1)', [[
    'const start = rng.randint(0, data.length - blockSize); // the last start still has a target after its window',
    'const start = rng.randint(0, data.length - blockSize - 1);']]),
  bug('targets two ahead', [[
    'y.push(Array.from({ length: blockSize }, (_, t) => data[start + t + 1])); // the next character of each position',
    'y.push(Array.from({ length: blockSize }, (_, t) => data[start + t + 2]));']]),
  bug('ignoreIndex argument ignored: -100 hard-coded', [['if (target !== ignoreIndex) { rows.push(i); kept.push(target); }', 'if (target !== -100) { rows.push(i); kept.push(target); }']]),
  bug('perplexity in base 2', [[PPL, 'return { loss, perplexity: 2 ** loss, tokens };']]),
  bug('the batch size passed as the context length', [[GET, 'const { x, y } = getBatch(data, train.batchSize, train.batchSize, rng);']]),
  bug('AdamW built without the betas of the config (PyTorch\'s defaults instead)', [['const optimizer = new AdamW(params, { lr: train.maxLr, weightDecay: train.weightDecay, betas: train.betas });',
    'const optimizer = new AdamW(params, { lr: train.maxLr, weightDecay: train.weightDecay });']]),
  bug('a generator made anew every step', [[RNG, ''], [GET, 'const { x, y } = getBatch(data, train.batchSize, config.blockSize, new Rng(train.seed));']]),
  bug('masked loss whose mask keeps the ignored positions (sign of the test flipped)', [['const mask = new Tensor(Float32Array.from(ids, (v) => (v === ignoreIndex ? 0 : 1)), [B * T, 1]);',
    'const mask = new Tensor(Float32Array.from(ids, (v) => (v !== ignoreIndex ? 0 : 1)), [B * T, 1]);']], { kitOps: true }, masked),
  // --- catalogued mistakes written a new way --------------------------------------------------------------------
  bug('targets copied from the inputs', [[
    'y.push(Array.from({ length: blockSize }, (_, t) => data[start + t + 1])); // the next character of each position',
    'y.push([...x[b]]);']], { catalogued: 'targets-not-shifted' }),
  bug('masked loss divided by every position', [['return div(sum(mul(picked, mask)), -count);', 'return div(sum(mul(picked, mask)), -(B * T));']], { catalogued: 'loss-over-padding', kitOps: true }, masked),
  bug('perplexity as the running mean of batch perplexities', [
    ['      nll += loss.item() * n; // back from the batch\'s mean to its sum\n', '      nll += loss.item() * n;\n      pplSum += Math.exp(loss.item());\n      seen++;\n'],
    ['  let nll = 0;\n', '  let nll = 0;\n  let pplSum = 0;\n  let seen = 0;\n'],
    [PPL, 'return { loss, perplexity: pplSum / seen, tokens };'],
  ], { catalogued: 'ppl-mean-of-batches' }),
  bug('gradients cleared only before the first step', [[ZERO_GRAD, 'if (step === 0) optimizer.zeroGrad();']], { catalogued: 'no-zero-grad' }),
];
