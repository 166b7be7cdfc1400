/**
 * The pruning lesson, reference solution: per-tensor magnitude pruning, 2:4 structured sparsity along the input
 * axis, which tensors of a GPT are pruned, and the sparsity they end up with.
 */
import { type GPT, type Tensor, tensor } from '@llm-lab/kit';

export function magnitudePrune(W: Tensor, sparsity: number): Tensor {
  const n = W.size;
  const k = Math.round(sparsity * n);
  const out = Float32Array.from(W.data);
  if (k === 0) return tensor(out, [...W.shape]);
  const abs = new Float32Array(n);
  for (let i = 0; i < n; i++) abs[i] = Math.abs(W.data[i]);
  const threshold = abs.slice().sort()[k - 1]; // the k-th smallest |w|
  let below = 0;
  for (let i = 0; i < n; i++) if (abs[i] < threshold) below++;
  let ties = k - below; // how many weights equal to the threshold go too: the lower indices first
  for (let i = 0; i < n; i++) {
    if (abs[i] < threshold) out[i] = 0;
    else if (abs[i] === threshold && ties > 0) {
      out[i] = 0;
      ties--;
    }
  }
  return tensor(out, [...W.shape]);
}

export function prune24(W: Tensor): Tensor {
  const [rows, cols] = W.shape;
  if (W.shape.length !== 2 || cols % 4 !== 0) throw new Error(`prune24: W must be (out, in) with in a multiple of 4, got [${W.shape.join(', ')}]`);
  const out = Float32Array.from(W.data);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c += 4) {
      const at = r * cols + c; // four consecutive weights of row r: along the input axis
      const g = [0, 1, 2, 3].sort((a, b) => Math.abs(W.data[at + b]) - Math.abs(W.data[at + a]) || a - b);
      out[at + g[2]] = 0; // the two smallest |w| of the group
      out[at + g[3]] = 0;
    }
  }
  return tensor(out, [rows, cols]);
}

export function prunableWeights(model: GPT): Tensor[] {
  return model.h.flatMap((block) => [block.attn.q, block.attn.k, block.attn.v, block.attn.proj, block.mlp.fc, block.mlp.proj].map((layer) => layer.weight));
}

export function sparsityOf(model: GPT): number {
  let zeros = 0;
  let total = 0;
  for (const w of prunableWeights(model)) {
    for (let i = 0; i < w.size; i++) if (w.data[i] === 0) zeros++;
    total += w.size;
  }
  return zeros / total;
}
