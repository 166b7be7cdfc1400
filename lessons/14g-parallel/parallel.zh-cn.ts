/**
 * 并行训练，用工作线程模拟。
 *
 * 这里的 rank 是线程，不是 GPU：检查会启动 p 个工作线程，每个线程加载本文件，并用它自己的 `comm` 调用你的函数。
 * 消息经过 SharedArrayBuffer 中的邮箱传递（Atomics 的 wait 和 notify）；每次等待都有时间上限，所以死锁会以一条
 * 消息结束，而不是一直挂起。算法与 NCCL、Megatron-LM、GPipe 和 DeepSpeed 运行的相同；只有“线路”是模拟的。
 *
 *   comm.rank, comm.world       本 rank 的编号（0 .. world − 1）和 rank 总数 p
 *   comm.send(to, data)         把一个 Float32Array 的副本放进 `to` 接收本 rank 消息的邮箱
 *                               （只有当上一条发给 `to` 的消息尚未被读取时才会等待）
 *   comm.recv(from)             取出 `from` 发给本 rank 的下一个 Float32Array（一直等到它到达）
 *
 * 可能用到的工具包函数：tensor(values, shape)、matmul、add、gelu，以及 `.data`（一个 Float32Array）。
 */
import { TODO, add, gelu, matmul, tensor } from '@llm-lab/kit';

export interface Comm {
  rank: number;
  world: number;
  send(to: number, data: Float32Array): void;
  recv(from: number): Float32Array;
}

/** 本 rank 持有的两层 MLP y = gelu(x W1 + b1) W2 + b2 的那一份（隐藏单元 [rank·h, (rank+1)·h)）。 */
export interface MlpShard {
  d: number;
  h: number;
  w1: Float32Array;
  b1: Float32Array;
  w2: Float32Array;
  b2: Float32Array;
}

/** 流水线调度中的一个槽位：null（空闲），或某个微批次的前向（F）/ 反向（B）计算。 */
export type Slot = { micro: number; pass: 'F' | 'B' } | null;

export interface RankBytes {
  params: number;
  grads: number;
  optimizer: number;
}

/**
 * 环形 all-reduce：每个 rank 返回所有 rank 的 `x` 的逐元素之和（之后不要再依赖 `x` 的内容）。
 * 把 x 切成 p 块（第 c 块 = [floor(c·n/p), floor((c+1)·n/p))）。reduce-scatter 共 p − 1 步：第 s 步把第
 * (rank − s) mod p 块发给下一个 rank，从上一个 rank 收到第 (rank − s − 1) mod p 块并加到自己的那块上。然后
 * all-gather 共 p − 1 步：发送第 (rank + 1 − s) mod p 块，收到第 (rank − s) mod p 块并覆盖自己的那块。
 * 先发送，再接收。
 */
export function ringAllReduce(comm: Comm, x: Float32Array): Float32Array {
  return TODO('ringAllReduce: reduce-scatter, then all-gather, around the ring');
}

/** 数据并行：各 rank 梯度在所有 rank 上的平均（一次 all-reduce，然后除以 world）。 */
export function averageGradients(comm: Comm, grad: Float32Array): Float32Array {
  return TODO('averageGradients: all-reduce, then divide');
}

/**
 * Megatron 的张量并行 MLP，输入 x 形状为 (tokens, d)，按行优先存储：W1 按列切分（本 rank 持有 shard.w1，
 * (d, h)，以及 shard.b1，(h)），W2 按行切分（shard.w2，(h, d)）；shard.b2 (d) 是完整的偏置。计算本 rank 的
 * 隐藏单元和部分乘积，做一次（仅一次）all-reduce，再把偏置加一次。每个 rank 都返回 y (tokens, d)。
 */
export function tensorParallelMLP(comm: Comm, x: Float32Array, tokens: number, shard: MlpShard): Float32Array {
  return TODO('tensorParallelMLP: column-parallel, row-parallel, one all-reduce, bias once');
}

/**
 * GPipe：`stages` 个流水线阶段，`micro` 个微批次。返回 grid[tick][stage]：逻辑时钟的每个时刻各阶段在做什么
 * （每个槽位一个计算）。某阶段对微批次 m 的 F 需要上一阶段对 m 的 F 在更早的时刻完成；它的 B 需要自己对 m 的 F
 * 和下一阶段对 m 的 B。时刻数不要多于所需。
 */
export function gpipeSchedule(stages: number, micro: number): Slot[][] {
  return TODO('gpipeSchedule: all forwards, then all backwards');
}

/**
 * ZeRO 的内存账本：`numel` 个参数分布在 `world` 个 rank 上时，每个 rank 持有的 fp32 参数（每个值 4 字节）、
 * fp32 梯度（4 字节）和 Adam 的 m 与 v（8 字节）的字节数。阶段 1 切分优化器状态，阶段 2 再切分梯度，阶段 3 再切分
 * 参数；被切分的张量按每片 ceil(numel / world) 个值切开。
 */
export function zeroLedger(stage: number, world: number, numel: number): RankBytes[] {
  return TODO('zeroLedger: what each stage shards');
}
