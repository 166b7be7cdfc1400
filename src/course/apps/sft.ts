/**
 * The SFT lesson's course code (sft/sft): the chat template, the instruction data set built from the State of the
 * Union excerpts the LoRA course ships, float64 references for the example, the padding and the masked loss, and
 * the short live supervised fine-tune of the bundled model that the lesson's live check runs with the learner's parts.
 *
 * Never learner code: every expected value is computed here, from copies of the inputs.
 */
import { type LocalArtifact, type Text, t } from '@llm-lab/check';
import { AdamW, type GPT, Rng, type Tensor, clipGradNorm, noGrad } from '@llm-lab/kit';
import { SOTU_TRAIN, SOTU_VAL } from '@llm-lab/course/lora';

/** The label of a position that is not trained (PyTorch's CrossEntropyLoss ignore_index default). */
export const SFT_IGNORE = -100;
/** The end marker: the response ends with a newline, and the model must learn to write it. */
export const SFT_END = '\n';

export interface SftPair {
  question: string;
  answer: string;
}

export interface SftExample {
  ids: number[];
  labels: number[];
}

export interface SftBatch {
  ids: number[][];
  labels: number[][];
}

/** The template: prompt "Q: <question>\nA: ", response "<answer>\n". */
export const sftPrompt = (question: string): string => `Q: ${question}\nA: `;
export const sftResponse = (answer: string): string => `${answer}${SFT_END}`;

/** The reference example: ids of prompt + response, labels -100 on the prompt, the ids themselves on the response (HF: not shifted). */
export function sftExample64(pair: SftPair, encode: (s: string) => number[]): SftExample {
  const p = encode(sftPrompt(pair.question));
  const r = encode(sftResponse(pair.answer));
  return { ids: [...p, ...r], labels: [...p.map(() => SFT_IGNORE), ...r] };
}

/** The reference collate: right padding to the longest example, ids with padId, labels with -100. */
export function sftCollate64(examples: readonly SftExample[], padId: number): SftBatch {
  const T = Math.max(...examples.map((e) => e.ids.length));
  return {
    ids: examples.map((e) => [...e.ids, ...Array<number>(T - e.ids.length).fill(padId)]),
    labels: examples.map((e) => [...e.labels, ...Array<number>(T - e.labels.length).fill(SFT_IGNORE)]),
  };
}

/**
 * The masked loss in float64, shifted inside (HF): logits[b, t] predicts labels[b][t + 1]; the mean over the
 * counted positions. `shift: false` is the pre-shifted (nanoGPT) reading, `over: 'all'` divides by every position.
 * Returns the value, the gradient (B·T·V) and the count.
 */
export function sftLoss64(logits: ArrayLike<number>, labels: readonly (readonly number[])[], V: number,
  o: { shift?: boolean; over?: 'kept' | 'all' | 'rows' } = {}): { value: number; grad: Float64Array; count: number } {
  const shift = o.shift ?? true;
  const over = o.over ?? 'kept';
  const B = labels.length;
  const T = labels[0].length;
  const grad = new Float64Array(B * T * V);
  const terms: { row: number; target: number; b: number }[] = [];
  for (let b = 0; b < B; b++) {
    for (let tt = 0; tt < T - (shift ? 1 : 0); tt++) {
      const target = labels[b][tt + (shift ? 1 : 0)];
      if (target !== SFT_IGNORE) terms.push({ row: b * T + tt, target, b });
    }
  }
  const perRow = Array<number>(B).fill(0);
  for (const { b } of terms) perRow[b]++;
  const rowsWithTokens = perRow.filter((n) => n > 0).length;
  let value = 0;
  for (const { row, target, b } of terms) {
    let m = -Infinity;
    for (let v = 0; v < V; v++) m = Math.max(m, logits[row * V + v]);
    let s = 0;
    for (let v = 0; v < V; v++) s += Math.exp(logits[row * V + v] - m);
    const logZ = m + Math.log(s);
    const w = over === 'kept' ? 1 / terms.length : over === 'all' ? 1 / (B * (T - (shift ? 1 : 0))) : 1 / (perRow[b] * rowsWithTokens);
    value += w * (logZ - logits[row * V + target]);
    for (let v = 0; v < V; v++) grad[row * V + v] += w * Math.exp(logits[row * V + v] - logZ);
    grad[row * V + target] -= w;
  }
  return { value, grad, count: terms.length };
}

// --- The instruction data set -----------------------------------------------------------------------------

const WORD = /^[a-z]+$/;

/**
 * "Q: What word comes after 'w1 w2'?\nA: w3\n" for three consecutive lowercase words of a text (words split at
 * spaces; a word counts only if it is lowercase letters alone, so no punctuation sits between the three). Every
 * phrase once, in text order.
 */
export function sftPairsFrom(text: string): SftPair[] {
  const words = text.split(/\s+/);
  const seen = new Set<string>();
  const pairs: SftPair[] = [];
  for (let i = 0; i + 2 < words.length; i++) {
    const [a, b, c] = [words[i], words[i + 1], words[i + 2]];
    if (!WORD.test(a) || !WORD.test(b) || !WORD.test(c) || c.length > 10) continue;
    const question = `What word comes after '${a} ${b}'?`;
    if (seen.has(question)) continue;
    seen.add(question);
    pairs.push({ question, answer: c });
  }
  return pairs;
}

/** Training pairs from the ten training addresses; held-out pairs from the 1962 address, minus any question in training. */
export function sftData(): { train: SftPair[]; heldOut: SftPair[] } {
  const train = sftPairsFrom(SOTU_TRAIN);
  const known = new Set(train.map((p) => p.question));
  const all = sftPairsFrom(SOTU_VAL).filter((p) => !known.has(p.question));
  const stride = Math.max(1, Math.floor(all.length / SFT_RECIPE.heldOut));
  const heldOut = Array.from({ length: Math.min(SFT_RECIPE.heldOut, all.length) }, (_, i) => all[i * stride]);
  return { train, heldOut };
}

/** The bundled model's character encoder (an unknown character throws: the data set uses none). */
export function sftEncoder(vocab: readonly string[]): (s: string) => number[] {
  const index = new Map(vocab.map((ch, i) => [ch, i]));
  return (s) => [...s].map((ch) => {
    const id = index.get(ch);
    if (id === undefined) throw new Error(`character ${JSON.stringify(ch)} is not in the model's vocabulary`);
    return id;
  });
}

/**
 * The live run: full fine-tune (every weight) with AdamW, a short warmup, gradient clipping to 1. Chosen on the
 * bundled model (test/unit/sft-track.test.ts prints the numbers over seeds).
 */
export const SFT_RECIPE = {
  steps: 30,
  batch: 8,
  lr: 1e-3,
  warmup: 5,
  evalEvery: 10,
  heldOut: 32,
  /** Characters generated after each held-out prompt (the longest answer is 10 letters, then the end marker). */
  maxNew: 12,
  /** The check's bars (measured over seeds, see the lesson's "What the checks test"). */
  minFormatAfter: 0.75,
  minLossDrop: 0.5,
};

/**
 * The format rule: the greedy continuation of the prompt is a lowercase word of 1 to 10 letters, then the end
 * marker. (Whether the word is the right one is counted too, but only reported.)
 */
export function sftParse(generated: string): { formatted: boolean; answer: string | null } {
  const m = /^([a-z]{1,10})\n/.exec(generated);
  return { formatted: m !== null, answer: m ? m[1] : null };
}

export interface SftEval {
  formatAccuracy: number;
  answerAccuracy: number;
  /** Mean NLL per response token (answer + end marker) over the held-out pairs, nats (float64 reference loss). */
  responseLoss: number;
  samples: { prompt: string; generated: string; formatted: boolean }[];
}

export function sftEvaluate(gpt: GPT, vocab: readonly string[], heldOut: readonly SftPair[], maxNew = SFT_RECIPE.maxNew): SftEval {
  const encode = sftEncoder(vocab);
  const V = vocab.length;
  const examples = heldOut.map((p) => sftExample64(p, encode));
  const batch = sftCollate64(examples, encode(' ')[0]);
  const T = batch.ids[0].length;
  const logits = noGrad(() => gpt.forward(batch.ids.flat(), batch.ids.length, T).logits);
  const responseLoss = sftLoss64(logits.data, batch.labels, V).value;
  let formatted = 0;
  let right = 0;
  const samples: SftEval['samples'] = [];
  for (const pair of heldOut) {
    const ids = encode(sftPrompt(pair.question));
    // Greedy, one character at a time, stopping at the first character that is not a lowercase letter (the rule
    // decides there: the end marker or not), or after maxNew characters.
    let context = ids;
    let generated = '';
    while (generated.length < maxNew) {
      const out = gpt.generate(context, 1, { greedy: true });
      const ch = vocab[out[out.length - 1]];
      generated += ch;
      context = Array.from(out);
      if (!/[a-z]/.test(ch)) break;
    }
    const parsed = sftParse(generated);
    if (parsed.formatted) formatted++;
    if (parsed.answer === pair.answer) right++;
    samples.push({ prompt: sftPrompt(pair.question), generated, formatted: parsed.formatted });
  }
  return { formatAccuracy: formatted / heldOut.length, answerAccuracy: right / heldOut.length, responseLoss, samples };
}

/** The learner's parts the loop uses. */
export interface SftParts {
  buildExample: (pair: SftPair, encode: (s: string) => number[]) => SftExample;
  collate: (examples: SftExample[], padId: number) => SftBatch;
  sftLoss: (logits: Tensor, labels: number[][]) => Tensor;
}

export interface SftHistory {
  step: number[];
  train: number[];
  evalStep: number[];
  heldOut: number[];
  seconds: number;
}

/**
 * Fine-tunes `gpt` in place on `train` pairs with the learner's parts: each step draws `batch` pairs with
 * `random`, builds their examples, pads them (pad id: the space) and trains on the learner's loss. Every
 * evalEvery steps, the held-out response loss (the float64 reference loss, so the curve is the same whoever wrote it).
 */
export async function sftTrain(gpt: GPT, vocab: readonly string[], parts: SftParts, data: { train: SftPair[]; heldOut: SftPair[] },
  o: { random: () => number; steps?: number; onStep?: (h: SftHistory) => void }): Promise<SftHistory> {
  const encode = sftEncoder(vocab);
  const padId = encode(' ')[0];
  const steps = o.steps ?? SFT_RECIPE.steps;
  const params = gpt.parameters();
  const optimizer = new AdamW(params, { lr: SFT_RECIPE.lr, weightDecay: 0 });
  const h: SftHistory = { step: [], train: [], evalStep: [], heldOut: [], seconds: 0 };
  const heldOutLoss = () => {
    const b = sftCollate64(data.heldOut.map((p) => sftExample64(p, encode)), padId);
    const logits = noGrad(() => gpt.forward(b.ids.flat(), b.ids.length, b.ids[0].length).logits);
    return sftLoss64(logits.data, b.labels, vocab.length).value;
  };
  h.evalStep.push(0);
  h.heldOut.push(heldOutLoss());
  const t0 = performance.now();
  for (let step = 1; step <= steps; step++) {
    optimizer.lr = SFT_RECIPE.lr * Math.min(1, step / SFT_RECIPE.warmup);
    const pairs = Array.from({ length: SFT_RECIPE.batch }, () => data.train[Math.floor(o.random() * data.train.length)]);
    const batch = parts.collate(pairs.map((p) => parts.buildExample({ ...p }, encode)), padId);
    const B = batch.ids.length;
    const T = batch.ids[0].length;
    const { logits } = gpt.forward(batch.ids.flat(), B, T);
    const loss = parts.sftLoss(logits, batch.labels.map((r) => [...r]));
    optimizer.zeroGrad();
    loss.backward();
    clipGradNorm(params, 1);
    optimizer.step();
    h.step.push(step);
    h.train.push(loss.item());
    if (step % SFT_RECIPE.evalEvery === 0 || step === steps) {
      h.evalStep.push(step);
      h.heldOut.push(heldOutLoss());
    }
    o.onStep?.(h);
    await new Promise((resolve) => setImmediate(resolve));
  }
  h.seconds = (performance.now() - t0) / 1000;
  return h;
}

const r4 = (v: number): number => Math.round(v * 1e4) / 1e4;

export function sftCurve(h: SftHistory, title: Text): LocalArtifact {
  return {
    kind: 'curve', title, xLabel: t('step', '步数'), yLabel: t('loss per response token (nats)', '每个回答 token 的损失（nat）'),
    series: [
      { name: t('train (your sftLoss, one batch)', '训练（你的 sftLoss，单个批次）'), x: h.step, y: h.train.map(r4) },
      { name: t('held-out responses (1962 address)', '留出集回答（1962 年国情咨文）'), x: h.evalStep, y: h.heldOut.map(r4) },
    ],
  };
}

/** A seeded generator as a () => number, for the track test's seeds. */
export const sftRandom = (seed: number): (() => number) => {
  const rng = new Rng(seed);
  return () => rng.random();
};
