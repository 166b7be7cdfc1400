/**
 * FlashAttention reference solution: attention computed tile by tile with the online softmax, never holding the
 * T_q × T_k score matrix. Algorithm 1 of Dao et al., "FlashAttention" (2022): each tile's
 * own max, sum and weighted values, merged into the running ones; as in FlashAttention-2 (Dao, 2023) the accumulator
 * is kept unnormalised and divided by the running sum once, at the end.
 *
 * q (..., T_q, d), k (..., T_k, d), v (..., T_k, d_v); the leading axes are a batch. Returns out (..., T_q, d_v)
 * and lse (..., T_q), the natural log of Σ_j exp(q_i·k_j / √d) over the keys row i sees.
 */
import { type Tensor, tensor } from '@llm-lab/kit';

export interface FlashResult {
  out: Tensor; // (..., T_q, d_v)
  lse: Tensor; // (..., T_q)
}

export function flashAttention(q: Tensor, k: Tensor, v: Tensor, causal: boolean, blockQ = 16, blockK = 16): FlashResult {
  const d = q.shape[q.ndim - 1];
  const Tq = q.shape[q.ndim - 2];
  const Tk = k.shape[k.ndim - 2];
  const dv = v.shape[v.ndim - 1];
  if (causal && Tq !== Tk) throw new Error(`flashAttention: causal needs T_q = T_k, got T_q = ${Tq}, T_k = ${Tk}`);
  if (!(blockQ >= 1 && blockK >= 1)) throw new Error(`flashAttention: tile sizes must be at least 1, got ${blockQ} × ${blockK}`);
  const B = q.data.length / (Tq * d); // the leading axes, flattened
  const scale = 1 / Math.sqrt(d);
  const out = new Float32Array(B * Tq * dv);
  const lse = new Float32Array(B * Tq);
  // The only working memory: one tile of scores and, per row of the query tile, m, l and the accumulator.
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
        if (causal && j0 > i0 + rows - 1) break; // this tile and all later ones are in every row's future
        const cols = Math.min(blockK, Tk - j0);
        for (let r = 0; r < rows; r++) {
          const i = i0 + r; // the query's position in the sequence
          let tileMax = -Infinity;
          for (let c = 0; c < cols; c++) {
            const j = j0 + c; // the key's position: the mask compares positions, never indices inside the tile
            if (causal && j > i) {
              s[r * blockK + c] = -Infinity;
              continue;
            }
            let dot = 0;
            for (let x = 0; x < d; x++) dot += q.data[(b * Tq + i) * d + x] * k.data[(b * Tk + j) * d + x];
            s[r * blockK + c] = dot * scale;
            if (dot * scale > tileMax) tileMax = dot * scale;
          }
          // A row that sees no key of this tile adds nothing. Going on would compute exp(-∞ - (-∞)) = NaN.
          if (tileMax === -Infinity) continue;
          // This tile alone: p_c = exp(s_c - tileMax), its sum, and Σ_c p_c · v_c.
          let tileSum = 0;
          tileAcc.fill(0);
          for (let c = 0; c < cols; c++) {
            const p = Math.exp(s[r * blockK + c] - tileMax);
            tileSum += p;
            for (let x = 0; x < dv; x++) tileAcc[x] += p * v.data[(b * Tk + j0 + c) * dv + x];
          }
          // Merge with what the earlier tiles gave, both brought to the new running max.
          const mNew = Math.max(m[r], tileMax);
          const alpha = Math.exp(m[r] - mNew); // rescales the old sums (0 when m was -∞, 1 when the max did not grow)
          const beta = Math.exp(tileMax - mNew); // rescales this tile's sums
          l[r] = alpha * l[r] + beta * tileSum;
          for (let x = 0; x < dv; x++) acc[r * dv + x] = alpha * acc[r * dv + x] + beta * tileAcc[x];
          m[r] = mNew;
        }
      }
      for (let r = 0; r < rows; r++) {
        const i = i0 + r;
        for (let x = 0; x < dv; x++) out[(b * Tq + i) * dv + x] = acc[r * dv + x] / l[r];
        lse[b * Tq + i] = m[r] + Math.log(l[r]);
      }
    }
  }
  return { out: tensor(out, [...q.shape.slice(0, -1), dv]), lse: tensor(lse, q.shape.slice(0, -1)) };
}
