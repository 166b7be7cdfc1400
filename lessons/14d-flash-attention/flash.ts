/**
 * FlashAttention: attention computed one tile at a time, with the online softmax, so that the T_q × T_k matrix of
 * scores never exists. You write it with loops over `.data` (Float32Array); the outer loops are given.
 *
 *   for each query tile [i0, i0 + rows):           m = -Infinity, l = 0, acc = 0 for each of its rows
 *     for each key tile [j0, j0 + cols):           (causal: stop once the tile starts after the tile's last query)
 *       for each row r (query i = i0 + r):
 *         s_c     = q_i · k_j / √d for j = j0 + c  (causal: -Infinity when j > i, POSITIONS, not c > r)
 *         tileMax = max_c s_c                      (-Infinity: the row sees nothing here, skip it)
 *         p_c     = exp(s_c - tileMax); tileSum = Σ_c p_c; tileAcc = Σ_c p_c · v_j
 *         mNew    = max(m, tileMax); alpha = exp(m - mNew); beta = exp(tileMax - mNew)
 *         l       = alpha · l + beta · tileSum;  acc = alpha · acc + beta · tileAcc;  m = mNew
 *     out_i = acc / l;  lse_i = m + log(l)
 *
 * q: (..., T_q, d), k: (..., T_k, d), v: (..., T_k, d_v): the leading axes are a batch (flatten them: B rows of
 * T_q × d each, the data is contiguous). Return out (..., T_q, d_v) and lse (..., T_q) as new tensors; do not
 * modify q, k or v. With `causal`, throw an Error unless T_q = T_k. Allocate nothing of size T_q × T_k: the checks
 * count every tensor and typed array you create.
 */
import { type Tensor, TODO, tensor } from '@llm-lab/kit';

export interface FlashResult {
  /** (..., T_q, d_v): softmax(q·kᵀ / √d) @ v, row by row. */
  out: Tensor;
  /** (..., T_q): log Σ_j exp(q_i·k_j / √d) over the keys row i sees (natural log). */
  lse: Tensor;
}

export function flashAttention(q: Tensor, k: Tensor, v: Tensor, causal: boolean, blockQ = 16, blockK = 16): FlashResult {
  const d = q.shape[q.ndim - 1];
  const Tq = q.shape[q.ndim - 2];
  const Tk = k.shape[k.ndim - 2];
  const dv = v.shape[v.ndim - 1];
  // TODO: with causal, throw an Error unless Tq === Tk.
  const B = q.data.length / (Tq * d); // the leading axes, flattened
  const scale = 1 / Math.sqrt(d);
  const out = new Float32Array(B * Tq * dv);
  const lse = new Float32Array(B * Tq);
  // Working memory: one tile of scores, and per row of the query tile m, l and an accumulator of d_v numbers.
  const s = new Float32Array(blockQ * blockK);
  const m = new Float32Array(blockQ);
  const l = new Float32Array(blockQ);
  const acc = new Float32Array(blockQ * dv);
  const tileAcc = new Float32Array(dv);
  for (let b = 0; b < B; b++) {
    for (let i0 = 0; i0 < Tq; i0 += blockQ) {
      const rows = Math.min(blockQ, Tq - i0);
      m.fill(-Infinity);
      l.fill(0);
      acc.fill(0);
      for (let j0 = 0; j0 < Tk; j0 += blockK) {
        const cols = Math.min(blockK, Tk - j0);
        // TODO: causal: skip this tile (and every later one) when all its keys are in the future of every row.
        // TODO: for each row r: scores, tileMax, tile sums, then merge into m[r], l[r] and acc[r * dv + x].
        TODO('flashAttention: one tile');
      }
      // TODO: out and lse for the rows of this query tile.
    }
  }
  return { out: tensor(out, [...q.shape.slice(0, -1), dv]), lse: tensor(lse, q.shape.slice(0, -1)) };
}
