/**
 * The CLIP lesson's course code: the synthetic image-caption data (8×8×3 images of coloured shapes, rendered here,
 * seeded), the held-out colour-shape pairs, a float64 reference of the symmetric InfoNCE loss and its gradients,
 * a kit reference of one training step, and the live training run the checks share.
 */
import { AdamW, Rng, type Tensor, add, crossEntropy, div, exp, matmul, mul, noGrad, sqrt, sum, tensor, transpose } from '@llm-lab/kit';
import { type Text, t } from '@llm-lab/check';

export const CLIP_SIDE = 8;
export const CLIP_PIXELS = CLIP_SIDE * CLIP_SIDE * 3; // 192, stored (row, column, channel)
export const CLIP_COLOURS = ['red', 'green', 'blue', 'yellow'] as const;
export const CLIP_SHAPES = ['square', 'circle', 'triangle', 'cross'] as const;
export const CLIP_COLOURS_ZH: Record<string, string> = { red: '红色', green: '绿色', blue: '蓝色', yellow: '黄色' };
export const CLIP_SHAPES_ZH: Record<string, string> = { square: '方块', circle: '圆形', triangle: '三角形', cross: '十字' };
const RGB: Record<string, [number, number, number]> = { red: [0.9, 0.1, 0.1], green: [0.1, 0.8, 0.2], blue: [0.15, 0.25, 0.95], yellow: [0.95, 0.9, 0.1] };
const MASKS: Record<string, string[]> = {
  square: ['11111', '10001', '10001', '10001', '11111'],
  circle: ['01110', '11111', '11111', '11111', '01110'],
  triangle: ['00100', '00100', '01110', '01110', '11111'],
  cross: ['00100', '00100', '11111', '00100', '00100'],
};

export interface ClipPair { colour: string; shape: string }
/** The four pairs never shown in training: every colour and every shape still appears in training, with the other partners. */
export const CLIP_HELD_OUT: ClipPair[] = [
  { colour: 'red', shape: 'circle' }, { colour: 'green', shape: 'triangle' }, { colour: 'blue', shape: 'cross' }, { colour: 'yellow', shape: 'square' },
];
export const CLIP_ALL: ClipPair[] = CLIP_COLOURS.flatMap((colour) => CLIP_SHAPES.map((shape) => ({ colour, shape })));
export const clipIsHeldOut = (p: ClipPair) => CLIP_HELD_OUT.some((h) => h.colour === p.colour && h.shape === p.shape);
export const CLIP_TRAIN: ClipPair[] = CLIP_ALL.filter((p) => !clipIsHeldOut(p));
export const clipCaption = (p: ClipPair) => `a ${p.colour} ${p.shape}`;
export const CLIP_SYMBOLS: Record<string, string> = { square: '■', circle: '●', triangle: '▲', cross: '✚' };
/** A heatmap row label: "red circle" / "红色●" (short: the panel sizes label margins for Latin letters). */
export const clipLabel = (p: ClipPair): Text => t(`${p.colour} ${p.shape}`, `${CLIP_COLOURS_ZH[p.colour]}${CLIP_SYMBOLS[p.shape]}`);
/** A heatmap column label (rotated, so shorter still): "red●" / "红色●". */
export const clipShortLabel = (p: ClipPair): Text => t(`${p.colour}${CLIP_SYMBOLS[p.shape]}`, `${CLIP_COLOURS_ZH[p.colour]}${CLIP_SYMBOLS[p.shape]}`);

/** One 8×8×3 image: a 5×5 shape at a random offset (0..3 each way), its colour jittered by ±0.08, background noise in [0, 0.1). */
export function clipRender(p: ClipPair, rng: Rng): Float32Array {
  const img = new Float32Array(CLIP_PIXELS);
  for (let i = 0; i < img.length; i++) img[i] = rng.random() * 0.1;
  const [ox, oy] = [rng.randint(0, 4), rng.randint(0, 4)];
  const rgb = RGB[p.colour].map((c) => Math.min(1, Math.max(0, c + (rng.random() - 0.5) * 0.16)));
  MASKS[p.shape].forEach((row, y) => [...row].forEach((bit, x) => {
    if (bit === '1') for (let c = 0; c < 3; c++) img[((oy + y) * CLIP_SIDE + ox + x) * 3 + c] = rgb[c];
  }));
  return img;
}

/** A batch (N, 192) of images of the given pairs. */
export function clipImages(pairs: ClipPair[], rng: Rng): Tensor {
  const data = new Float32Array(pairs.length * CLIP_PIXELS);
  pairs.forEach((p, i) => data.set(clipRender(p, rng), i * CLIP_PIXELS));
  return tensor(data, [pairs.length, CLIP_PIXELS]);
}

// --- float64 references ----------------------------------------------------------------------------------------------

const rowsOf = (x: ArrayLike<number>, n: number, d: number) => Array.from({ length: n }, (_, i) => Array.from({ length: d }, (_, k) => x[i * d + k]));
const unit = (r: number[]) => { const s = Math.sqrt(r.reduce((a, v) => a + v * v, 0)); return r.map((v) => v / s); };

/** Cosine similarities (N, M) of the rows of a (N, D) and b (M, D), in float64. */
export function clipCosine64(a: ArrayLike<number>, b: ArrayLike<number>, N: number, M: number, D: number): number[][] {
  const [A, B] = [rowsOf(a, N, D).map(unit), rowsOf(b, M, D).map(unit)];
  return A.map((r) => B.map((q) => r.reduce((s, v, k) => s + v * q[k], 0)));
}

const ce = (row: number[], label: number) => { const m = Math.max(...row); const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0)); return lse - row[label]; };
const softmaxRow = (row: number[]) => { const m = Math.max(...row); const e = row.map((v) => Math.exp(v - m)); const s = e.reduce((a, b) => a + b, 0); return e.map((v) => v / s); };

/** Mean cross-entropy of the rows of logits (N, M) with labels[i]. */
export function clipRowCE64(L: number[][], labels: number[]): number { return L.reduce((s, r, i) => s + ce(r, labels[i]), 0) / L.length; }
export const clipTranspose = (L: number[][]) => L[0].map((_, j) => L.map((r) => r[j]));

export interface ClipLossRef { loss: number; logits: number[][]; gradImage: number[]; gradText: number[]; gradScale: number }

/**
 * The symmetric InfoNCE loss in float64 for image embeddings (N, D), text embeddings (N, D) and the log scale t:
 * logits = exp(t) · cos(image_i, text_j); loss = ½ (mean_i CE(row i, i) + mean_j CE(column j, j)); with its gradients.
 */
export function clipLossRef(img: ArrayLike<number>, txt: ArrayLike<number>, N: number, D: number, logT: number): ClipLossRef {
  const s = Math.exp(logT);
  const [X, Y] = [rowsOf(img, N, D), rowsOf(txt, N, D)];
  const [A, B] = [X.map(unit), Y.map(unit)];
  const L = A.map((r) => B.map((q) => s * r.reduce((acc, v, k) => acc + v * q[k], 0)));
  const labels = Array.from({ length: N }, (_, i) => i);
  const loss = 0.5 * (clipRowCE64(L, labels) + clipRowCE64(clipTranspose(L), labels));
  const P = L.map(softmaxRow);
  const Q = clipTranspose(clipTranspose(L).map(softmaxRow));
  const G = L.map((r, i) => r.map((_, j) => 0.5 * ((P[i][j] - (i === j ? 1 : 0)) / N + (Q[i][j] - (i === j ? 1 : 0)) / N)));
  const gradScale = G.reduce((acc, r, i) => acc + r.reduce((a2, g, j) => a2 + g * L[i][j], 0), 0);
  const back = (U: number[][], V: number[][], Graw: number[][], raw: number[][]) => U.map((u, i) => {
    const da = Array.from({ length: D }, (_, k) => Graw[i].reduce((acc, g, j) => acc + s * g * V[j][k], 0));
    const dot = u.reduce((acc, v, k) => acc + v * da[k], 0);
    const norm = Math.sqrt(raw[i].reduce((acc, v) => acc + v * v, 0));
    return da.map((v, k) => (v - u[k] * dot) / norm);
  });
  return { loss, logits: L, gradImage: back(A, B, G, X).flat(), gradText: back(B, A, clipTranspose(G), Y).flat(), gradScale };
}

// --- a kit reference (the checks' own trainStep, to compare parameters after steps) -----------------------------------

export interface ClipModelLike {
  encodeImages(images: Tensor): Tensor;
  encodeTexts(captions: string[]): Tensor;
  logitScale: Tensor;
  parameters(): Tensor[];
}

const normalizeKit = (x: Tensor) => div(x, sqrt(sum(mul(x, x), -1, true)));

/** The reference loss with kit ops (autograd through t). */
export function clipLossKit(img: Tensor, txt: Tensor, logitScale: Tensor): Tensor {
  const logits = mul(matmul(normalizeKit(img), transpose(normalizeKit(txt), 0, 1)), exp(logitScale));
  const labels = Array.from({ length: img.shape[0] }, (_, i) => i);
  return mul(add(crossEntropy(logits, labels), crossEntropy(transpose(logits, 0, 1), labels)), 0.5);
}

export const CLIP_MAX_LOG_SCALE = Math.log(100);

/** One reference training step: zero the gradients, loss, backward, step, clamp t to [0, ln 100]. Returns the loss. */
export function clipTrainStepRef(model: ClipModelLike, images: Tensor, captions: string[], opt: AdamW): number {
  opt.zeroGrad();
  const loss = clipLossKit(model.encodeImages(images), model.encodeTexts(captions), model.logitScale);
  loss.backward();
  opt.step();
  const d = model.logitScale.data;
  d[0] = Math.min(CLIP_MAX_LOG_SCALE, Math.max(0, d[0]));
  return loss.data[0];
}

// --- the live run ----------------------------------------------------------------------------------------------------

export const CLIP_RUN = { steps: 1500, lr: 5e-4, seed: 2024, heldOutPerPair: 25, evalPerPair: 10 } as const;

export interface ClipRunResult {
  losses: number[];
  finalLogScale: number;
  heldOutAccuracy: number; // zero-shot over all 16 captions, images of the 4 held-out pairs
  trainPairsAccuracy: number; // the same on fresh images of the 12 training pairs
  chance: number;
  similarity: number[][]; // (16 images, one per pair) × (16 captions), cosine
  seconds: number;
  problem?: Text;
}

/**
 * Trains a fresh model with the learner's trainStep on batches of the 12 training pairs (one new image each, so the
 * diagonal labels are exact), then measures zero-shot accuracy with the learner's zeroShot on held-out pairs.
 */
export function clipTrainRun(
  makeModel: (rng: Rng) => ClipModelLike,
  trainStep: (model: ClipModelLike, images: Tensor, captions: string[], opt: AdamW) => number,
  zeroShot: (model: ClipModelLike, images: Tensor, captions: string[]) => ArrayLike<number>,
  progress: (losses: number[]) => void,
  run: { steps: number; lr: number; seed: number; heldOutPerPair: number; evalPerPair: number } = CLIP_RUN,
): ClipRunResult {
  const start = Date.now();
  const rng = new Rng(run.seed);
  const model = makeModel(new Rng(run.seed + 1));
  const opt = new AdamW(model.parameters(), { lr: run.lr, weightDecay: 0 });
  const captions = CLIP_TRAIN.map(clipCaption);
  const losses: number[] = [];
  const base = { losses, finalLogScale: NaN, heldOutAccuracy: 0, trainPairsAccuracy: 0, chance: 1 / CLIP_ALL.length, similarity: [], seconds: 0 };
  for (let step = 0; step < run.steps; step++) {
    const loss = Number(trainStep(model, clipImages(CLIP_TRAIN, rng), captions, opt));
    losses.push(loss);
    if (!Number.isFinite(loss)) return { ...base, seconds: (Date.now() - start) / 1000, problem: t(`the loss is ${loss} at step ${step}.`, `第 ${step} 步的损失是 ${loss}。`) };
    if (step % 10 === 9 || step === run.steps - 1) progress(losses);
  }
  const all = CLIP_ALL.map(clipCaption);
  const accuracy = (pairs: ClipPair[], per: number) => {
    const list = pairs.flatMap((p) => Array.from({ length: per }, () => p));
    const got = Array.from(zeroShot(model, clipImages(list, rng), all), Number);
    return list.filter((p, i) => all[got[i]] === clipCaption(p)).length / list.length;
  };
  const heldOutAccuracy = accuracy(CLIP_HELD_OUT, run.heldOutPerPair);
  const trainPairsAccuracy = accuracy(CLIP_TRAIN, run.evalPerPair);
  const similarity = noGrad(() => {
    const imgs = model.encodeImages(clipImages(CLIP_ALL, new Rng(7)));
    const txts = model.encodeTexts(all);
    return clipCosine64(imgs.data, txts.data, CLIP_ALL.length, CLIP_ALL.length, imgs.shape[1]);
  });
  return { ...base, finalLogScale: model.logitScale.data[0], heldOutAccuracy, trainPairsAccuracy, similarity, seconds: (Date.now() - start) / 1000 };
}
