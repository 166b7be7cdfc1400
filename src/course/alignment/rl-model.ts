/**
 * The policy that lessons 12 (RLHF) and 13 (DPO) fine-tune, built from the bundled model's weights with the kit.
 * Checks and benchmarks use it; the learner's code never sees it.
 *
 *   policy      the kit GPT with the shipped weights. Only the LAST block and the final LayerNorm train;
 *               the embeddings (and so the tied LM head) and every earlier block stay frozen.
 *   reference   a frozen copy of the same GPT: what the KL penalty (PPO) and the log-ratios (DPO) compare with.
 *   value head  a linear map from the policy's last hidden state (detached) to one number per position.
 *
 * Why only the last block: everything below it is frozen and shared by the policy and the reference, so its
 * output is computed ONCE per batch without a graph (`features`), and every PPO or DPO step runs one block
 * forward and backward instead of the whole model: about 4x cheaper, which is what lets a run finish in
 * seconds on a laptop. LoRA (low-rank adapters on every layer) is the usual choice at scale; with a model this
 * small, a whole block is a small set of parameters too (about a quarter of them).
 *
 * Sampling uses a KV cache written with plain loops over the kit's ops (lesson 6's idea, batched over rows),
 * because re-running the whole prefix for every new character would dominate the run time.
 */
import {
  GPT, type Rng, type Tensor, add, gather, gelu, layerNorm, linear, logSoftmax, mul, noGrad, softmax, tensor, zeros,
} from '@llm-lab/kit';
import { shippedModel } from '@llm-lab/model';

export interface RlModel {
  readonly vocab: readonly string[];
  readonly config: GPT['config'];
  /** The model being fine-tuned (only `trainable` receives gradients). */
  readonly policy: GPT;
  /** A frozen copy of the starting weights. */
  readonly reference: GPT;
  /** Value head on the policy's last hidden state: weight (1, C), bias (1). */
  readonly value: { weight: Tensor; bias: Tensor };
  /** The policy's trainable tensors: its last block and final LayerNorm. */
  readonly trainable: Tensor[];
  encode(text: string): number[];
  decode(ids: readonly number[]): string;
  /** Puts the policy back to the shipped weights and zeroes the value head (a fresh run in the same process). */
  reset(): void;
}

let shipped: Promise<{ config: GPT['config']; vocab: readonly string[]; state: Map<string, Float32Array> }> | undefined;

/** The shipped weights, read once per process. */
function shippedState() {
  shipped ??= shippedModel().then((m) => {
    const state = new Map<string, Float32Array>();
    for (const [name, w] of m.weights()) state.set(name, Float32Array.from(w.data));
    return { config: { ...m.config }, vocab: m.vocab, state };
  });
  return shipped;
}

/** A fresh policy, reference and value head from the shipped weights. */
export async function loadRlModel(): Promise<RlModel> {
  const { config, vocab, state } = await shippedState();
  const policy = new GPT(config);
  const reference = new GPT(config);
  policy.loadState(state);
  reference.loadState(state);
  // Every tensor by name, kept before freezing (a frozen tensor is no longer listed as a parameter).
  const all = [...policy.namedParameters(), ...reference.namedParameters('ref.')];
  const trainable = [...policy.h[config.nLayer - 1].parameters(), ...policy.ln_f.parameters()];
  // Frozen: nothing below the last block (nor the reference) collects a gradient.
  const train = new Set(trainable);
  for (const [, p] of all) if (!train.has(p)) p.requiresGrad = false;
  const value = { weight: zeros([1, config.nEmbd], { requiresGrad: true }), bias: zeros([1], { requiresGrad: true }) };
  const ids = new Map(vocab.map((ch, i) => [ch, i]));
  return {
    vocab, config, policy, reference, value, trainable,
    encode: (text) => [...text].map((ch) => {
      const id = ids.get(ch);
      if (id === undefined) throw new Error(`rl-model: ${JSON.stringify(ch)} is not in the model's vocabulary`);
      return id;
    }),
    decode: (seq) => seq.map((i) => vocab[i]).join(''),
    reset: () => {
      for (const [name, p] of all) p.data.set(state.get(name.replace(/^ref\./, ''))!);
      value.weight.data.fill(0);
      value.bias.data.fill(0);
    },
  };
}

/** A batch of token sequences of different lengths, right-padded to T (padding never affects earlier positions). */
export interface Batch {
  /** (B, T) row-major, padded with 0. */
  ids: Int32Array;
  B: number;
  T: number;
  /** Length of each row's prompt. */
  promptLen: number[];
  /** Number of generated tokens of each row (the "response"). */
  responseLen: number[];
  /** The rows as lists of ids (prompt + response). */
  rows: number[][];
}

export function makeBatch(rows: number[][], promptLen: number[]): Batch {
  const B = rows.length;
  const T = Math.max(...rows.map((r) => r.length));
  const ids = new Int32Array(B * T);
  rows.forEach((r, b) => ids.set(r, b * T));
  return { ids, B, T, promptLen: [...promptLen], responseLen: rows.map((r, b) => r.length - promptLen[b]), rows };
}

/**
 * The frozen trunk: embeddings and every block but the last, without a graph. (B, T) -> (B, T, C).
 * The same for the policy and the reference, since neither trains these weights.
 */
export function features(model: RlModel, batch: Batch): Tensor {
  const { policy, config } = model;
  return noGrad(() => {
    const { B, T } = batch;
    const tok = policy.wte.forward(batch.ids, [B, T]); //                         (B, T, C)
    const pos = policy.wpe.forward(Int32Array.from({ length: T }, (_, t) => t), [T]); // (T, C)
    let x = add(tok, pos);
    for (let l = 0; l < config.nLayer - 1; l++) x = policy.h[l].forward(x); //   (B, T, C)
    return x;
  });
}

/** Flat positions (b * T + t) whose logits predict the response tokens, and those tokens, row by row. */
export function responsePositions(batch: Batch): { at: number[]; tokens: number[]; row: number[] } {
  const at: number[] = [];
  const tokens: number[] = [];
  const row: number[] = [];
  for (let b = 0; b < batch.B; b++) {
    for (let i = 0; i < batch.responseLen[b]; i++) {
      const t = batch.promptLen[b] + i; // the token at t is predicted by the logits at t - 1
      at.push(b * batch.T + t - 1);
      tokens.push(batch.rows[b][t]);
      row.push(b);
    }
  }
  return { at, tokens, row };
}

/** Rows `at` of x (N, C) -> (M, C), with gradient. */
function pickRows(x: Tensor, at: readonly number[]): Tensor {
  const C = x.shape[1];
  const index = new Int32Array(at.length * C);
  at.forEach((r, j) => index.fill(r, j * C, (j + 1) * C));
  return gather(x, 0, index, [at.length, C]);
}

export interface HeadOutput {
  /** (M) log-probability of each response token under this model. */
  logProbs: Tensor;
  /** (M, V) log-probabilities at those positions (for exact KL and entropy). */
  logits: Tensor;
  /** (M, C) last hidden state (after ln_f) at those positions. */
  hidden: Tensor;
}

/**
 * The trainable part for `which` model: last block, ln_f, tied head, only at the response positions.
 * With the policy (outside noGrad) the result has a graph into the last block and ln_f.
 */
export function head(model: RlModel, which: 'policy' | 'reference', feats: Tensor, pos: { at: number[]; tokens: number[] }): HeadOutput {
  const gpt = which === 'policy' ? model.policy : model.reference;
  const { nEmbd: C, nLayer } = model.config;
  const [B, T] = feats.shape;
  const x = gpt.h[nLayer - 1].forward(feats); //                       (B, T, C)
  const picked = pickRows(x.reshape(B * T, C), pos.at); //             (M, C)
  const hidden = gpt.ln_f.forward(picked); //                          (M, C)
  const logits = linear(hidden, gpt.wte.weight.detach()); //           (M, V), tied head, frozen
  const logp = logSoftmax(logits, -1); //                              (M, V)
  const logProbs = gather(logp, 1, pos.tokens, [pos.tokens.length, 1]).reshape(pos.tokens.length); // (M)
  return { logProbs, logits, hidden };
}

/** V(s) at the response positions, from the policy's hidden state (detached: the value loss trains only the head). */
export function values(model: RlModel, hidden: Tensor): Tensor {
  return linear(hidden.detach(), model.value.weight, model.value.bias).reshape(hidden.shape[0]); // (M)
}

/** Exact KL(p || q) of each row of two (M, V) logit tensors, in nats. */
export function exactKl(pLogits: Tensor, qLogits: Tensor): number[] {
  const [M, V] = pLogits.shape;
  const lp = logSoftmax(pLogits.detach(), -1).data;
  const lq = logSoftmax(qLogits.detach(), -1).data;
  const out: number[] = [];
  for (let m = 0; m < M; m++) {
    let kl = 0;
    for (let v = 0; v < V; v++) {
      const a = lp[m * V + v];
      kl += Math.exp(a) * (a - lq[m * V + v]);
    }
    out.push(kl);
  }
  return out;
}

/**
 * One row's KV cache for one layer: the keys and values of its positions so far, position t at [t·C, (t+1)·C).
 * Contiguous, so the attention loops read it in order.
 */
interface RowCache {
  keys: Float32Array;
  values: Float32Array;
  length: number;
}

/**
 * Appends key and value j of the (rows, C) products k and v to `cache`, then writes the attention of query j
 * (row j of q) over every cached position into row j of y: per head, softmax(q·k / √hs) in float64, then the
 * weighted sum of the values.
 */
function attendCached(cache: RowCache, q: Float32Array, k: Float32Array, v: Float32Array, j: number, y: Float32Array,
  C: number, nHead: number, scores: Float64Array): void {
  const hs = C / nHead;
  const scale = Math.sqrt(hs);
  const { keys, values } = cache;
  keys.set(k.subarray(j * C, (j + 1) * C), cache.length * C);
  values.set(v.subarray(j * C, (j + 1) * C), cache.length * C);
  const n = ++cache.length;
  const qj = j * C;
  for (let h = 0; h < nHead; h++) {
    const c0 = h * hs;
    let max = -Infinity;
    for (let s = 0; s < n; s++) {
      let dot = 0;
      const ks = s * C + c0;
      for (let c = 0; c < hs; c++) dot += q[qj + c0 + c] * keys[ks + c];
      const score = dot / scale;
      scores[s] = score;
      if (score > max) max = score;
    }
    let z = 0;
    for (let s = 0; s < n; s++) z += (scores[s] = Math.exp(scores[s] - max));
    for (let s = 0; s < n; s++) {
      const w = scores[s] / z;
      const vs = s * C + c0;
      for (let c = 0; c < hs; c++) y[qj + c0 + c] += w * values[vs + c];
    }
  }
}

/** The rest of a block after attention, on (rows, C): x + proj(y), then + MLP(ln_2(·)). */
function finishBlock(blk: GPT['h'][number], x: Tensor, y: Float32Array, rows: number, C: number): Tensor {
  const after = add(x, linear(tensor(y, [rows, C]), blk.attn.proj.weight, blk.attn.proj.bias));
  const m = layerNorm(after, blk.ln_2.weight, blk.ln_2.bias);
  return add(after, linear(gelu(linear(m, blk.mlp.fc.weight, blk.mlp.fc.bias)), blk.mlp.proj.weight, blk.mlp.proj.bias));
}

/**
 * Runs positions 0..L-1 of every row through the policy, appending their keys and values to the caches
 * ([layer][row]). Row (b, t) is row b·L + t of each product; each query attends to its own row's positions up
 * to its own, as one token at a time would, so the numbers are the same.
 */
function prefill(model: RlModel, rows: number[][], L: number, caches: RowCache[][], scores: Float64Array): void {
  const { policy, config } = model;
  const { nLayer, nHead, nEmbd: C } = config;
  const R = rows.length;
  const x0 = new Float32Array(R * L * C);
  for (let b = 0; b < R; b++) {
    for (let t = 0; t < L; t++) {
      const id = rows[b][t];
      const e = policy.wte.weight.data.subarray(id * C, (id + 1) * C);
      const p = policy.wpe.weight.data.subarray(t * C, (t + 1) * C);
      const at = (b * L + t) * C;
      for (let c = 0; c < C; c++) x0[at + c] = e[c] + p[c];
    }
  }
  let x = tensor(x0, [R * L, C]);
  for (let l = 0; l < nLayer; l++) {
    const blk = policy.h[l];
    const a = layerNorm(x, blk.ln_1.weight, blk.ln_1.bias);
    const q = linear(a, blk.attn.q.weight, blk.attn.q.bias).data; // (R·L, C)
    const k = linear(a, blk.attn.k.weight, blk.attn.k.bias).data;
    const v = linear(a, blk.attn.v.weight, blk.attn.v.bias).data;
    const y = new Float32Array(R * L * C);
    for (let b = 0; b < R; b++) {
      for (let t = 0; t < L; t++) attendCached(caches[l][b], q, k, v, b * L + t, y, C, nHead, scores);
    }
    x = finishBlock(blk, x, y, R * L, C);
  }
}

/**
 * Samples `n` new tokens after each prompt from the POLICY, with a KV cache; rows advance together, each at
 * its own position. Temperature 1: the policy's own distribution, the one whose log-probabilities the PPO ratios
 * and the KL use. (TRL's PPOTrainer samples at 0.7 by default and scores with the same temperature.)
 */
export function sample(model: RlModel, prompts: readonly number[][], n: number, rng: Rng, temperature = 1): number[][] {
  const { policy, config } = model;
  const { nLayer, nHead, nEmbd: C, blockSize } = config;
  for (const p of prompts) if (p.length + n > blockSize) throw new Error(`sample: ${p.length} + ${n} tokens exceed the context of ${blockSize}`);
  return noGrad(() => {
    const rows = prompts.map((p) => [...p]);
    const maxLen = Math.max(...prompts.map((p) => p.length)) + n;
    const caches: RowCache[][] = Array.from({ length: nLayer }, () => rows.map(() => (
      { keys: new Float32Array(maxLen * C), values: new Float32Array(maxLen * C), length: 0 })));
    const scores = new Float64Array(maxLen);
    // Prefill: the positions before the shortest prompt's last token sample nothing, so they go through the model
    // in one pass for every row at once ((R·L, C) products instead of L products of (R, C)); the same numbers.
    const L = Math.min(...prompts.map((p) => p.length)) - 1;
    if (L > 0) prefill(model, rows, L, caches, scores);
    for (let t = Math.max(0, L); t < maxLen - 1; t++) {
      // Rows still running feed their token at position t; a row's last prompt token starts its sampling.
      const active = rows.map((_, b) => b).filter((b) => t < prompts[b].length + n - 1);
      if (active.length === 0) break;
      const A = active.length;
      const x0 = new Float32Array(A * C);
      active.forEach((b, j) => {
        const id = rows[b][t];
        const e = policy.wte.weight.data.subarray(id * C, (id + 1) * C);
        const p = policy.wpe.weight.data.subarray(t * C, (t + 1) * C);
        for (let c = 0; c < C; c++) x0[j * C + c] = e[c] + p[c];
      });
      let x = tensor(x0, [A, C]);
      for (let l = 0; l < nLayer; l++) {
        const blk = policy.h[l];
        const a = layerNorm(x, blk.ln_1.weight, blk.ln_1.bias);
        const q = linear(a, blk.attn.q.weight, blk.attn.q.bias).data; // (A, C)
        const k = linear(a, blk.attn.k.weight, blk.attn.k.bias).data;
        const v = linear(a, blk.attn.v.weight, blk.attn.v.bias).data;
        const y = new Float32Array(A * C);
        active.forEach((b, j) => attendCached(caches[l][b], q, k, v, j, y, C, nHead, scores));
        x = finishBlock(blk, x, y, A, C);
      }
      const logits = linear(layerNorm(x, policy.ln_f.weight, policy.ln_f.bias), policy.wte.weight); // (A, V)
      const probs = softmax(temperature === 1 ? logits : mul(logits, 1 / temperature), -1).data;
      const V = config.vocabSize;
      active.forEach((b, j) => {
        if (t + 1 >= prompts[b].length) rows[b].push(rng.categorical(probs.subarray(j * V, (j + 1) * V)));
      });
    }
    return rows;
  });
}
