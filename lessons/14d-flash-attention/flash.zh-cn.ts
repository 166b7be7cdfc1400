/**
 * FlashAttention：一次处理一个分块、配合在线 softmax 来计算注意力，使 T_q × T_k 的分数矩阵从头到尾都不存在。
 * 你用对 `.data`（Float32Array）的循环来写它；外层循环已经给出。
 *
 *   对每个 query 分块 [i0, i0 + rows)：           它的每一行 m = -Infinity，l = 0，acc = 0
 *     对每个 key 分块 [j0, j0 + cols)：           （causal：一旦分块起点在本 query 分块最后一个 query 之后就停止）
 *       对每一行 r（query i = i0 + r）：
 *         s_c     = q_i · k_j / √d，j = j0 + c    （causal：j > i 时为 -Infinity，比较的是位置，不是 c > r）
 *         tileMax = max_c s_c                      （为 -Infinity 时这一行在此分块中什么也看不到，跳过）
 *         p_c     = exp(s_c - tileMax)；tileSum = Σ_c p_c；tileAcc = Σ_c p_c · v_j
 *         mNew    = max(m, tileMax)；alpha = exp(m - mNew)；beta = exp(tileMax - mNew)
 *         l       = alpha · l + beta · tileSum；acc = alpha · acc + beta · tileAcc；m = mNew
 *     out_i = acc / l；lse_i = m + log(l)
 *
 * q：(..., T_q, d)，k：(..., T_k, d)，v：(..., T_k, d_v)：前面的轴是批次（把它们展平：B 块，每块 T_q × d，数据是
 * 连续存放的）。返回新的张量 out (..., T_q, d_v) 和 lse (..., T_q)；不要修改 q、k、v。causal 时，除非 T_q = T_k，
 * 否则抛出 Error。不要分配任何 T_q × T_k 大小的东西：检查会统计你创建的每个张量和类型化数组。
 */
import { type Tensor, TODO, tensor } from '@llm-lab/kit';

export interface FlashResult {
  /** (..., T_q, d_v)：逐行计算的 softmax(q·kᵀ / √d) @ v。 */
  out: Tensor;
  /** (..., T_q)：第 i 行能看到的 key 上的 log Σ_j exp(q_i·k_j / √d)（自然对数）。 */
  lse: Tensor;
}

export function flashAttention(q: Tensor, k: Tensor, v: Tensor, causal: boolean, blockQ = 16, blockK = 16): FlashResult {
  const d = q.shape[q.ndim - 1];
  const Tq = q.shape[q.ndim - 2];
  const Tk = k.shape[k.ndim - 2];
  const dv = v.shape[v.ndim - 1];
  // TODO：causal 时，除非 Tq === Tk，否则抛出 Error。
  const B = q.data.length / (Tq * d); // 展平后的前导轴
  const scale = 1 / Math.sqrt(d);
  const out = new Float32Array(B * Tq * dv);
  const lse = new Float32Array(B * Tq);
  // 工作内存：一个分数分块，以及 query 分块中每一行的 m、l 和一个长为 d_v 的累加器。
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
        // TODO：causal 时，如果这个分块的所有 key 都在每一行的未来，就跳过它（以及之后的所有分块）。
        // TODO：对每一行 r：计算分数、tileMax、分块内的和，然后合并进 m[r]、l[r] 和 acc[r * dv + x]。
        TODO('flashAttention: one tile');
      }
      // TODO：这个 query 分块各行的 out 和 lse。
    }
  }
  return { out: tensor(out, [...q.shape.slice(0, -1), dv]), lse: tensor(lse, q.shape.slice(0, -1)) };
}
