/**
 * The makemore lesson's grading-truth corpus (see test/unit/corpus.ts): learner files for makemore/names written
 * independently of the catalogue. Correct files in other styles than the reference (index loops and preallocated
 * arrays, string windows, rows as number[][], windows interleaved feature by feature, the kit's embedding op,
 * nanoGPT's decay groups, model.zeroGrad(), a hand-written float64 softmax and inverse CDF for sampling...), and
 * one-bug variants: most of them mistakes no catalogue names (ids off by one, the window slid the wrong way, an
 * activation or a config field ignored, a generator made anew every step, maxLength ignored...), the others catalogued
 * mistakes written a new way (`catalogued`).
 *
 * The training run (two settings, a few seconds) runs for two entries only: one correct file, one bug. The others run
 * the quick checks (`checks`). Each bug's `line` is computed from its source: where a marker (by default the first
 * line of the changed text) occurs, exactly once.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { type CorpusEntry, lineOf } from '../corpus';
import { LESSONS, withEdits } from '../helpers';

const EX = 'makemore/names';
const SOLUTION = readFileSync(path.join(LESSONS, '01f-makemore', 'names.solution.ts'), 'utf8');

const QUICK = ['the parts from earlier lessons', 'buildDataset: \'emma\'', 'buildDataset: every window', 'NameModel: parameters', 'train: the loop matches',
  'sample: models that spell', 'sample: every character'];
const DATASET = ['buildDataset: \'emma\'', 'buildDataset: every window'];
const MODEL = ['NameModel: parameters'];
const LOOP = ['train: the loop matches'];
const SAMPLE = ['sample: models that spell', 'sample: every character'];

interface BugOptions {
  catalogued?: string;
  kitOps?: boolean;
  /** Checks to run; default every check (the training run included). */
  checks?: string[];
  at?: string;
}

function correct(name: string, source: string, checks?: string[]): CorpusEntry {
  return { exercise: EX, name, kind: 'correct', source, ...(checks ? { checks } : {}) };
}

function bug(name: string, edits: [string, string][], opts: BugOptions = {}, base = SOLUTION): CorpusEntry {
  const source = withEdits(base, edits, name);
  const marker = opts.at ?? edits[0][1].split('\n').find((l) => l.trim() !== '')!.trim();
  return {
    exercise: EX, name, kind: 'bug', source, line: lineOf(source, marker, name),
    ...(opts.catalogued ? { catalogued: opts.catalogued } : {}),
    ...(opts.kitOps ? { kitOps: true } : {}),
    ...(opts.checks ? { checks: opts.checks } : {}),
  };
}

const HEADER = `import { Embedding, Module, Rng, type Tensor, embedding, noGrad, softmax, transpose } from '@llm-lab/kit';
import { MLP } from '../01c-mlp/layers';
import { crossEntropyLoss } from '../01c-mlp/losses';
import { AdamW, clipGradNorm, cosineLr } from '../01d-optimizers/optim';

export { MLP, crossEntropyLoss, AdamW, clipGradNorm, cosineLr };

export const CHARS = '.abcdefghijklmnopqrstuvwxyz';

export interface Dataset {
  X: Int32Array;
  Y: Int32Array;
}

export interface ModelConfig {
  blockSize: number;
  nEmbd: number;
  hidden: number;
  activation?: 'tanh' | 'relu';
}

export interface TrainConfig {
  steps: number;
  batchSize: number;
  maxLr: number;
  minLr: number;
  warmup: number;
  weightDecay: number;
  clip: number;
  seed: number;
}

export interface Sampler {
  config: { blockSize: number };
  forward(X: Int32Array): Tensor;
}
`;

/**
 * Preallocated arrays filled by index; the kit's embedding op on the table tensor; batches by Math.floor(rng.random() * N);
 * sampling by a hand-written float64 softmax and inverse CDF with rng.random().
 */
const INDEXED = `${HEADER}
export function buildDataset(names: readonly string[], blockSize: number): Dataset {
  let n = 0;
  for (const name of names) n += name.length + 1;
  const X = new Int32Array(n * blockSize);
  const Y = new Int32Array(n);
  let row = 0;
  for (const name of names) {
    const ids = [...name].map((c) => CHARS.indexOf(c));
    ids.push(0);
    for (let i = 0; i < ids.length; i++) {
      for (let j = 0; j < blockSize; j++) {
        const k = i - blockSize + j; // the character j places into the window before i
        X[row * blockSize + j] = k < 0 ? 0 : ids[k];
      }
      Y[row] = ids[i];
      row++;
    }
  }
  return { X, Y };
}

export class NameModel extends Module {
  emb: Embedding;
  mlp: MLP;

  constructor(readonly config: ModelConfig, rng: Rng) {
    super();
    this.emb = new Embedding(27, config.nEmbd, rng);
    const sizes = [config.blockSize * config.nEmbd, config.hidden, 27];
    this.mlp = new MLP(sizes, { activation: config.activation === 'relu' ? 'relu' : 'tanh', rng });
  }

  forward(X: Int32Array): Tensor {
    const B = X.length / this.config.blockSize;
    const e = embedding(this.emb.weight, X, [B, this.config.blockSize]); // (B, blockSize, nEmbd)
    return this.mlp.forward(e.reshape(B, -1));
  }
}

export async function train(model: NameModel, data: Dataset, config: TrainConfig, onStep?: (step: number, loss: number) => void | Promise<void>): Promise<number[]> {
  const T = model.config.blockSize;
  const N = data.Y.length;
  const params = model.parameters();
  const opt = new AdamW(params, { lr: config.maxLr, weightDecay: config.weightDecay });
  const rng = new Rng(config.seed);
  const out: number[] = [];
  for (let step = 0; step < config.steps; step++) {
    const xb = new Int32Array(config.batchSize * T);
    const yb = new Int32Array(config.batchSize);
    for (let b = 0; b < config.batchSize; b++) {
      const i = Math.floor(rng.random() * N);
      for (let j = 0; j < T; j++) xb[b * T + j] = data.X[i * T + j];
      yb[b] = data.Y[i];
    }
    const logits = model.forward(xb);
    const loss = crossEntropyLoss(logits, yb);
    opt.zeroGrad();
    loss.backward();
    clipGradNorm(params, config.clip);
    opt.lr = cosineLr(step, { maxLr: config.maxLr, minLr: config.minLr, warmup: config.warmup, total: config.steps });
    opt.step();
    const value = loss.item();
    out.push(value);
    if (onStep) await onStep(step, value);
  }
  return out;
}

export function sample(model: Sampler, rng: Rng, maxLength = 30): string {
  const T = model.config.blockSize;
  const ctx = new Int32Array(T);
  const chars: string[] = [];
  for (;;) {
    if (chars.length >= maxLength) break;
    const logits = noGrad(() => model.forward(ctx)).data;
    let m = -Infinity;
    for (const v of logits) m = Math.max(m, v);
    const e = Array.from(logits, (v) => Math.exp(v - m));
    const z = e.reduce((a, b) => a + b, 0);
    const u = rng.random() * z;
    let next = e.length - 1;
    let acc = 0;
    for (let i = 0; i < e.length; i++) {
      acc += e[i];
      if (u < acc) { next = i; break; }
    }
    if (next === 0) break;
    chars.push(CHARS[next]);
    ctx.copyWithin(0, 1);
    ctx[T - 1] = next;
  }
  return chars.join('');
}
`;

/** String windows; rows returned as number[][]; windows interleaved feature by feature; nanoGPT's decay groups; model.zeroGrad(). */
const STRINGS = `${HEADER}
export function buildDataset(names: readonly string[], blockSize: number): Dataset {
  const X: number[][] = [];
  const Y: number[] = [];
  const pad = '.'.repeat(blockSize);
  for (const name of names) {
    const text = pad + name + '.';
    for (let i = blockSize; i < text.length; i++) {
      X.push([...text.slice(i - blockSize, i)].map((c) => CHARS.indexOf(c)));
      Y.push(CHARS.indexOf(text[i]));
    }
  }
  return { X, Y } as unknown as Dataset; // rows, as makemore's X (N, blockSize)
}

export class NameModel extends Module {
  emb: Embedding;
  mlp: MLP;

  constructor(readonly config: ModelConfig, rng: Rng) {
    super();
    this.emb = new Embedding(CHARS.length, config.nEmbd, rng);
    this.mlp = new MLP([config.blockSize * config.nEmbd, config.hidden, CHARS.length], { activation: config.activation ?? 'tanh', rng });
  }

  forward(X: Int32Array): Tensor {
    const { blockSize, nEmbd } = this.config;
    const B = X.length / blockSize;
    const e = transpose(this.emb.forward(X, [B, blockSize]), 1, 2); // (B, nEmbd, blockSize): feature by feature
    return this.mlp.forward(e.reshape(B, nEmbd * blockSize));
  }
}

export async function train(model: NameModel, data: Dataset, config: TrainConfig, onStep?: (step: number, loss: number) => void | Promise<void>): Promise<number[]> {
  const { blockSize } = model.config;
  const params = model.parameters();
  const decayed = new AdamW(params.filter((p) => p.ndim >= 2), { lr: config.maxLr, weightDecay: config.weightDecay });
  const plain = new AdamW(params.filter((p) => p.ndim < 2), { lr: config.maxLr, weightDecay: 0 });
  const rng = new Rng(config.seed);
  const losses: number[] = [];
  for (let step = 0; step < config.steps; step++) {
    const rows = Array.from({ length: config.batchSize }, () => rng.randint(0, data.Y.length));
    const xb = Int32Array.from(rows.flatMap((i) => Array.from(data.X.subarray(i * blockSize, (i + 1) * blockSize))));
    const yb = rows.map((i) => data.Y[i]);
    const lr = cosineLr(step, { maxLr: config.maxLr, minLr: config.minLr, warmup: config.warmup, total: config.steps });
    decayed.lr = lr;
    plain.lr = lr;
    model.zeroGrad();
    const loss = crossEntropyLoss(model.forward(xb), yb);
    loss.backward();
    clipGradNorm(model.parameters(), config.clip);
    decayed.step();
    plain.step();
    losses.push(loss.item());
    await onStep?.(step, losses[losses.length - 1]);
  }
  return losses;
}

export function sample(model: Sampler, rng: Rng, maxLength = 30): string {
  let context = '.'.repeat(model.config.blockSize);
  let name = '';
  for (let i = 0; i < maxLength; i++) {
    const ids = Int32Array.from([...context].map((c) => CHARS.indexOf(c)));
    const probs = noGrad(() => softmax(model.forward(ids), -1));
    const ch = CHARS[rng.categorical(probs.data)];
    if (ch === '.') return name;
    name += ch;
    context = context.slice(1) + ch;
  }
  return name;
}
`;

export const CORPUS: CorpusEntry[] = [
  // --- correct files ---------------------------------------------------------------------------------------------
  correct('preallocated arrays by index, the embedding op, a hand-written float64 sampler (with the training run)', INDEXED),
  correct('string windows, rows as number[][], feature-major flattening, nanoGPT decay groups, model.zeroGrad()', STRINGS, QUICK),
  correct('the reference with the window slid by shift/push and the lr set before the backward pass', withEdits(SOLUTION, [
    ['      context = [...context.slice(1), id]; //                 slide the window by one character', '      context.shift();\n      context.push(id);'],
    ['    optimizer.zeroGrad(); //                 gradients accumulate: clear the last step\'s\n    loss.backward();\n    clipGradNorm(params, config.clip); //    after backward, before the step\n    optimizer.lr = cosineLr(step, schedule);',
      '    optimizer.lr = cosineLr(step, schedule);\n    optimizer.zeroGrad();\n    loss.backward();\n    clipGradNorm(params, config.clip);'],
  ], 'shift/push'), QUICK),
  correct('a sync train (no await), the activation by a ternary', withEdits(SOLUTION, [
    ['export async function train(', 'export function train('],
    ['): Promise<number[]> {', '): number[] {'],
    ['    await onStep?.(step, losses[step]);', '    void onStep?.(step, losses[step]);'],
    ["{ activation: config.activation ?? 'tanh', rng }", "{ activation: config.activation === 'relu' ? 'relu' : 'tanh', rng }"],
  ], 'sync train'), QUICK),

  // --- one bug each ------------------------------------------------------------------------------------------------
  bug('ids off by one: CHARS.indexOf(ch) + 1', [['const id = CHARS.indexOf(ch);', 'const id = CHARS.indexOf(ch) + 1;']], { checks: DATASET }),
  bug('the window slides the wrong way (newest id first)', [['context = [...context.slice(1), id]; //                 slide the window by one character', 'context = [id, ...context.slice(0, -1)];']], { checks: DATASET }),
  bug('config.activation ignored: always tanh', [["{ activation: config.activation ?? 'tanh', rng }", "{ activation: 'tanh', rng }"]], { checks: MODEL }),
  bug('config.weightDecay ignored: AdamW\'s default', [['new AdamW(params, { lr: config.maxLr, weightDecay: config.weightDecay })', 'new AdamW(params, { lr: config.maxLr })']], { checks: LOOP }),
  bug('a new Rng(config.seed) every step: the same batch each time', [['const rng = new Rng(config.seed);\n', ''], ['    const xb = new Int32Array(config.batchSize * T);', '    const rng = new Rng(config.seed);\n    const xb = new Int32Array(config.batchSize * T);']], { checks: LOOP, at: 'const rng = new Rng(config.seed);' }),
  bug('maxLength ignored: always 30', [['while (out.length < maxLength) {', 'while (out.length < 30) {']], { checks: SAMPLE }),
  bug('the embedding table frozen (emb.weight.requiresGrad = false)', [['this.emb = new Embedding(CHARS.length, config.nEmbd, rng); // (27, nEmbd), N(0, 1)', 'this.emb = new Embedding(CHARS.length, config.nEmbd, rng);\n    this.emb.weight.requiresGrad = false;']], { checks: MODEL, at: 'this.emb.weight.requiresGrad = false;' }),
  bug('the MLP drawn from the global generator (rng not passed)', [["{ activation: config.activation ?? 'tanh', rng }", "{ activation: config.activation ?? 'tanh' }"]], { checks: MODEL }),
  // Catalogued mistakes, written a new way.
  bug('zeroGrad once, before the loop (with the training run)', [['optimizer.zeroGrad(); //                 gradients accumulate: clear the last step\'s\n', ''], ['  const losses: number[] = [];\n', '  const losses: number[] = [];\n  optimizer.zeroGrad();\n']], { catalogued: 'no-zero-grad', at: 'optimizer.zeroGrad();' }),
  bug('argmax by reduce', [['const next = rng.categorical(softmax(logits, -1).data); //            one uniform per character', 'const p = softmax(logits, -1).data;\n    const next = p.reduce((best, v, i) => (v > p[best] ? i : best), 0);']], { catalogued: 'greedy-sampling', checks: SAMPLE, at: 'const next = p.reduce((best, v, i) => (v > p[best] ? i : best), 0);' }),
  bug('windows cut from the padded name one character late', [[`    let context: number[] = new Array(blockSize).fill(0); // '...': nothing seen yet
    for (const ch of name + '.') { //                       the final '.' teaches the model to stop
      const id = CHARS.indexOf(ch);
      xs.push(...context);
      ys.push(id);
      context = [...context.slice(1), id]; //                 slide the window by one character
    }`, `    const ids = [...new Array(blockSize).fill('.'), ...name, '.'].map((c) => CHARS.indexOf(c));
    for (let i = blockSize; i < ids.length; i++) {
      xs.push(...ids.slice(i - blockSize + 1, i + 1));
      ys.push(ids[i]);
    }`]], { catalogued: 'target-in-context', checks: DATASET, at: 'xs.push(...ids.slice(i - blockSize + 1, i + 1));' }),
  bug('probabilities by exp and a sum, in forward', [['return this.mlp.forward(e.reshape(B, blockSize * nEmbd)); // the blockSize vectors side by side -> (B, 27)',
    'const z = exp(this.mlp.forward(e.reshape(B, blockSize * nEmbd)));\n    return div(z, sum(z, 1, true));'], ['import { Embedding, Module, Rng, type Tensor, noGrad, softmax } from', 'import { Embedding, Module, Rng, type Tensor, div, exp, noGrad, softmax, sum } from']],
  { catalogued: 'softmax-in-forward', kitOps: true, checks: MODEL, at: 'return div(z, sum(z, 1, true));' }),
];
