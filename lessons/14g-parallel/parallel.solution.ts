/**
 * Parallel training, simulated in worker threads: the reference solution.
 */
import { add, gelu, matmul, tensor } from '@llm-lab/kit';

export interface Comm {
  rank: number;
  world: number;
  send(to: number, data: Float32Array): void;
  recv(from: number): Float32Array;
}

export interface MlpShard {
  d: number;
  h: number;
  w1: Float32Array;
  b1: Float32Array;
  w2: Float32Array;
  b2: Float32Array;
}

export type Slot = { micro: number; pass: 'F' | 'B' } | null;

export interface RankBytes {
  params: number;
  grads: number;
  optimizer: number;
}

function chunkStart(n: number, p: number, c: number): number {
  return Math.floor((c * n) / p);
}

export function ringAllReduce(comm: Comm, x: Float32Array): Float32Array {
  const { rank, world: p } = comm;
  const n = x.length;
  const out = Float32Array.from(x);
  if (p === 1) return out;
  const next = (rank + 1) % p;
  const prev = (rank - 1 + p) % p;
  const mod = (i: number) => ((i % p) + p) % p;
  for (let s = 0; s < p - 1; s++) {
    const c = mod(rank - s);
    comm.send(next, out.slice(chunkStart(n, p, c), chunkStart(n, p, c + 1)));
    const r = mod(rank - s - 1);
    const got = comm.recv(prev);
    const at = chunkStart(n, p, r);
    for (let i = 0; i < got.length; i++) out[at + i] += got[i];
  }
  for (let s = 0; s < p - 1; s++) {
    const c = mod(rank + 1 - s);
    comm.send(next, out.slice(chunkStart(n, p, c), chunkStart(n, p, c + 1)));
    const r = mod(rank - s);
    const got = comm.recv(prev);
    out.set(got, chunkStart(n, p, r));
  }
  return out;
}

export function averageGradients(comm: Comm, grad: Float32Array): Float32Array {
  const sum = ringAllReduce(comm, grad);
  for (let i = 0; i < sum.length; i++) sum[i] /= comm.world;
  return sum;
}

export function tensorParallelMLP(comm: Comm, x: Float32Array, tokens: number, shard: MlpShard): Float32Array {
  const { d, h } = shard;
  const hidden = gelu(add(matmul(tensor(x, [tokens, d]), tensor(shard.w1, [d, h])), tensor(shard.b1, [h])));
  const partial = matmul(hidden, tensor(shard.w2, [h, d])).data as Float32Array;
  const y = ringAllReduce(comm, Float32Array.from(partial));
  for (let t = 0; t < tokens; t++) for (let j = 0; j < d; j++) y[t * d + j] += shard.b2[j];
  return y;
}

export function gpipeSchedule(stages: number, micro: number): Slot[][] {
  const ticks = 2 * (micro + stages - 1);
  const grid: Slot[][] = Array.from({ length: ticks }, () => new Array<Slot>(stages).fill(null));
  for (let s = 0; s < stages; s++) {
    for (let m = 0; m < micro; m++) {
      grid[s + m][s] = { micro: m, pass: 'F' };
      grid[micro + stages - 1 + (stages - 1 - s) + m][s] = { micro: m, pass: 'B' };
    }
  }
  return grid;
}

export function zeroLedger(stage: number, world: number, numel: number): RankBytes[] {
  const shardSize = Math.ceil(numel / world);
  const ledger: RankBytes[] = [];
  for (let r = 0; r < world; r++) {
    const shard = Math.max(0, Math.min(numel, (r + 1) * shardSize) - r * shardSize);
    ledger.push({
      params: 4 * (stage >= 3 ? shard : numel),
      grads: 4 * (stage >= 2 ? shard : numel),
      optimizer: 8 * (stage >= 1 ? shard : numel),
    });
  }
  return ledger;
}
