/**
 * The mixture-of-experts lesson: top-k routing, expert capacity, the load-balancing loss, and an MoE MLP.
 *
 *   route             softmax over the experts, the k largest, gates renormalised over the k (or not: Switch)
 *   expertCapacity    ceil(k · tokens / experts · capacityFactor)
 *   dispatch          which assignments fit: tokens in order, an expert full after `capacity`
 *   loadBalancingLoss Switch Transformer's N · Σ f_i · P_i
 *   moeBlock          x + Σ kept · gate · expert(x): a dropped token passes through the residual only
 *
 * Kit pieces you may want: softmax(x, -1), linear(x, weight, bias), gelu(x), sum(x, dim), mul(a, b), tensor(data, shape),
 * and .data (a Float32Array, row-major) to read values. Your moeBlock should use your own route, expertCapacity,
 * dispatch and loadBalancingLoss.
 */
import { type Tensor, TODO } from '@llm-lab/kit';

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
  return TODO('route');
}

/** The number of assignments an expert accepts: ceil(k · tokens / experts · capacityFactor). */
export function expertCapacity(tokens: number, experts: number, k: number, capacityFactor: number): number {
  return TODO('expertCapacity');
}

/**
 * kept[t][j]: whether the assignment of token t to experts[t][j] fits. Tokens in order t = 0, 1, ..., each token's
 * choices in rank order j = 0 .. k - 1; an expert accepts assignments until it holds `capacity` of them, later ones
 * are dropped.
 */
export function dispatch(experts: number[][], numExperts: number, capacity: number): boolean[][] {
  return TODO('dispatch');
}

/**
 * Switch Transformer's load-balancing loss N · Σ_i f_i · P_i for probs (T, N): f_i = the share of the T·k assignments
 * (before capacity) that chose expert i, P_i = the mean of probs[:, i]. A scalar Tensor: its gradient flows into
 * probs through P (f is a count). 1 when routing is perfectly uniform.
 */
export function loadBalancingLoss(probs: Tensor, experts: number[][]): Tensor {
  return TODO('loadBalancingLoss');
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
  return TODO('moeBlock');
}
