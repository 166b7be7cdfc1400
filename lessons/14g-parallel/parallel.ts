/**
 * Parallel training, simulated in worker threads.
 *
 * Ranks are threads here, not GPUs: the checks start p worker threads, each loads this file, and each calls your
 * function with its own `comm`. Messages go through mailboxes in a SharedArrayBuffer (Atomics wait and notify);
 * every wait has a time limit, so a deadlock ends with a message instead of a hang. The algorithms are the ones
 * NCCL, Megatron-LM, GPipe and DeepSpeed run; only the wires are simulated.
 *
 *   comm.rank, comm.world       this rank (0 .. world − 1) and the number of ranks p
 *   comm.send(to, data)         a copy of a Float32Array into `to`'s mailbox from this rank
 *                               (waits only while the previous message to `to` is still unread)
 *   comm.recv(from)             the next Float32Array `from` sent to this rank (waits until it arrives)
 *
 * Kit pieces you may want: tensor(values, shape), matmul, add, gelu, and `.data` (a Float32Array).
 */
import { TODO, add, gelu, matmul, tensor } from '@llm-lab/kit';

export interface Comm {
  rank: number;
  world: number;
  send(to: number, data: Float32Array): void;
  recv(from: number): Float32Array;
}

/** This rank's share of a 2-layer MLP y = gelu(x W1 + b1) W2 + b2 (hidden units [rank·h, (rank+1)·h)). */
export interface MlpShard {
  d: number;
  h: number;
  w1: Float32Array;
  b1: Float32Array;
  w2: Float32Array;
  b2: Float32Array;
}

/** One slot of a pipeline schedule: null (idle) or the forward (F) / backward (B) pass of one micro-batch. */
export type Slot = { micro: number; pass: 'F' | 'B' } | null;

export interface RankBytes {
  params: number;
  grads: number;
  optimizer: number;
}

/**
 * Ring all-reduce: every rank returns the element-wise sum of all ranks' `x` (do not rely on `x` afterwards).
 * Cut x into p chunks (chunk c = [floor(c·n/p), floor((c+1)·n/p))). Reduce-scatter, p − 1 steps: at step s,
 * send chunk (rank − s) mod p to the next rank, receive chunk (rank − s − 1) mod p from the previous one and add
 * it to yours. Then all-gather, p − 1 steps: send chunk (rank + 1 − s) mod p, receive chunk (rank − s) mod p and
 * overwrite yours. Send before you receive.
 */
export function ringAllReduce(comm: Comm, x: Float32Array): Float32Array {
  return TODO('ringAllReduce: reduce-scatter, then all-gather, around the ring');
}

/** Data parallelism: the mean over the ranks of each rank's gradient (one all-reduce, then divide by world). */
export function averageGradients(comm: Comm, grad: Float32Array): Float32Array {
  return TODO('averageGradients: all-reduce, then divide');
}

/**
 * Megatron's tensor-parallel MLP on x (tokens, d), row-major: W1 is split by columns (this rank has shard.w1,
 * (d, h), and shard.b1, (h)), W2 by rows (shard.w2, (h, d)); shard.b2 (d) is the whole bias. Compute this rank's
 * hidden units, its partial product, ONE all-reduce, and add the bias once. Every rank returns y (tokens, d).
 */
export function tensorParallelMLP(comm: Comm, x: Float32Array, tokens: number, shard: MlpShard): Float32Array {
  return TODO('tensorParallelMLP: column-parallel, row-parallel, one all-reduce, bias once');
}

/**
 * GPipe: `stages` pipeline stages, `micro` micro-batches. Return grid[tick][stage]: what each stage does at each
 * tick of a logical clock (one pass per slot). A stage's F of micro-batch m needs the previous stage's F of m at an
 * earlier tick; its B needs its own F of m and the next stage's B of m. No more ticks than needed.
 */
export function gpipeSchedule(stages: number, micro: number): Slot[][] {
  return TODO('gpipeSchedule: all forwards, then all backwards');
}

/**
 * ZeRO's memory ledger: bytes each rank holds of fp32 parameters (4 per value), fp32 gradients (4) and Adam's
 * m and v (8), for `numel` parameters on `world` ranks. Stage 1 shards the optimizer state, stage 2 also the
 * gradients, stage 3 also the parameters; a sharded tensor is cut in slices of ceil(numel / world) values.
 */
export function zeroLedger(stage: number, world: number, numel: number): RankBytes[] {
  return TODO('zeroLedger: what each stage shards');
}
