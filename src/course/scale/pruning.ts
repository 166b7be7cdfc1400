/**
 * The pruning lesson's course code: float64 references for magnitude pruning and N:M structured sparsity (with
 * the catalogued wrong variants, so a check can name a mistake), which tensors of the GPT are pruned, and the
 * evaluation the sparsity curve uses.
 *
 * The lesson's rules, stated once here and in the lesson text:
 * - Magnitude pruning is PER TENSOR (each Linear weight pruned to the same sparsity on its own, like PyTorch's
 *   `prune.l1_unstructured` applied to each module): k = Math.round(sparsity · n) weights of smallest |w| become 0;
 *   among equal |w| the one with the LOWER flat index is pruned first. (The checks avoid sparsity · n = x.5.)
 * - N:M structured sparsity along the INPUT axis: in every group of m consecutive weights of a row of a (out, in)
 *   weight, the n largest |w| are kept; among equal |w| the LOWER index is kept. 2:4 is n = 2, m = 4.
 * - What is pruned: the weights of the six Linear layers of every block (attn.q, attn.k, attn.v, attn.proj,
 *   mlp.fc, mlp.proj). Not biases, LayerNorms, or the embeddings (the tied head).
 */
import type { GPT } from '@llm-lab/kit';

/** Parameter names of the tensors the lesson prunes. */
export const PRUNE_PRUNABLE = /^h\.\d+\.(attn\.(q|k|v|proj)|mlp\.(fc|proj))\.weight$/;

/** The evaluation of the sparsity curve: windows × context of the bundled model's own Moby-Dick validation text. */
export const PRUNE_EVAL = { windows: 4, T: 64 };

/** The sparsities of the curve (magnitude pruning) and the N of the N:4 points (structured). */
export const PRUNE_SPARSITIES = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
export const PRUNE_NM_KEEP = [4, 3, 2, 1];

export type PruneMagnitudeVariant = 'right' | 'by-value' | 'largest';

/** The flat indices that magnitude pruning sets to zero, in the lesson's order (|w| ascending, then index ascending). */
export function pruneOrder(data: ArrayLike<number>, variant: PruneMagnitudeVariant = 'right'): number[] {
  const key = (i: number) => (variant === 'by-value' ? data[i] : variant === 'largest' ? -Math.abs(data[i]) : Math.abs(data[i]));
  return Array.from({ length: data.length }, (_, i) => i).sort((a, b) => key(a) - key(b) || a - b);
}

/** Magnitude pruning (per tensor) in float64: a copy with k = round(sparsity · n) weights set to 0. */
export function pruneMagnitude64(data: ArrayLike<number>, sparsity: number, variant: PruneMagnitudeVariant = 'right'): Float64Array {
  const out = Float64Array.from(data);
  const k = Math.round(sparsity * data.length);
  const order = pruneOrder(data, variant);
  for (let j = 0; j < k; j++) out[order[j]] = 0;
  return out;
}

export type PruneNMVariant = 'right' | 'by-value' | 'wrong-axis' | 'largest';

/**
 * N:M sparsity of a (out, in) weight in float64: keep the n largest |w| of every m consecutive weights along the
 * input axis (within a row), the lower index first among ties. 'wrong-axis' groups m consecutive rows of a column;
 * 'largest' zeroes the m - n largest |w| of each group (in the same order: the lower index counts as larger among ties).
 */
export function pruneNM64(data: ArrayLike<number>, shape: readonly number[], n: number, m: number, variant: PruneNMVariant = 'right'): Float64Array {
  const [rows, cols] = shape;
  const out = Float64Array.from(data);
  const key = (v: number) => (variant === 'by-value' ? v : Math.abs(v));
  const g = new Array<number>(m);
  const prune = () => { // g holds the group's flat indices in index order: keep the n largest keys, lower index first among ties
    for (let a = 1; a < m; a++) { // insertion sort by key descending (stable: equal keys keep index order)
      const x = g[a];
      let b = a - 1;
      while (b >= 0 && key(data[g[b]]) < key(data[x])) { g[b + 1] = g[b]; b--; }
      g[b + 1] = x;
    }
    if (variant === 'largest') for (let j = 0; j < m - n; j++) out[g[j]] = 0; // reversed: the largest m - n go
    else for (let j = n; j < m; j++) out[g[j]] = 0;
  };
  if (variant === 'wrong-axis') {
    for (let c = 0; c < cols; c++) for (let r0 = 0; r0 < rows; r0 += m) { for (let j = 0; j < m; j++) g[j] = (r0 + j) * cols + c; prune(); }
  } else {
    for (let r = 0; r < rows; r++) for (let c0 = 0; c0 < cols; c0 += m) { for (let j = 0; j < m; j++) g[j] = r * cols + c0 + j; prune(); }
  }
  return out;
}

/** The prunable tensors of a kit GPT, by name, in parameter order. */
export function prunePrunable(gpt: GPT): [string, Float32Array][] {
  return [...gpt.namedParameters()].filter(([name]) => PRUNE_PRUNABLE.test(name)).map(([name, t]) => [name, t.data as Float32Array]);
}

/**
 * Global magnitude pruning (PyTorch's `prune.global_unstructured`): one threshold over all the given tensors
 * together, the lower (concatenated) index first among ties. With one tensor it is the lesson's per-tensor rule.
 * `sortedAbs` (every |w| of the tensors, sorted ascending) may be passed in when pruning the same weights to
 * several sparsities.
 */
export function pruneGlobal(tensors: Float32Array[], sparsity: number, sortedAbs?: Float32Array): void {
  const n = tensors.reduce((s, t) => s + t.length, 0);
  const k = Math.round(sparsity * n);
  if (k === 0) return;
  const sorted = sortedAbs ?? pruneSortedAbs(tensors);
  const threshold = sorted[k - 1];
  let below = 0;
  while (below < k && sorted[below] < threshold) below++;
  let ties = k - below; // prune that many weights equal to the threshold, lower index first
  for (const t of tensors) {
    for (let i = 0; i < t.length; i++) {
      const a = Math.abs(t[i]);
      if (a < threshold) t[i] = 0;
      else if (a === threshold && ties > 0) { t[i] = 0; ties--; }
    }
  }
}

/** Every |w| of the tensors, sorted ascending (float32, as the weights are). */
export function pruneSortedAbs(tensors: Float32Array[]): Float32Array {
  const abs = new Float32Array(tensors.reduce((s, t) => s + t.length, 0));
  let at = 0;
  for (const t of tensors) for (let i = 0; i < t.length; i++) abs[at++] = Math.abs(t[i]);
  return abs.sort();
}
