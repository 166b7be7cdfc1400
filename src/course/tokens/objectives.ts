/**
 * The objectives lesson's course code (lessons/06f-objectives): exact references for BERT's masking, NSP pairs and
 * T5's span corruption, each consuming the kit's Rng exactly as the lesson states; a generator that counts its
 * draws; T5's code-form of span corruption (the convention its checks recognise); and what the checks ask of the
 * bundled model (a left-to-right continuation, and a blank filled from the left only vs from both sides).
 */
import { Rng } from '@llm-lab/kit';
import type { BundledModel } from '@llm-lab/model';

/** The label of a position the loss ignores (PyTorch's cross_entropy ignore_index default). */
export const OBJECTIVES_IGNORE = -100;

export interface ObjectivesMaskOptions {
  maskId: number;
  vocabSize: number;
  special?: readonly number[];
  prob?: number;
}

/**
 * BERT's masking as the lesson states it. Per position, in order: a special token is kept, label -100, NO draw;
 * otherwise u = rng.random(), selected when u < prob; a selected position gets label = its id and a second draw
 * v: v < 0.8 -> maskId; 0.8 <= v < 0.9 -> rng.randint(0, vocabSize) (a third draw); else unchanged.
 */
export function objectivesMaskRef(ids: ArrayLike<number>, rng: Rng, opts: ObjectivesMaskOptions): { input: Int32Array; labels: Int32Array } {
  const prob = opts.prob ?? 0.15;
  const special = new Set(opts.special ?? []);
  const input = Int32Array.from(ids);
  const labels = new Int32Array(ids.length).fill(OBJECTIVES_IGNORE);
  for (let i = 0; i < ids.length; i++) {
    if (special.has(ids[i])) continue;
    if (rng.random() >= prob) continue;
    labels[i] = ids[i];
    const v = rng.random();
    if (v < 0.8) input[i] = opts.maskId;
    else if (v < 0.9) input[i] = rng.randint(0, opts.vocabSize);
  }
  return { input, labels };
}

/** One NSP example: sentence a, sentence b, label 0 when b follows a in its document (IsNext), 1 when random (NotNext). */
export interface ObjectivesNspPair<S> {
  a: S;
  b: S;
  label: 0 | 1;
}

/**
 * NSP pairs as the lesson states them. For each document d in order, for each sentence i but the last: u = rng.random();
 * u < 0.5 -> (s_i, s_{i+1}, 0); else j = rng.randint(0, D - 1), j += (j >= d) (another document, uniformly), then
 * k = rng.randint(0, len(doc j)) -> (s_i, doc_j[k], 1).
 */
export function objectivesNspRef<S>(docs: readonly (readonly S[])[], rng: Rng): ObjectivesNspPair<S>[] {
  if (docs.length < 2) throw new Error('nspPairs needs at least two documents');
  const out: ObjectivesNspPair<S>[] = [];
  docs.forEach((doc, d) => {
    for (let i = 0; i + 1 < doc.length; i++) {
      if (rng.random() < 0.5) {
        out.push({ a: doc[i], b: doc[i + 1], label: 0 });
      } else {
        let j = rng.randint(0, docs.length - 1);
        if (j >= d) j++;
        const other = docs[j];
        out.push({ a: doc[i], b: other[rng.randint(0, other.length)], label: 1 });
      }
    }
  });
  return out;
}

/** The runs of true in a mask: [start, end) pairs in order. */
export function objectivesSpans(mask: readonly boolean[], value = true): [number, number][] {
  const spans: [number, number][] = [];
  for (let i = 0; i < mask.length; i++) {
    if (mask[i] !== value) continue;
    const start = i;
    while (i + 1 < mask.length && mask[i + 1] === value) i++;
    spans.push([start, i + 1]);
  }
  return spans;
}

/**
 * T5's span corruption as the paper states it: each run of noise tokens becomes one sentinel (numbered 0, 1, ... in
 * order) in the inputs; the targets are sentinel 0, span 0, sentinel 1, span 1, ..., and a final sentinel (number =
 * the number of spans).
 */
export function objectivesSpanRef<T>(tokens: readonly T[], mask: readonly boolean[], sentinel: (k: number) => T): { inputs: T[]; targets: T[] } {
  const inputs: T[] = [];
  const targets: T[] = [];
  let k = 0;
  for (let i = 0; i < tokens.length; i++) {
    if (!mask[i]) { inputs.push(tokens[i]); continue; }
    if (i === 0 || !mask[i - 1]) { inputs.push(sentinel(k)); targets.push(sentinel(k)); k++; }
    targets.push(tokens[i]);
  }
  targets.push(sentinel(k));
  return { inputs, targets };
}

/**
 * T5's code-form (t5.data.preprocessors: noise_span_to_unique_sentinel on the tokens with the mask, then on the tokens
 * with the mask inverted): the targets replace each run of KEPT tokens with a sentinel. The same as the paper's rule
 * when the mask starts and ends with kept tokens; no final sentinel when it ends with noise; misaligned when it starts
 * with noise (T5's own masks never do).
 */
export function objectivesSpanT5Code<T>(tokens: readonly T[], mask: readonly boolean[], sentinel: (k: number) => T): { inputs: T[]; targets: T[] } {
  const collapse = (m: readonly boolean[]): T[] => {
    const out: T[] = [];
    let k = 0;
    for (let i = 0; i < tokens.length; i++) {
      if (!m[i]) out.push(tokens[i]);
      else if (i === 0 || !m[i - 1]) out.push(sentinel(k++));
    }
    return out;
  };
  return { inputs: collapse(mask), targets: collapse(mask.map((x) => !x)) };
}

/** A kit Rng that counts the uniforms drawn from it (randint draws one). */
export class ObjectivesCountingRng extends Rng {
  draws = 0;
  override random(): number {
    this.draws++;
    return super.random();
  }
}

/** log-softmax of one row, in float64. */
function logSoftmax64(row: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < row.length; i++) max = Math.max(max, row[i]);
  let s = 0;
  for (let i = 0; i < row.length; i++) s += Math.exp(row[i] - max);
  const lse = max + Math.log(s);
  return Float64Array.from(row, (v) => v - lse);
}

/** Greedy continuation of `prompt` by the bundled model, `steps` characters, left to right. */
export async function objectivesContinue(model: BundledModel, prompt: string, steps: number): Promise<string> {
  const ids = Array.from(model.tokenizer.encode(prompt));
  const V = model.config.vocabSize;
  for (let s = 0; s < steps; s++) {
    const context = ids.slice(-model.config.blockSize);
    const { logits } = await model.run(context, 1, context.length, ['logits']);
    const last = logits.data.subarray((context.length - 1) * V, context.length * V);
    let best = 0;
    for (let v = 1; v < V; v++) if (last[v] > last[best]) best = v;
    ids.push(best);
  }
  return model.tokenizer.decode(ids.slice(-steps));
}

/**
 * A blank at character `at` of `text`: the causal model's probabilities for it from the LEFT context only (its next-
 * character distribution), and from BOTH sides (every candidate put in the blank, the whole text scored: p(c | left,
 * right) ∝ p(text with c)). Returns the top `k` of each, probabilities in float64.
 */
export async function objectivesFillIn(model: BundledModel, text: string, at: number, k = 5): Promise<{ left: [string, number][]; both: [string, number][] }> {
  const ids = Array.from(model.tokenizer.encode(text));
  const V = model.config.vocabSize;
  const T = ids.length;
  if (T > model.config.blockSize) throw new Error(`objectivesFillIn: ${T} characters exceed the context of ${model.config.blockSize}`);
  if (!(at >= 1 && at < T)) throw new Error(`objectivesFillIn: the blank must have a left context (1 <= at < ${T}), got ${at}`);
  // Every candidate at once: V sequences of T ids, candidate c in the blank of sequence c.
  const batch = new Int32Array(V * T);
  for (let c = 0; c < V; c++) { batch.set(ids, c * T); batch[c * T + at] = c; }
  const { logits } = await model.run(batch, V, T, ['logits']);
  const row = (c: number, p: number) => logSoftmax64(logits.data.subarray((c * T + p - 1) * V, (c * T + p) * V)); // predicts position p
  const left = row(0, at); // the same for every c: it sees only the characters before the blank
  const score = new Float64Array(V);
  for (let c = 0; c < V; c++) {
    let lp = 0;
    for (let p = at; p < T; p++) lp += row(c, p)[batch[c * T + p]]; // log p(text with c), less the terms before the blank (the same for all c)
    score[c] = lp;
  }
  const norm = (xs: Float64Array): Float64Array => {
    const m = Math.max(...xs);
    const e = xs.map((v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / s);
  };
  const top = (p: Float64Array): [string, number][] => Array.from(p, (v, c) => [model.vocab[c], v] as [string, number]).sort((a, b) => b[1] - a[1]).slice(0, k);
  return { left: top(norm(left)), both: top(norm(score)) };
}

/** Rounds halves to the even neighbour, as NumPy's np.round and TensorFlow's tf.math.round. */
export function objectivesRoundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Splits n items into k non-empty segments, as T5's _random_segmentation: k - 1 boundaries among the n - 1 gaps, by rng.shuffle. */
export function objectivesSegmentation(n: number, k: number, rng: Rng): number[] {
  const marks = Array.from({ length: n - 1 }, (_, j) => j < k - 1);
  rng.shuffle(marks);
  const lengths: number[] = [];
  let count = 1;
  for (const m of marks) {
    if (m) { lengths.push(count); count = 1; } else count++;
  }
  lengths.push(count);
  return lengths;
}

/**
 * T5's random_spans_noise_mask as the lesson states it: noise = round(length · density) clamped to [1, length - 1],
 * spans = max(1, round(min(noise, kept) / meanSpanLength)); the noise tokens split into `spans` segments (one
 * rng.shuffle), then the kept tokens (a second one); kept span 0, noise span 0, kept span 1, ... `round` is Math.round
 * (halves up) or objectivesRoundHalfEven (NumPy's): the checks accept both.
 */
export function objectivesSpansMaskRef(length: number, rng: Rng, opts: { density?: number; meanSpanLength?: number } = {}, round: (x: number) => number = Math.round): boolean[] {
  if (!(Number.isInteger(length) && length >= 2)) throw new Error(`randomSpansMask: length must be an integer >= 2, got ${length}`);
  const density = opts.density ?? 0.15;
  const mean = opts.meanSpanLength ?? 3;
  const noise = Math.min(Math.max(round(length * density), 1), length - 1);
  const kept = length - noise;
  const spans = Math.max(1, round(Math.min(noise, kept) / mean));
  const noiseLengths = objectivesSegmentation(noise, spans, rng);
  const keptLengths = objectivesSegmentation(kept, spans, rng);
  const mask: boolean[] = [];
  for (let s = 0; s < spans; s++) {
    for (let i = 0; i < keptLengths[s]; i++) mask.push(false);
    for (let i = 0; i < noiseLengths[s]; i++) mask.push(true);
  }
  return mask;
}
