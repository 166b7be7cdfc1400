/**
 * The parallel-training lesson's course code: the simulated "network" (mailboxes in a SharedArrayBuffer, Atomics
 * with a time limit), the program every rank thread runs (`parallelRankMain`), and the references the checks
 * compare against (computed on the main thread, in float64 where it matters).
 *
 * Ranks are worker threads (ctx.threads, src/harness/threads.ts). Each ordered pair of ranks (from, to) has one
 * mailbox: a flag (0 empty, 1 full), a length, and room for `capacity` float32 values. `send` waits until the
 * mailbox is empty, copies, and sets the flag; `recv` waits until it is full, copies out, and empties it. Every
 * wait has a time limit: a collective that deadlocks ends with a clear message instead of hanging.
 */
import { say, t } from '@llm-lab/check';
import { add, gelu, matmul, tensor } from '@llm-lab/kit';

/** What a rank's code sees of the others. */
export interface ParallelComm {
  rank: number;
  world: number;
  /** Puts a copy of `data` in `to`'s mailbox from this rank (waits while the previous message is unread). */
  send(to: number, data: Float32Array): void;
  /** Takes the next message `from` sent to this rank (waits until there is one). */
  recv(from: number): Float32Array;
}

/** The name of the error a wait past its time limit throws. */
export const PARALLEL_TIMEOUT = 'ParallelTimeout';

const HEADER = (w: number) => 2 * w * w + 2 * w + 1; // flags+lengths per pair, bytes and sends per rank, barrier

/** Shared memory for `world` ranks exchanging messages of at most `capacity` floats. */
export function parallelMailboxes(world: number, capacity: number): SharedArrayBuffer {
  return new SharedArrayBuffer(4 * HEADER(world) + 4 * world * world * capacity);
}

/** Bytes and messages each rank sent (read on the main thread after the ranks finished). */
export function parallelTraffic(sab: SharedArrayBuffer, world: number): { bytes: number[]; sends: number[] } {
  const i32 = new Int32Array(sab, 0, HEADER(world));
  const base = 2 * world * world;
  return { bytes: Array.from({ length: world }, (_, r) => i32[base + r]), sends: Array.from({ length: world }, (_, r) => i32[base + world + r]) };
}

/** The mailboxes holding a message nobody has read yet, as [from, to] pairs. */
export function parallelUnread(sab: SharedArrayBuffer, world: number): [number, number][] {
  const i32 = new Int32Array(sab, 0, HEADER(world));
  const out: [number, number][] = [];
  for (let from = 0; from < world; from++) for (let to = 0; to < world; to++) if (i32[2 * (from * world + to)] === 1) out.push([from, to]);
  return out;
}

function timeout(message: string): Error {
  const e = new Error(message);
  e.name = PARALLEL_TIMEOUT;
  return e;
}

/** Rank `rank`'s end of the mailboxes; a wait longer than `timeoutMs` throws `ParallelTimeout`. */
export function parallelComm(rank: number, world: number, sab: SharedArrayBuffer, timeoutMs: number): ParallelComm {
  const head = HEADER(world);
  const i32 = new Int32Array(sab, 0, head);
  const capacity = (sab.byteLength / 4 - head) / (world * world);
  const f32 = new Float32Array(sab, 4 * head);
  const base = 2 * world * world;
  const check = (other: number, what: string) => {
    if (!Number.isInteger(other) || other < 0 || other >= world || other === rank) {
      throw new Error(say(t(`rank ${rank}: ${what}(${other}): a rank is an integer from 0 to ${world - 1}, not this rank itself`, `rank ${rank}：${what}(${other})：rank 是 0 到 ${world - 1} 之间的整数，且不能是本 rank 自己`)));
    }
  };
  const waitWhile = (idx: number, value: number, what: string) => {
    const until = Date.now() + timeoutMs;
    while (Atomics.load(i32, idx) === value) {
      const left = until - Date.now();
      if (left <= 0 || Atomics.wait(i32, idx, value, left) === 'timed-out') {
        if (Atomics.load(i32, idx) !== value) break;
        throw timeout(what);
      }
    }
  };
  return {
    rank, world,
    send(to, data) {
      check(to, 'send');
      if (!(data instanceof Float32Array)) throw new Error(say(t(`rank ${rank}: send(${to}, data): data must be a Float32Array`, `rank ${rank}：send(${to}, data)：data 必须是 Float32Array`)));
      if (data.length > capacity) throw new Error(say(t(`rank ${rank}: send(${to}, data): ${data.length} values, more than a message holds here (${capacity})`, `rank ${rank}：send(${to}, data)：${data.length} 个值，超过了这里一条消息的容量（${capacity}）`)));
      const pair = rank * world + to;
      waitWhile(2 * pair, 1, say(t(`rank ${rank} waited ${timeoutMs / 1000} s to send to rank ${to}: its previous message was never received`, `rank ${rank} 等了 ${timeoutMs / 1000} 秒仍无法发送给 rank ${to}：上一条发给它的消息一直没有被接收`)));
      f32.set(data, pair * capacity);
      i32[2 * pair + 1] = data.length;
      Atomics.add(i32, base + rank, 4 * data.length);
      Atomics.add(i32, base + world + rank, 1);
      Atomics.store(i32, 2 * pair, 1);
      Atomics.notify(i32, 2 * pair);
    },
    recv(from) {
      check(from, 'recv');
      const pair = from * world + rank;
      waitWhile(2 * pair, 0, say(t(`rank ${rank} waited ${timeoutMs / 1000} s for a message from rank ${from} and none came`, `rank ${rank} 等了 ${timeoutMs / 1000} 秒，rank ${from} 的消息始终没有到来`)));
      const n = i32[2 * pair + 1];
      const out = f32.slice(pair * capacity, pair * capacity + n);
      Atomics.store(i32, 2 * pair, 0);
      Atomics.notify(i32, 2 * pair);
      return out;
    },
  };
}

/** Every rank waits here until all have arrived (thread start-up takes different times), up to `timeoutMs`. */
function barrier(rank: number, world: number, sab: SharedArrayBuffer, timeoutMs: number): void {
  const i32 = new Int32Array(sab, 0, HEADER(world));
  const at = HEADER(world) - 1;
  Atomics.add(i32, at, 1);
  Atomics.notify(i32, at);
  const until = Date.now() + timeoutMs;
  for (let seen = Atomics.load(i32, at); seen < world; seen = Atomics.load(i32, at)) {
    const left = until - Date.now();
    if (left <= 0) throw new Error(say(t(`rank ${rank}: the other threads did not start within ${timeoutMs / 1000} s`, `rank ${rank}：其他线程没有在 ${timeoutMs / 1000} 秒内启动`)));
    Atomics.wait(i32, at, seen, left);
  }
}

/** A shard of the tensor-parallel MLP: W1's columns and b1's entries of this rank, W2's rows of this rank, all of b2. */
export interface ParallelMlpShard {
  d: number;
  /** Hidden units of this rank (hidden / world). */
  h: number;
  w1: Float32Array; // (d, h), row-major
  b1: Float32Array; // (h)
  w2: Float32Array; // (h, d)
  b2: Float32Array; // (d)
}

/** What every check's ranks may be asked to do. */
export type ParallelTask =
  | { task: 'allreduce'; inputs: Float32Array[] }
  | { task: 'average'; inputs: Float32Array[] }
  | { task: 'tp-mlp'; x: Float32Array; tokens: number; shards: ParallelMlpShard[] }
  | { task: 'dp-train'; setup: ParallelRegression };

/** Learner functions the ranks call (the exercise's exports). */
interface RankLearner {
  ringAllReduce(comm: ParallelComm, x: Float32Array): Float32Array;
  averageGradients(comm: ParallelComm, grad: Float32Array): Float32Array;
  tensorParallelMLP(comm: ParallelComm, x: Float32Array, tokens: number, shard: ParallelMlpShard): Float32Array;
}

/** Time limit of one send or receive once every rank has started. */
export const PARALLEL_WAIT_MS = 1500;

/** The program of every rank thread (run by ctx.threads): one task of the exercise, with this rank's data. */
export function parallelRankMain(a: { rank: number; world: number; learner: Record<string, unknown>; data: ParallelTask; shared: SharedArrayBuffer[] }): unknown {
  const { rank, world, data } = a;
  const L = a.learner as unknown as RankLearner;
  barrier(rank, world, a.shared[0], 15_000);
  const comm = parallelComm(rank, world, a.shared[0], PARALLEL_WAIT_MS);
  const plain = (v: unknown, what: string): Float32Array => {
    if (!(v instanceof Float32Array)) throw new Error(say(t(`${what} must return a Float32Array`, `${what} 必须返回 Float32Array`)));
    return Float32Array.from(v);
  };
  switch (data.task) {
    case 'allreduce': return { out: plain(L.ringAllReduce(comm, Float32Array.from(data.inputs[rank])), 'ringAllReduce') };
    case 'average': return { out: plain(L.averageGradients(comm, Float32Array.from(data.inputs[rank])), 'averageGradients') };
    case 'tp-mlp': return { out: plain(L.tensorParallelMLP(comm, Float32Array.from(data.x), data.tokens, data.shards[rank]), 'tensorParallelMLP') };
    case 'dp-train': {
      // Each step's loss goes to shared[1] as soon as it is known, for the check's live curve.
      const live = a.shared[1] ? new Float64Array(a.shared[1]) : undefined;
      return parallelTrain(data.setup, rank, world, (g) => plain(L.averageGradients(comm, g), 'averageGradients'),
        (step, loss) => { if (live) live[rank * data.setup.steps + step] = loss; });
    }
  }
}

// ----- the references ------------------------------------------------------------------------------------------

/** The sum of the ranks' inputs, in float64. */
export function parallelSumReference(inputs: Float32Array[]): Float64Array {
  const out = new Float64Array(inputs[0].length);
  for (const x of inputs) for (let i = 0; i < x.length; i++) out[i] += x[i];
  return out;
}

/** erf(x) to about 1e-7 (Abramowitz and Stegun 7.1.26). */
function erf(x: number): number {
  const s = Math.sign(x), a = Math.abs(x), t = 1 / (1 + 0.3275911 * a);
  return s * (1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a));
}

/**
 * The full MLP y = gelu(x W1 + b1) W2 + b2 from the shards put back together, in the kit (float32): GELU in its tanh
 * form (the kit's gelu), or with `erfGelu` the exact x·Φ(x) of PyTorch's nn.GELU() default.
 */
export function parallelMlpReference(x: Float32Array, tokens: number, shards: ParallelMlpShard[], erfGelu = false): Float32Array {
  const { d } = shards[0];
  let y: Float32Array | undefined;
  const act = (v: ReturnType<typeof tensor>) => (erfGelu ? tensor(Float32Array.from(v.data, (z) => 0.5 * z * (1 + erf(z / Math.SQRT2))), v.shape) : gelu(v));
  for (const s of shards) {
    const h = act(add(matmul(tensor(x, [tokens, d]), tensor(s.w1, [d, s.h])), tensor(s.b1, [s.h])));
    const part = matmul(h, tensor(s.w2, [s.h, d])).data as Float32Array;
    if (!y) y = Float32Array.from(part); else for (let i = 0; i < y.length; i++) y[i] += part[i];
  }
  const out = y!;
  for (let t = 0; t < tokens; t++) for (let j = 0; j < d; j++) out[t * d + j] += shards[0].b2[j];
  return out;
}

/** Splits W1 (d, hidden) by columns, W2 (hidden, d) by rows: rank r gets hidden units [r·h, (r+1)·h). */
export function parallelMlpShards(world: number, d: number, hidden: number, random: () => number): ParallelMlpShard[] {
  const h = hidden / world;
  const r = (n: number, s: number) => Float32Array.from({ length: n }, () => (random() * 2 - 1) * s);
  const w1 = r(d * hidden, 0.5), b1 = r(hidden, 0.5), w2 = r(hidden * d, 0.5), b2 = Float32Array.from({ length: d }, () => 1 + random());
  return Array.from({ length: world }, (_, k) => {
    const s: ParallelMlpShard = { d, h, w1: new Float32Array(d * h), b1: b1.slice(k * h, (k + 1) * h), w2: w2.slice(k * h * d, (k + 1) * h * d), b2: Float32Array.from(b2) };
    for (let i = 0; i < d; i++) for (let j = 0; j < h; j++) s.w1[i * h + j] = w1[i * hidden + k * h + j];
    return s;
  });
}

/** A linear regression y = x W + b trained with plain SGD on the mean squared error: the data-parallel run's model. */
export interface ParallelRegression {
  inputs: number; outputs: number; batch: number; steps: number; lr: number;
  /** All the data: steps · batch rows of x (inputs) and y (outputs). */
  x: Float32Array; y: Float32Array;
  /** Initial parameters: W (inputs, outputs) then b (outputs), flat. */
  params: Float32Array;
}

export function parallelRegression(random: () => number, steps = 20, batch = 16, inputs = 8, outputs = 4): ParallelRegression {
  const n = steps * batch;
  const trueW = Float32Array.from({ length: inputs * outputs }, () => random() * 2 - 1);
  const x = Float32Array.from({ length: n * inputs }, () => random() * 2 - 1);
  const y = new Float32Array(n * outputs);
  for (let r = 0; r < n; r++) for (let o = 0; o < outputs; o++) {
    let s = 0.3;
    for (let i = 0; i < inputs; i++) s += x[r * inputs + i] * trueW[i * outputs + o];
    y[r * outputs + o] = s + 0.1 * (random() - 0.5);
  }
  return { inputs, outputs, batch, steps, lr: 0.1, x, y, params: new Float32Array(inputs * outputs + outputs) };
}

/** The gradient of the mean squared error over rows [from, to) of one step's batch, averaged over those rows. */
function regressionGrad(s: ParallelRegression, p: Float32Array, from: number, to: number): { grad: Float32Array; loss: number } {
  const { inputs: I, outputs: O } = s;
  const grad = new Float32Array(p.length);
  let loss = 0;
  const n = to - from;
  for (let r = from; r < to; r++) {
    for (let o = 0; o < O; o++) {
      let pred = p[I * O + o];
      for (let i = 0; i < I; i++) pred += s.x[r * I + i] * p[i * O + o];
      const err = pred - s.y[r * O + o];
      loss += err * err / n;
      const g = 2 * err / n;
      for (let i = 0; i < I; i++) grad[i * O + o] += g * s.x[r * I + i];
      grad[I * O + o] += g;
    }
  }
  return { grad, loss };
}

/**
 * `steps` SGD steps. With `average` (the data-parallel run): this rank takes its 1/world of each batch, and the
 * parameters move by the average of the ranks' gradients. Without: one process, the whole batch.
 */
export function parallelTrain(s: ParallelRegression, rank = 0, world = 1, average?: (g: Float32Array) => Float32Array,
  onStep?: (step: number, loss: number) => void): { params: Float32Array; losses: number[] } {
  const p = Float32Array.from(s.params);
  const losses: number[] = [];
  const per = s.batch / world;
  for (let step = 0; step < s.steps; step++) {
    const from = step * s.batch + rank * per;
    const { grad, loss } = regressionGrad(s, p, from, from + per);
    const g = average ? average(grad) : grad;
    if (g.length !== p.length) throw new Error(say(t(`averageGradients returned ${g.length} values for a gradient of ${p.length}`, `averageGradients 对含 ${p.length} 个值的梯度返回了 ${g.length} 个值`)));
    for (let i = 0; i < p.length; i++) p[i] -= s.lr * g[i];
    losses.push(loss);
    onStep?.(step, loss);
  }
  return { params: p, losses };
}

// ----- pipeline and ZeRO references -----------------------------------------------------------------------------

/** One slot of a pipeline schedule: stage `stage` runs the forward (F) or backward (B) pass of micro-batch `micro`. */
export interface ParallelSlot { micro: number; pass: 'F' | 'B' }

/** GPipe's bubble fraction: (p − 1) / (m + p − 1). */
export function parallelBubble(stages: number, micro: number): number {
  return (stages - 1) / (micro + stages - 1);
}

/** Bytes per rank under ZeRO stage 0-3: fp32 parameters (4), fp32 gradients (4), Adam's m and v (8), sharded in ceil(N/p) slices. */
export function parallelZeroReference(stage: number, world: number, numel: number): { params: number; grads: number; optimizer: number }[] {
  const c = Math.ceil(numel / world);
  return Array.from({ length: world }, (_, r) => {
    const shard = Math.max(0, Math.min(numel, (r + 1) * c) - r * c);
    return { params: 4 * (stage >= 3 ? shard : numel), grads: 4 * (stage >= 2 ? shard : numel), optimizer: 8 * (stage >= 1 ? shard : numel) };
  });
}

/** Runs one task in `world` rank threads; returns each rank's result and the traffic ledger. */
export async function parallelRun<R>(ctx: { threads?: (n: number, r: { course: string; entry: string; data?: unknown; shared?: SharedArrayBuffer[]; timeoutMs?: number }) => Promise<unknown[]> },
  world: number, data: ParallelTask, capacity: number, timeoutMs = 20_000): Promise<{ results: R[]; bytes: number[]; sends: number[] }> {
  if (!ctx.threads) throw new Error('this check runs your code in worker threads: it needs the LLM Lab runner');
  const sab = parallelMailboxes(world, capacity);
  const results = (await ctx.threads(world, { course: 'scale', entry: 'parallelRankMain', data, shared: [sab], timeoutMs })) as R[];
  return { results, ...parallelTraffic(sab, world) };
}
