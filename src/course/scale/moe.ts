/**
 * The moe lesson's course code: float64 references for top-k routing, expert capacity, dispatch in token order, the
 * Switch Transformer load-balancing loss (value and gradient), and a whole MoE block; and experts cut from the bundled
 * model's MLP (its 512 hidden units split into groups), so that the MoE MLP has the model's shape (d 128).
 */
import type { BundledModel } from '@llm-lab/model';

export interface MoeRoutingRef {
  /** experts[t]: the k chosen experts, highest probability first (ties: the lower index first). */
  experts: number[][];
  /** gates[t][j]: the weight of experts[t][j]. */
  gates: number[][];
  /** probs[t][e]: softmax over all experts (float64). */
  probs: number[][];
}

/** Softmax of one row in float64, max subtracted. */
export function moeSoftmax64(row: ArrayLike<number>): number[] {
  let m = -Infinity;
  for (let i = 0; i < row.length; i++) m = Math.max(m, row[i]);
  const e = Array.from(row, (v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

/** Top-k routing of (T, E) logits, row-major: softmax over all E, the k largest (ties: lower index), gates renormalised over the k or not. */
export function moeRouteRef(logits: ArrayLike<number>, T: number, E: number, k: number, renormalize = true): MoeRoutingRef {
  const experts: number[][] = [];
  const gates: number[][] = [];
  const probs: number[][] = [];
  for (let t = 0; t < T; t++) {
    const p = moeSoftmax64(Array.from({ length: E }, (_, e) => logits[t * E + e]));
    const order = p.map((_, e) => e).sort((a, b) => p[b] - p[a] || a - b).slice(0, k);
    const s = order.reduce((a, e) => a + p[e], 0);
    experts.push(order);
    gates.push(order.map((e) => (renormalize ? p[e] / s : p[e])));
    probs.push(p);
  }
  return { experts, gates, probs };
}

/** capacity = ceil(k · tokens / experts · capacityFactor), computed so that exact products are not pushed up by rounding. */
export function moeCapacityRef(tokens: number, experts: number, k: number, capacityFactor: number): number {
  const x = (k * tokens * capacityFactor) / experts;
  const r = Math.round(x);
  return Math.abs(x - r) < 1e-9 ? r : Math.ceil(x);
}

/** kept[t][j]: tokens in order, each token's choices in rank order; an expert accepts assignments until it holds `capacity`. */
export function moeDispatchRef(experts: number[][], numExperts: number, capacity: number): boolean[][] {
  const load = new Array<number>(numExperts).fill(0);
  return experts.map((row) => row.map((e) => (load[e] < capacity ? (load[e]++, true) : false)));
}

/** f_i (share of the T·k assignments before capacity) and P_i (mean probability) of expert i. */
export function moeFractions(probs: number[][], experts: number[][], E: number): { f: number[]; P: number[] } {
  const T = probs.length;
  const f = new Array<number>(E).fill(0);
  const P = new Array<number>(E).fill(0);
  const k = experts[0]?.length ?? 1;
  for (const row of experts) for (const e of row) f[e] += 1 / (T * k);
  for (const row of probs) row.forEach((p, e) => { P[e] += p / T; });
  return { f, P };
}

/** Switch Transformer's auxiliary loss N · Σ f_i · P_i, and its gradient with respect to probs (f is a count: no gradient). */
export function moeAuxRef(probs: number[][], experts: number[][]): { loss: number; grad: number[][]; f: number[]; P: number[] } {
  const E = probs[0].length;
  const T = probs.length;
  const { f, P } = moeFractions(probs, experts, E);
  const loss = E * f.reduce((a, fi, i) => a + fi * P[i], 0);
  const grad = probs.map(() => f.map((fi) => (E * fi) / T));
  return { loss, grad, f, P };
}

/** One expert: an MLP like the bundled model's, weights row-major as PyTorch's Linear: fc (H, C), proj (C, H). */
export interface MoeExpertData {
  fcWeight: Float32Array;
  fcBias: Float32Array;
  projWeight: Float32Array;
  projBias: Float32Array;
  hidden: number;
  dim: number;
}

/**
 * E experts cut from layer `layer` of the bundled model's MLP: expert e gets hidden units e·H/E .. (e+1)·H/E of fc,
 * the matching columns of proj, and proj's bias divided by E (so that the E experts with gates 1 add up to the dense MLP).
 */
export function moeExpertsFromModel(model: BundledModel, layer: number, E: number): MoeExpertData[] {
  const C = model.config.nEmbd;
  const H = 4 * C;
  const h = H / E;
  const fcW = model.weight(`h.${layer}.mlp.fc.weight`).data;
  const fcB = model.weight(`h.${layer}.mlp.fc.bias`).data;
  const pW = model.weight(`h.${layer}.mlp.proj.weight`).data;
  const pB = model.weight(`h.${layer}.mlp.proj.bias`).data;
  return Array.from({ length: E }, (_, e) => ({
    fcWeight: fcW.slice(e * h * C, (e + 1) * h * C),
    fcBias: fcB.slice(e * h, (e + 1) * h),
    projWeight: Float32Array.from({ length: C * h }, (_, i) => pW[Math.floor(i / h) * H + e * h + (i % h)]),
    projBias: pB.map((v) => v / E),
    hidden: h,
    dim: C,
  }));
}

const GELU_C = Math.sqrt(2 / Math.PI);
/** GPT-2's tanh GELU in float64 (the bundled model's). */
export const moeGelu64 = (v: number): number => 0.5 * v * (1 + Math.tanh(GELU_C * (v + 0.044715 * v * v * v)));

/** expert(x) = proj(gelu(fc(x))) for one row x (float64). */
export function moeExpert64(ex: MoeExpertData, x: ArrayLike<number>): number[] {
  const { hidden: H, dim: C } = ex;
  const a = Array.from({ length: H }, (_, j) => {
    let s = ex.fcBias[j];
    for (let c = 0; c < C; c++) s += ex.fcWeight[j * C + c] * x[c];
    return moeGelu64(s);
  });
  return Array.from({ length: C }, (_, c) => {
    let s = ex.projBias[c];
    for (let j = 0; j < H; j++) s += ex.projWeight[c * H + j] * a[j];
    return s;
  });
}

export interface MoeBlockRef {
  y: number[][];
  aux: number;
  routing: MoeRoutingRef;
  kept: boolean[][];
  capacity: number;
  /** Tokens whose every assignment was dropped (they pass through: y = x). */
  dropped: number[];
}

/** y = x + Σ_j kept[t][j] · gates[t][j] · expert_{experts[t][j]}(x_t); router logits = x · routerᵀ (no bias). */
export function moeBlockRef(x: ArrayLike<number>, T: number, C: number, router: ArrayLike<number>, experts: MoeExpertData[],
  opts: { k: number; capacityFactor: number; renormalize?: boolean }): MoeBlockRef {
  const E = experts.length;
  const logits = new Float64Array(T * E);
  for (let t = 0; t < T; t++) for (let e = 0; e < E; e++) {
    let s = 0;
    for (let c = 0; c < C; c++) s += x[t * C + c] * router[e * C + c];
    logits[t * E + e] = s;
  }
  const routing = moeRouteRef(logits, T, E, opts.k, opts.renormalize ?? true);
  const capacity = moeCapacityRef(T, E, opts.k, opts.capacityFactor);
  const kept = moeDispatchRef(routing.experts, E, capacity);
  const y = Array.from({ length: T }, (_, t) => {
    const row = Array.from({ length: C }, (_, c) => x[t * C + c]);
    const xt = row.slice();
    routing.experts[t].forEach((e, j) => {
      if (!kept[t][j]) return;
      const out = moeExpert64(experts[e], xt);
      for (let c = 0; c < C; c++) row[c] += routing.gates[t][j] * out[c];
    });
    return row;
  });
  const dropped = kept.map((row, t) => (row.every((k) => !k) ? t : -1)).filter((t) => t >= 0);
  return { y, aux: moeAuxRef(routing.probs, routing.experts).loss, routing, kept, capacity, dropped };
}

/** What layer `layer`'s MLP reads in the bundled model for one sequence: ln_2(block input + attention output), (T, C) float32. */
export async function moeMlpInput(model: BundledModel, ids: readonly number[], layer = 0): Promise<Float32Array> {
  const T = ids.length;
  const C = model.config.nEmbd;
  const before = layer === 0 ? 'embeddings' : `block_out_${layer - 1}`;
  const out = await model.run(ids, 1, T, [before, `attn_out_${layer}`]);
  const [res, attn] = [out[before].data, out[`attn_out_${layer}`].data];
  const g = model.weight(`h.${layer}.ln_2.weight`).data;
  const b = model.weight(`h.${layer}.ln_2.bias`).data;
  const x = new Float32Array(T * C);
  for (let t = 0; t < T; t++) {
    const row = Array.from({ length: C }, (_, c) => res[t * C + c] + attn[t * C + c]);
    const mean = row.reduce((a, v) => a + v, 0) / C;
    const v = row.reduce((a, u) => a + (u - mean) ** 2, 0) / C;
    for (let c = 0; c < C; c++) x[t * C + c] = ((row[c] - mean) / Math.sqrt(v + 1e-5)) * g[c] + b[c];
  }
  return x;
}
