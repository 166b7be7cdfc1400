/**
 * The mixture-of-experts lesson: top-k routing, expert capacity, the load-balancing loss, and an MoE MLP.
 *
 *   route             softmax over the experts, the k largest, gates renormalised over the k (or not: Switch)
 *   expertCapacity    ceil(k · tokens / experts · capacityFactor)
 *   dispatch          which assignments fit: tokens in order, an expert full after `capacity`
 *   loadBalancingLoss Switch Transformer's N · Σ f_i · P_i
 *   moeBlock          x + Σ kept · gate · expert(x): a dropped token passes through the residual only
 */
import { type Tensor, gelu, linear, mul, softmax, sum, tensor } from '@llm-lab/kit';

export interface Routing {
  /** experts[t]: the k experts token t goes to, highest probability first (ties: the lower index first). */
  experts: number[][];
  /** gates[t][j]: the weight of experts[t][j] in token t's output. */
  gates: number[][];
}

export interface RouteOptions {
  /** true (default): gates = p / (sum of the k chosen p), Mixtral's and GShard's; false: gates = p, Switch's. */
  renormalize?: boolean;
}

/**
 * Top-k routing of router logits (T, E): probs = softmax over the E experts of each token; the k experts with the
 * largest probability, highest first (ties: the lower index first); their gates renormalised to sum to 1 (or the raw
 * probabilities when opts.renormalize is false). Throws an Error when k is not an integer in 1 .. E.
 */
export function route(logits: Tensor, k: number, opts: RouteOptions = {}): Routing {
  const [T, E] = logits.shape;
  if (!Number.isInteger(k) || k < 1 || k > E) throw new Error(`route: k must be an integer in 1 .. ${E}, got ${k}`);
  const renormalize = opts.renormalize ?? true;
  const probs = softmax(logits, -1).data;
  const experts: number[][] = [];
  const gates: number[][] = [];
  for (let t = 0; t < T; t++) {
    const p = probs.subarray(t * E, (t + 1) * E);
    const chosen = Array.from(p, (_, e) => e).sort((a, b) => p[b] - p[a] || a - b).slice(0, k); // stable: ties keep the lower index
    const total = chosen.reduce((s, e) => s + p[e], 0);
    experts.push(chosen);
    gates.push(chosen.map((e) => (renormalize ? p[e] / total : p[e])));
  }
  return { experts, gates };
}

/** The number of assignments an expert accepts: ceil(k · tokens / experts · capacityFactor). */
export function expertCapacity(tokens: number, experts: number, k: number, capacityFactor: number): number {
  const exact = (k * tokens * capacityFactor) / experts;
  return Math.abs(exact - Math.round(exact)) < 1e-9 ? Math.round(exact) : Math.ceil(exact); // 4.000000000001 is 4
}

/**
 * kept[t][j]: whether the assignment of token t to experts[t][j] fits. Tokens in order t = 0, 1, ..., each token's
 * choices in rank order j = 0 .. k - 1; an expert accepts assignments until it holds `capacity` of them, later ones
 * are dropped.
 */
export function dispatch(experts: number[][], numExperts: number, capacity: number): boolean[][] {
  const load = new Array<number>(numExperts).fill(0);
  return experts.map((choices) => choices.map((e) => {
    if (load[e] >= capacity) return false;
    load[e] += 1;
    return true;
  }));
}

/**
 * Switch Transformer's load-balancing loss N · Σ_i f_i · P_i for probs (T, N): f_i = the share of the T·k assignments
 * (before capacity) that chose expert i, P_i = the mean of probs[:, i]. A scalar Tensor: its gradient flows into
 * probs through P (f is a count). 1 when routing is perfectly uniform.
 */
export function loadBalancingLoss(probs: Tensor, experts: number[][]): Tensor {
  const [T, N] = probs.shape;
  const k = experts[0].length;
  const f = new Float32Array(N);
  for (const choices of experts) for (const e of choices) f[e] += 1 / (T * k);
  const P = mul(sum(probs, 0), 1 / T); // (N,)
  return mul(sum(mul(P, tensor(f))), N);
}

/** One expert, an MLP like the bundled model's: proj(gelu(fc(x))), weights as PyTorch's Linear. */
export interface Expert {
  fcWeight: Tensor; // (H, C)
  fcBias: Tensor; //   (H,)
  projWeight: Tensor; // (C, H)
  projBias: Tensor; // (C,)
}

export interface MoeOptions {
  k: number;
  capacityFactor: number;
  renormalize?: boolean;
}

export interface MoeOutput {
  /** (T, C): x plus the gated outputs of the experts that kept the token. */
  y: Tensor;
  /** The load-balancing loss of this routing (a scalar Tensor). */
  aux: Tensor;
  routing: Routing;
  kept: boolean[][];
}

/**
 * An MoE MLP with its residual: logits = x · routerWeightᵀ (E, C), no bias; route; capacity and dispatch; then
 * y_t = x_t + Σ_j kept[t][j] · gates[t][j] · expert_{experts[t][j]}(x_t). A token whose assignments were all dropped
 * passes through: y_t = x_t. aux = loadBalancingLoss(softmax(logits), routing.experts).
 */
export function moeBlock(x: Tensor, routerWeight: Tensor, experts: Expert[], opts: MoeOptions): MoeOutput {
  const [T, C] = x.shape;
  const E = experts.length;
  const logits = linear(x, routerWeight);
  const routing = route(logits, opts.k, { renormalize: opts.renormalize });
  const kept = dispatch(routing.experts, E, expertCapacity(T, E, opts.k, opts.capacityFactor));
  const out = Float32Array.from(x.data);
  experts.forEach((ex, e) => {
    const rows: number[] = [];
    const weights: number[] = [];
    routing.experts.forEach((choices, t) => choices.forEach((c, j) => {
      if (c === e && kept[t][j]) { rows.push(t); weights.push(routing.gates[t][j]); }
    }));
    if (rows.length === 0) return;
    const xe = tensor(Float32Array.from({ length: rows.length * C }, (_, i) => x.data[rows[Math.floor(i / C)] * C + (i % C)]), [rows.length, C]);
    const ye = linear(gelu(linear(xe, ex.fcWeight, ex.fcBias)), ex.projWeight, ex.projBias).data;
    rows.forEach((t, r) => { for (let c = 0; c < C; c++) out[t * C + c] += weights[r] * ye[r * C + c]; });
  });
  return { y: tensor(out, [T, C]), aux: loadBalancingLoss(softmax(logits, -1), routing.experts), routing, kept };
}
