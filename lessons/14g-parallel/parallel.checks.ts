/**
 * Checks for the parallel-training lesson (parallel/parallel). Ranks are worker threads (ctx.threads): every rank
 * thread loads your file with the same rules as the main thread and runs the course's rank program
 * (@llm-lab/course/scale parallelRankMain), which calls your function with a Comm over SharedArrayBuffer mailboxes.
 * Every send and receive waits at most PARALLEL_WAIT_MS once all ranks have started: a deadlock ends as a failure.
 * The ranks' results come back as data and are compared HERE, on the main thread, against references computed here
 * (float64 sums, the full MLP, single-process SGD). Bytes sent are counted by the course's send(); a rank's own code
 * runs in the same thread and could overwrite those counters: they measure honest code, they are not a defence.
 *
 * Which check names which catalogued mistake (lessons/14g-parallel/mistakes.ts):
 *   check                                              names
 *   ringAllReduce: every rank gets the sum ...         deadlock
 *   ringAllReduce: p = 3 ... and p = 2                 deadlock
 *   averageGradients: the mean ...                     averaged-twice, not-averaged, deadlock
 *   tensorParallelMLP: the full MLP ...                bias-every-rank, two-allreduces, deadlock
 *   gpipeSchedule: ...                                 (plain words: which pass, which dependency, the bubble)
 *   zeroLedger: ...                                    (plain words: which stage, rank and field)
 *   data-parallel training (live) ...                  averaged-twice, not-averaged
 * `deadlock` is named only when a wait timed out while every mailbox was empty (each rank waits for a message nobody
 * sent); a wait for the wrong sender (unread messages left in mailboxes) is said in plain words.
 * Accepted as well: PyTorch's erf GELU in the tensor-parallel MLP; the bias added on rank 0 only, before the
 * all-reduce (Megatron-LM); DeepSpeed's padded ZeRO slices; any partition of the ring's chunks; any valid schedule
 * with GPipe's bubble (1F1B included).
 * Not catalogued, said in plain words: wrong sums on some ranks or chunks, wrong message counts or bytes, a wrong
 * MLP output otherwise, schedules that break a dependency or idle more than GPipe, ledgers off in one field.
 */
import { type CheckContext, type Text, defineChecks, fail, mistake, t } from '@llm-lab/check';
import {
  PARALLEL_TIMEOUT, type ParallelTask, parallelBubble, parallelMailboxes, parallelMlpReference, parallelMlpShards, parallelRegression,
  parallelSumReference, parallelTraffic, parallelTrain, parallelUnread, parallelZeroReference,
} from '@llm-lab/course/scale';
import { NotImplementedError } from '@llm-lab/kit';
import { PARALLEL_MISTAKES as M } from './mistakes';

type Learner = typeof import('./parallel');

const randoms = (n: number, random: () => number) => Float32Array.from({ length: n }, () => Math.round((random() * 2 - 1) * 1000) / 100);

/** A rank's TODO becomes the kit's NotImplementedError here, so the runner says "not implemented yet" as anywhere else. */
function untodo(e: unknown): void {
  const err = e as Error;
  const todo = err?.name === 'NotImplementedError' ? /TODO\((.*)\): not implemented yet/.exec(err.message) : null;
  if (todo) throw new NotImplementedError(todo[1]);
}

/** Runs one task in `world` rank threads; a time-out becomes the deadlock mistake or a plain message. */
async function ranks(ctx: CheckContext, world: number, data: ParallelTask, capacity: number): Promise<{ out: Float32Array[]; bytes: number[]; sends: number[] }> {
  if (!ctx.threads) throw new Error('this check runs your code in worker threads: it needs the LLM Lab runner');
  const sab = parallelMailboxes(world, capacity);
  try {
    const results = (await ctx.threads(world, { course: 'scale', entry: 'parallelRankMain', data, shared: [sab], timeoutMs: 20_000 })) as { out: Float32Array }[];
    return { out: results.map((r) => r.out), ...parallelTraffic(sab, world) };
  } catch (e) {
    untodo(e);
    const err = e as Error;
    if (err?.name !== PARALLEL_TIMEOUT) throw e;
    const { sends } = parallelTraffic(sab, world);
    const unread = parallelUnread(sab, world);
    // Every mailbox empty while ranks wait: each waits for a message nobody sent (a true deadlock). A message left
    // unread means some rank waits on the wrong sender instead: said in plain words.
    if (unread.length === 0) {
      fail(t(`${M.deadlock.message.en} (${err.message}; messages sent per rank before it: ${sends.join(', ')})`, `${M.deadlock.message['zh-cn']}（${err.message}；此前每个 rank 发送的消息数：${sends.join(', ')}）`), { hint: M.deadlock.hint });
    }
    const list = unread.map(([a, b]) => `${a} → ${b}`).join(', ');
    fail(t(`A rank waited for a message that never came (${err.message}), while messages nobody received were waiting (from → to: ${list}). Each receive must name the rank that sent to it: the previous rank in the ring, as often as that rank sends.`,
      `有一个 rank 在等待一条永远不会到来的消息（${err.message}），而另一些消息一直没有被接收（发送方 → 接收方：${list}）。每次接收都必须指定向它发送的那个 rank：环上的前一个 rank，次数与对方发送的次数相同。`));
  }
}

function worstDiff(a: ArrayLike<number>, b: ArrayLike<number>): { at: number; diff: number } {
  let at = -1, diff = 0;
  if (a.length !== b.length) return { at: -1, diff: Infinity };
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= diff)) { diff = d; at = i; }
  }
  return { at, diff };
}

const near = (a: ArrayLike<number>, b: ArrayLike<number>, tol: number) => worstDiff(a, b).diff <= tol;

/** Every rank's result against the expected array; `diagnose` may name a mistake first. */
function expectEveryRank(out: Float32Array[], expected: ArrayLike<number>, what: Text, tol: number, diagnose?: (o: Float32Array) => void): void {
  out.forEach((o, rank) => {
    if (o.length !== expected.length) fail(t(`${what.en}: rank ${rank} returned ${o.length} values, expected ${expected.length}.`, `${what['zh-cn']}：rank ${rank} 返回了 ${o.length} 个值，应为 ${expected.length} 个。`));
    const { at, diff } = worstDiff(o, expected);
    if (diff > tol) {
      diagnose?.(o);
      fail(t(`${what.en}: rank ${rank} is wrong at index ${at}: ${o[at]} instead of ${Number(expected[at]).toPrecision(7)} (off by ${diff.toPrecision(3)}).`,
        `${what['zh-cn']}：rank ${rank} 在下标 ${at} 处出错：得到 ${o[at]}，应为 ${Number(expected[at]).toPrecision(7)}（相差 ${diff.toPrecision(3)}）。`));
    }
  });
}

async function checkAllReduce(ctx: CheckContext, world: number, n: number, ledger: boolean): Promise<void> {
  const inputs = Array.from({ length: world }, () => randoms(n, ctx.random));
  const ref = parallelSumReference(inputs);
  const tol = 1e-5 * Math.max(1, ...Array.from(ref, Math.abs));
  const { out, bytes, sends } = await ranks(ctx, world, { task: 'allreduce', inputs }, n);
  expectEveryRank(out, ref, t(`ringAllReduce with p = ${world}, n = ${n}`, `p = ${world}、n = ${n} 时的 ringAllReduce`), tol);
  const steps = 2 * (world - 1);
  if (ledger) {
    const expected = (2 * (world - 1) / world) * n * 4;
    ctx.artifact({
      kind: 'table', title: t(`Ring all-reduce, p = ${world}, n = ${n} floats: what each rank sent`, `环形 all-reduce，p = ${world}，n = ${n} 个浮点数：每个 rank 发送的数据`),
      columns: [t('rank', 'rank'), t('messages', '消息数'), t('bytes sent', '发送字节数'), t('2(p−1)/p · n · 4', '2(p−1)/p · n · 4')],
      rows: bytes.map((b, r) => [r, sends[r], b, expected]),
    });
    bytes.forEach((b, r) => {
      if (sends[r] !== steps || b !== expected) {
        fail(t(`Rank ${r} sent ${sends[r]} messages and ${b} bytes; a ring all-reduce sends 2(p − 1) = ${steps} messages of n/p values each: ${expected} bytes (n = ${n}, p = ${world}).`,
          `rank ${r} 发送了 ${sends[r]} 条消息、${b} 字节；环形 all-reduce 发送 2(p − 1) = ${steps} 条消息，每条 n/p 个值：共 ${expected} 字节（n = ${n}，p = ${world}）。`));
      }
    });
  } else {
    const total = bytes.reduce((a, b) => a + b, 0);
    const expectedTotal = 2 * (world - 1) * n * 4; // every chunk is sent 2(p − 1) times in all, however n is cut
    if (total !== expectedTotal || sends.some((s) => s !== steps)) {
      fail(t(`The ranks sent ${sends.join(', ')} messages and ${total} bytes in all; a ring all-reduce sends every chunk 2(p − 1) times in all, however n is cut into p chunks: ${steps} messages per rank and ${expectedTotal} bytes in all (n = ${n}, p = ${world}).`,
        `各 rank 发送了 ${sends.join(', ')} 条消息，共 ${total} 字节；无论 n 怎样切成 p 块，环形 all-reduce 中每块总共被发送 2(p − 1) 次：每个 rank 发送 ${steps} 条消息，共 ${expectedTotal} 字节（n = ${n}，p = ${world}）。`));
    }
  }
}

/** Whether a schedule is valid; the measured bubble (idle stage slots / all stage slots). */
function measureSchedule(grid: unknown, p: number, m: number): number {
  const where = t(`gpipeSchedule(${p}, ${m})`, `gpipeSchedule(${p}, ${m})`);
  if (!Array.isArray(grid) || grid.length === 0) fail(t(`${where.en} must return an array of time steps (rows), each an array of ${p} slots.`, `${where['zh-cn']} 必须返回一个时间步（行）的数组，每行是 ${p} 个槽位的数组。`));
  const done = new Map<string, number>();
  grid.forEach((row: unknown, tick: number) => {
    if (!Array.isArray(row) || row.length !== p) fail(t(`${where.en}: row ${tick} must hold one slot per stage (${p}).`, `${where['zh-cn']}：第 ${tick} 行必须每个阶段一个槽位（共 ${p} 个）。`));
    row.forEach((slot: unknown, s: number) => {
      if (slot === null) return;
      const { micro, pass } = slot as { micro: number; pass: string };
      if (!Number.isInteger(micro) || micro < 0 || micro >= m || (pass !== 'F' && pass !== 'B')) {
        fail(t(`${where.en}: tick ${tick}, stage ${s} holds ${JSON.stringify(slot)}; a slot is null or { micro: 0..${m - 1}, pass: 'F' | 'B' }.`, `${where['zh-cn']}：时刻 ${tick}、阶段 ${s} 的内容是 ${JSON.stringify(slot)}；槽位应为 null 或 { micro: 0..${m - 1}, pass: 'F' | 'B' }。`));
      }
      const key = `${pass}${s}:${micro}`;
      if (done.has(key)) fail(t(`${where.en}: stage ${s} runs ${pass} of micro-batch ${micro} twice (ticks ${done.get(key)} and ${tick}).`, `${where['zh-cn']}：阶段 ${s} 把微批次 ${micro} 的 ${pass} 运行了两次（时刻 ${done.get(key)} 和 ${tick}）。`));
      const needs = pass === 'F' ? (s > 0 ? [`F${s - 1}:${micro}`] : []) : [`F${s}:${micro}`, ...(s < p - 1 ? [`B${s + 1}:${micro}`] : [])];
      for (const need of needs) {
        const at = done.get(need);
        if (at === undefined || at >= tick) {
          fail(t(`${where.en}: stage ${s} runs ${pass} of micro-batch ${micro} at tick ${tick}, before what it needs (${need.replace(':', ' of micro-batch ')}) has run at an earlier tick.`,
            `${where['zh-cn']}：阶段 ${s} 在时刻 ${tick} 运行微批次 ${micro} 的 ${pass}，但它依赖的计算（阶段与微批次 ${need}）还没有在更早的时刻完成。`));
        }
      }
      done.set(key, tick);
    });
  });
  if (done.size !== 2 * p * m) fail(t(`${where.en}: ${done.size} passes are scheduled; every stage must run F and B of every micro-batch: ${2 * p * m}.`, `${where['zh-cn']}：只安排了 ${done.size} 个计算；每个阶段都要对每个微批次运行 F 和 B：共 ${2 * p * m} 个。`));
  let idle = 0;
  for (const row of grid as unknown[][]) for (const slot of row) if (slot === null) idle++;
  return idle / (p * grid.length);
}

export default defineChecks<Learner>({
  exports: ['ringAllReduce', 'averageGradients', 'tensorParallelMLP', 'gpipeSchedule', 'zeroLedger'],
  checks: [
    {
      name: t('ringAllReduce: every rank gets the sum, 2(p − 1)/p · n · 4 bytes sent per rank', 'ringAllReduce：每个 rank 都得到总和，每个 rank 发送 2(p − 1)/p · n · 4 字节'),
      task: 'ringAllReduce', timeoutSeconds: 20,
      run: (_m, ctx) => checkAllReduce(ctx, 4, 1024, true),
    },
    {
      name: t('ringAllReduce: p = 3 with a length not divisible by 3, and p = 2', 'ringAllReduce：p = 3 且长度不能被 3 整除，以及 p = 2'),
      task: 'ringAllReduce', timeoutSeconds: 20,
      run: async (_m, ctx) => { await checkAllReduce(ctx, 3, 10, false); await checkAllReduce(ctx, 2, 7, false); },
    },
    {
      name: t('averageGradients: the mean of the ranks\' gradients', 'averageGradients：各 rank 梯度的平均值'),
      task: 'averageGradients', timeoutSeconds: 20,
      run: async (_m, ctx) => {
        const world = 3, n = 12;
        const inputs = Array.from({ length: world }, () => randoms(n, ctx.random));
        const sum = parallelSumReference(inputs);
        const mean = sum.map((v) => v / world);
        const tol = 1e-5 * Math.max(1, ...Array.from(sum, Math.abs));
        const { out } = await ranks(ctx, world, { task: 'average', inputs }, n);
        expectEveryRank(out, mean, t(`averageGradients with p = ${world}`, `p = ${world} 时的 averageGradients`), tol, (o) => {
          if (near(o, mean.map((v) => v / world), tol)) fail(...mistake(M['averaged-twice']));
          if (near(o, sum, tol)) fail(...mistake(M['not-averaged']));
        });
      },
    },
    {
      name: t('tensorParallelMLP: the full MLP, with one all-reduce and the bias once', 'tensorParallelMLP：与完整 MLP 相同，只用一次 all-reduce，偏置只加一次'),
      task: 'tensorParallelMLP', timeoutSeconds: 20,
      run: async (_m, ctx) => {
        const world = 4, d = 8, hidden = 16, tokens = 5;
        const shards = parallelMlpShards(world, d, hidden, ctx.random);
        const x = randoms(tokens * d, ctx.random).map((v) => v / 10);
        const ref = parallelMlpReference(x, tokens, shards);
        const tol = 1e-4 * Math.max(1, ...Array.from(ref, Math.abs));
        const { out, bytes } = await ranks(ctx, world, { task: 'tp-mlp', x, tokens, shards }, tokens * Math.max(d, hidden));
        // PyTorch's nn.GELU() (erf, the exact x·Φ(x)) is accepted as well as the tanh form of the kit's gelu.
        const erfRef = parallelMlpReference(x, tokens, shards, true);
        const expected = out.every((o) => near(o, erfRef, tol)) ? erfRef : ref;
        expectEveryRank(out, expected, t('tensorParallelMLP', 'tensorParallelMLP'), tol, (o) => {
          for (const base of [ref, erfRef]) {
            if (near(o, base.map((v, i) => v + (world - 1) * shards[0].b2[i % d]), tol)) fail(...mistake(M['bias-every-rank']));
          }
        });
        const one = (2 * (world - 1) / world) * tokens * d * 4;
        ctx.artifact({
          kind: 'table', title: t(`Tensor-parallel MLP, p = ${world}: bytes each rank sent in the forward pass`, `张量并行 MLP，p = ${world}：前向计算中每个 rank 发送的字节数`),
          columns: [t('rank', 'rank'), t('bytes sent', '发送字节数'), t('one all-reduce of (T, d)', '对 (T, d) 做一次 all-reduce')],
          rows: bytes.map((b, r) => [r, b, one]),
        });
        if (bytes.some((b) => b > one)) fail(...mistake(M['two-allreduces']));
        if (bytes.some((b) => b !== one)) {
          fail(t(`The ranks sent ${bytes.join(', ')} bytes; one ring all-reduce of the (T, d) = (${tokens}, ${d}) output sends ${one} bytes per rank.`,
            `各 rank 发送了 ${bytes.join(', ')} 字节；对 (T, d) = (${tokens}, ${d}) 的输出做一次环形 all-reduce，每个 rank 发送 ${one} 字节。`));
        }
      },
    },
    {
      name: t('gpipeSchedule: every pass once, in dependency order, with the bubble (p − 1)/(m + p − 1)', 'gpipeSchedule：每个计算恰好一次，遵守依赖顺序，气泡比例为 (p − 1)/(m + p − 1)'),
      task: 'gpipeSchedule',
      run: (m, ctx) => {
        const rows: (string | number)[][] = [];
        for (const [p, mb] of [[4, 8], [2, 1], [3, 5], [1, 3], [4, 4]]) {
          const bubble = measureSchedule(m.gpipeSchedule(p, mb), p, mb);
          const want = parallelBubble(p, mb);
          rows.push([p, mb, bubble.toFixed(4), want.toFixed(4)]);
          if (Math.abs(bubble - want) > 1e-12) {
            fail(t(`gpipeSchedule(${p}, ${mb}) is valid, but its measured bubble (idle stage slots / all stage slots) is ${bubble.toFixed(4)}; GPipe's is (p − 1)/(m + p − 1) = ${want.toFixed(4)}: some stage idles where it could run.`,
              `gpipeSchedule(${p}, ${mb}) 是合法的，但测得的气泡比例（空闲槽位 / 全部槽位）是 ${bubble.toFixed(4)}；GPipe 的是 (p − 1)/(m + p − 1) = ${want.toFixed(4)}：有阶段在本可以计算的时候空闲。`));
          }
        }
        const grid = m.gpipeSchedule(4, 8);
        ctx.artifact({
          kind: 'table', title: t('GPipe, 4 stages, 8 micro-batches: who runs what at each tick (· = idle)', 'GPipe，4 个阶段、8 个微批次：每个时刻各阶段在做什么（· = 空闲）'),
          columns: [t('stage', '阶段'), ...grid.map((_, i) => `${i}`)],
          rows: [0, 1, 2, 3].map((s) => [s, ...grid.map((row) => (row[s] ? `${row[s]!.pass}${row[s]!.micro}` : '·'))]),
        });
        ctx.artifact({
          kind: 'table', title: t('Measured bubble (logical clock) and (p − 1)/(m + p − 1)', '测得的气泡比例（逻辑时钟）与 (p − 1)/(m + p − 1)'),
          columns: [t('stages p', '阶段数 p'), t('micro-batches m', '微批次数 m'), t('measured', '测得'), t('(p − 1)/(m + p − 1)', '(p − 1)/(m + p − 1)')], rows,
        });
      },
    },
    {
      name: t('zeroLedger: bytes of parameters, gradients and Adam state per rank, stages 0 to 3', 'zeroLedger：每个 rank 的参数、梯度和 Adam 状态字节数，阶段 0 到 3'),
      task: 'zeroLedger',
      run: (m, ctx) => {
        for (const [world, numel] of [[4, 1000], [3, 10], [4, 2], [8, 124_439_808], [1, 5]]) {
          for (const stage of [0, 1, 2, 3]) {
            const got = m.zeroLedger(stage, world, numel);
            const unpadded = parallelZeroReference(stage, world, numel);
            // DeepSpeed's way is accepted too: the flat parameters padded to a multiple of world, every slice ⌈numel/world⌉.
            const padded = parallelZeroReference(stage, world, Math.ceil(numel / world) * world).map((e) => ({
              params: stage >= 3 ? e.params : 4 * numel, grads: stage >= 2 ? e.grads : 4 * numel, optimizer: stage >= 1 ? e.optimizer : 8 * numel }));
            const same = (w: typeof unpadded) => Array.isArray(got) && w.every((e, r) => got[r]?.params === e.params && got[r]?.grads === e.grads && got[r]?.optimizer === e.optimizer);
            if (same(padded) && !same(unpadded)) continue;
            const want = unpadded;
            if (!Array.isArray(got) || got.length !== world) fail(t(`zeroLedger(${stage}, ${world}, ${numel}) must return one entry per rank (${world}).`, `zeroLedger(${stage}, ${world}, ${numel}) 必须为每个 rank 返回一项（共 ${world} 项）。`));
            want.forEach((w, r) => {
              for (const k of ['params', 'grads', 'optimizer'] as const) {
                if (got[r]?.[k] !== w[k]) {
                  fail(t(`zeroLedger(stage ${stage}, world ${world}, numel ${numel}): rank ${r} holds ${got[r]?.[k]} bytes of ${k}, expected ${w[k]} (fp32 parameters and gradients, 4 bytes each; Adam's m and v, 8 bytes; a sharded tensor is cut in slices of ⌈numel/world⌉ values, the last ones shorter or empty).`,
                    `zeroLedger(阶段 ${stage}，world ${world}，numel ${numel})：rank ${r} 的 ${k} 为 ${got[r]?.[k]} 字节，应为 ${w[k]}（fp32 参数和梯度各 4 字节；Adam 的 m 和 v 共 8 字节；切分的张量按每片 ⌈numel/world⌉ 个值切开，最后几片更短或为空）。`));
                }
              }
            });
          }
        }
        // The ledger drawn: GPT-2 small's parameter count on 4 ranks (every rank holds the same: 4 divides it), and a
        // tiny uneven case where the last slice is shorter.
        const N = 124_439_808, W = 4, MB = (b: number) => Math.round(b / 1e5) / 10;
        const stages = [0, 1, 2, 3].map((s) => m.zeroLedger(s, W, N));
        const total = (e: { params: number; grads: number; optimizer: number }) => e.params + e.grads + e.optimizer;
        const sharded = [t('nothing', '不切分'), t('Adam m + v', 'Adam m + v'), t('+ gradients', '+ 梯度'), t('+ parameters', '+ 参数')];
        ctx.artifact({
          kind: 'table', title: t(`ZeRO memory ledger: ${N.toLocaleString('en')} parameters (GPT-2 small), fp32 Adam, ${W} ranks: MB (10⁶ bytes) held by each rank`,
            `ZeRO 内存账本：${N.toLocaleString('en')} 个参数（GPT-2 small），fp32 Adam，${W} 个 rank：每个 rank 持有的 MB（10⁶ 字节）`),
          columns: [t('ZeRO stage', 'ZeRO 阶段'), t('sharded', '切分的部分'), t('parameters', '参数'), t('gradients', '梯度'), t('Adam m + v', 'Adam m + v'), t('total per rank', '每个 rank 合计'), t('of stage 0', '相对阶段 0')],
          // The first cell is a string: the runner localizes a row's Text cells unless the row starts with a number.
          rows: stages.map((l, s) => [`${s}`, sharded[s], MB(l[0].params), MB(l[0].grads), MB(l[0].optimizer), MB(total(l[0])), `${Math.round((100 * total(l[0])) / total(stages[0][0]))} %`]),
        });
        ctx.artifact({
          kind: 'bars', title: t(`Bytes held per rank (MB), ZeRO stages 0–3, ${W} ranks`, `每个 rank 持有的字节数（MB），ZeRO 阶段 0–3，${W} 个 rank`),
          labels: [0, 1, 2, 3].map((s) => t(`stage ${s}`, `阶段 ${s}`)),
          values: stages.map((l) => MB(total(l[0]))),
        });
        const small = m.zeroLedger(3, 3, 10);
        ctx.artifact({
          kind: 'table', title: t('Stage 3, 10 parameters on 3 ranks: slices of ⌈10/3⌉ = 4 values, the last one shorter (bytes)', '阶段 3，10 个参数、3 个 rank：每片 ⌈10/3⌉ = 4 个值，最后一片更短（字节）'),
          columns: [t('rank', 'rank'), t('parameters', '参数'), t('gradients', '梯度'), t('Adam m + v', 'Adam m + v'), t('total', '合计')],
          rows: small.map((e, r) => [r, e.params, e.grads, e.optimizer, total(e)]),
        });
      },
    },
    {
      name: t('data-parallel training (live): 4 ranks, parameters after 20 steps equal one process\'s', '数据并行训练（实时）：4 个 rank，20 步后的参数与单进程相同'),
      task: 'averageGradients', timeoutSeconds: 30,
      run: async (_m, ctx) => {
        const world = 4;
        const setup = parallelRegression(ctx.random);
        const single = parallelTrain(setup);
        if (!ctx.threads) throw new Error('this check runs your code in worker threads: it needs the LLM Lab runner');
        const sab = parallelMailboxes(world, setup.params.length);
        const steps = setup.steps;
        // The ranks write each step's loss here: the curve grows while they train.
        const lossBuffer = new SharedArrayBuffer(8 * world * steps);
        const lossOf = new Float64Array(lossBuffer).fill(NaN);
        const draw = () => {
          const dpLoss: number[] = [];
          for (let i = 0; i < steps; i++) {
            let sum = 0;
            for (let r = 0; r < world; r++) sum += lossOf[r * steps + i];
            if (Number.isNaN(sum)) break;
            dpLoss.push(sum / world);
          }
          ctx.progress({
            kind: 'curve', title: t('Training loss: one process vs 4 data-parallel ranks', '训练损失：单进程与 4 个数据并行 rank'),
            xLabel: t('step', '步数'), yLabel: t('mean squared error', '均方误差'),
            series: [{ name: t('one process, whole batch', '单进程，整批'), x: single.losses.map((_, i) => i), y: single.losses },
              { name: t('4 ranks, mean of their shards', '4 个 rank，各自分片的平均'), x: dpLoss.map((_, i) => i), y: dpLoss }],
          });
        };
        const timer = setInterval(draw, 100);
        let results: { params: Float32Array; losses: number[] }[];
        try {
          results = (await ctx.threads(world, { course: 'scale', entry: 'parallelRankMain', data: { task: 'dp-train', setup }, shared: [sab, lossBuffer], timeoutMs: 25_000 })) as typeof results;
        } catch (e) {
          untodo(e);
          if ((e as Error)?.name === PARALLEL_TIMEOUT) fail(t(`A rank waited for a message that never came: ${(e as Error).message}.`, `有一个 rank 在等待一条永远不会到来的消息：${(e as Error).message}。`));
          throw e;
        } finally {
          clearInterval(timer);
          draw();
        }
        const tol = 1e-5;
        results.forEach((r, rank) => {
          const { at, diff } = worstDiff(r.params, single.params);
          if (diff <= tol) return;
          const scaled = (f: number) => parallelTrain({ ...setup, lr: setup.lr * f }).params;
          if (near(r.params, scaled(1 / world), 1e-4)) fail(...mistake(M['averaged-twice']));
          if (near(r.params, scaled(world), 1e-4)) fail(...mistake(M['not-averaged']));
          fail(t(`After ${steps} steps, rank ${rank}'s parameter ${at} is ${r.params[at]}; one process training on the whole batches has ${single.params[at]} (off by ${diff.toPrecision(3)}).`,
            `${steps} 步之后，rank ${rank} 的第 ${at} 个参数是 ${r.params[at]}；单进程在整批数据上训练得到的是 ${single.params[at]}（相差 ${diff.toPrecision(3)}）。`));
        });
      },
    },
  ],
});
