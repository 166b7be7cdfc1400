/**
 * The clip lesson's grading-truth corpus (see test/unit/corpus.ts): learner files for clip/clip written independently
 * of the catalogue. Correct files in other styles than the reference (rsqrt by pow, the loss from logSoftmax over both
 * axes and a diagonal mask, zeroShot by hand-computed float64 cosines, a clamp with ifs and model.zeroGrad()), and
 * one-bug variants: most are mistakes no catalogue names (the norm over the wrong axis, a missing sqrt, an argmin, a
 * loop bound, gradients never zeroed), the others catalogued mistakes written a new way (`catalogued`). Bugs in the
 * quick functions run only their check (`checks`); two correct entries run the live training check.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { type CorpusEntry, lineOf } from '../corpus';
import { LESSONS, withEdits } from '../helpers';

const EX = 'clip/clip';
const base = readFileSync(path.join(LESSONS, '15d-clip', 'clip.solution.ts'), 'utf8');

const LOGITS = 'clipLogits: seeded embeddings';
const NORMC = 'l2Normalize: hand-worked';
const LOSS = 'clipLoss: value and gradients';
const STEP = 'trainStep: the loss returned';
const ZS = 'zeroShot: the caption';
const LIVE = 'training run (live)';

function correct(name: string, edits: [string, string][], checks?: string[]): CorpusEntry {
  return { exercise: EX, name, kind: 'correct', source: withEdits(base, edits, name), ...(checks ? { checks } : {}) };
}

function bug(name: string, edits: [string, string][], opts: { catalogued?: string; kitOps?: boolean; checks?: string[]; at?: string } = {}): CorpusEntry {
  const source = withEdits(base, edits, name);
  const marker = opts.at ?? edits[edits.length - 1][1].split('\n').find((l) => l.trim() !== '')!.trim();
  return {
    exercise: EX, name, kind: 'bug', source, line: lineOf(source, marker, name),
    ...(opts.catalogued ? { catalogued: opts.catalogued } : {}), ...(opts.kitOps ? { kitOps: true } : {}), ...(opts.checks ? { checks: opts.checks } : {}),
  };
}

const IMPORT = '  reshape, sqrt, sum, tensor, transpose,\n} from \'@llm-lab/kit\';';
const NORM = 'return div(x, sqrt(sum(mul(x, x), -1, true)));';
const LOGITS_LINE = 'return mul(matmul(l2Normalize(imageEmb), transpose(l2Normalize(textEmb), 0, 1)), exp(logitScale));';
const LOSS_BODY = `  const imageToText = crossEntropy(logits, labels);
  const textToImage = crossEntropy(transpose(logits, 0, 1), labels);
  return mul(add(imageToText, textToImage), 0.5);`;
const LABELS_LINE = 'const labels = Array.from({ length: N }, (_, i) => i);';
const STEP_BODY = base.slice(base.indexOf('  opt.zeroGrad();'), base.indexOf('  return loss.data[0];'));
const ZS_FN = base.slice(base.indexOf('export function zeroShot'));
const ARGMAX = 'if (logits.data[i * M + j] > logits.data[i * M + best]) best = j;';

export const CORPUS: CorpusEntry[] = [
  // ----- correct, in other styles
  correct('rows scaled by pow(‖x‖², −0.5), the scale multiplied first', [
    [NORM, 'return mul(x, pow(sum(mul(x, x), 1, true), -0.5));'],
    [LOGITS_LINE, 'const cos = matmul(l2Normalize(imageEmb), transpose(l2Normalize(textEmb), 0, 1));\n  return mul(exp(logitScale), cos);'],
    [IMPORT, '  reshape, sqrt, sum, tensor, transpose, pow,\n} from \'@llm-lab/kit\';'],
  ], [NORMC, LOGITS, LOSS, ZS]),
  correct('the loss from logSoftmax over both axes and a diagonal mask', [
    [LOSS_BODY, `  const eye = tensor(Array.from({ length: N * N }, (_, k) => (k % (N + 1) === 0 ? 1 : 0)), [N, N]);
  const rows = sum(mul(logSoftmax(logits, 1), eye));
  const cols = sum(mul(logSoftmax(logits, 0), eye));
  return mul(add(rows, cols), -1 / (2 * N));`],
    [IMPORT, '  reshape, sqrt, sum, tensor, transpose, logSoftmax,\n} from \'@llm-lab/kit\';'],
  ], [LOSS, STEP]),
  correct('zeroShot by float64 cosines computed from the encodings, no clipLogits', [[ZS_FN, `export function zeroShot(model: ClipModel, images: Tensor, captions: string[]): number[] {
  const a = noGrad(() => model.encodeImages(images));
  const b = noGrad(() => model.encodeTexts(captions));
  const D = a.shape[1];
  const norm = (x: Float32Array, r: number) => Math.hypot(...x.subarray(r * D, (r + 1) * D));
  const out: number[] = [];
  for (let i = 0; i < a.shape[0]; i++) {
    let best = -1;
    let bestCos = -Infinity;
    for (let j = 0; j < captions.length; j++) {
      let dot = 0;
      for (let k = 0; k < D; k++) dot += a.data[i * D + k] * b.data[j * D + k];
      const cos = dot / (norm(a.data, i) * norm(b.data, j));
      if (cos > bestCos) { bestCos = cos; best = j; }
    }
    out.push(best);
  }
  return out;
}
`]], [ZS, LIVE]),
  correct('model.zeroGrad(), the loss from clipLogits inline, a clamp with ifs', [[STEP_BODY, `  model.zeroGrad();
  const imgs = model.encodeImages(images);
  const txts = model.encodeTexts(captions);
  const logits = clipLogits(imgs, txts, model.logitScale);
  const labels = captions.map((_, i) => i);
  const loss = mul(add(crossEntropy(logits, labels), crossEntropy(transpose(logits, 0, 1), labels)), 0.5);
  loss.backward();
  opt.step();
  const t = model.logitScale.data;
  if (t[0] > Math.log(100)) t[0] = Math.log(100);
  if (t[0] < 0) t[0] = 0;
`]], [STEP, LIVE]),
  // ----- one bug each, uncatalogued
  bug('the norm taken over the batch axis', [[NORM, 'return div(x, sqrt(sum(mul(x, x), 0, true)));']], { kitOps: true, checks: [NORMC] }),
  bug('the squared norm: sqrt forgotten', [[NORM, 'return div(x, sum(mul(x, x), -1, true));']], { kitOps: true, checks: [NORMC] }),
  bug('argmin: the least similar caption', [[ARGMAX, 'if (logits.data[i * M + j] < logits.data[i * M + best]) best = j;']], { checks: [ZS] }),
  bug('the last image never classified (loop bound)', [['return Array.from({ length: images.shape[0] }, (_, i) => {', 'return Array.from({ length: images.shape[0] - 1 }, (_, i) => {']], { checks: [ZS] }),
  bug('gradients never zeroed between steps', [['  opt.zeroGrad();\n  const loss = clipLoss(', '  const loss = clipLoss(']], { at: 'const loss = clipLoss(model.encodeImages(images), model.encodeTexts(captions), model.logitScale);', checks: [STEP] }),
  bug('the loss returned after the step (a second forward pass)', [['  return loss.data[0];\n}', '  return clipLoss(model.encodeImages(images), model.encodeTexts(captions), model.logitScale).data[0];\n}']], { checks: [STEP] }),
  // ----- catalogued mistakes, written a new way
  bug('the image term counted twice', [[LOSS_BODY, `  const imageToText = crossEntropy(logits, labels);
  return mul(add(imageToText, imageToText), 0.5);`]], { catalogued: 'one-direction', kitOps: true, checks: [LOSS], at: 'return mul(add(imageToText, imageToText), 0.5);' }),
  bug('multiplied by exp(−t)', [[LOGITS_LINE, 'return mul(matmul(l2Normalize(imageEmb), transpose(l2Normalize(textEmb), 0, 1)), exp(neg(logitScale)));'],
    [IMPORT, '  reshape, sqrt, sum, tensor, transpose, neg,\n} from \'@llm-lab/kit\';']], { catalogued: 'divide-scale', kitOps: true, checks: [LOGITS], at: 'exp(neg(logitScale))' }),
  bug('labels shifted by one', [[LABELS_LINE, 'const labels = Array.from({ length: N }, (_, i) => (i + 1) % N);']], { catalogued: 'labels-not-diagonal', checks: [LOSS] }),
  bug('t clamped before the step, not after', [[STEP_BODY, `  const t = model.logitScale.data;
  t[0] = Math.min(Math.log(100), Math.max(0, t[0]));
  opt.zeroGrad();
  const loss = clipLoss(model.encodeImages(images), model.encodeTexts(captions), model.logitScale);
  loss.backward();
  opt.step();
`]], { catalogued: 'no-clamp', checks: [STEP], at: 't[0] = Math.min(Math.log(100), Math.max(0, t[0]));' }),
  bug('a sum over the batch in the loss', [[LOSS_BODY, `  const imageToText = mul(crossEntropy(logits, labels), N);
  const textToImage = mul(crossEntropy(transpose(logits, 0, 1), labels), N);
  return mul(add(imageToText, textToImage), 0.5);`]], { catalogued: 'sum-not-mean', kitOps: true, checks: [LOSS] }),
];
