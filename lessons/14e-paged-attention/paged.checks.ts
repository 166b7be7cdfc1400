/**
 * Checks for the PagedAttention lesson (paged-attention/paged): the block allocator, slots through the block
 * table, blocks on demand, a shared prefix with copy-on-write and frees, attention through the block table,
 * the bundled model decoding three sequences that share a prompt, and the memory a paged cache needs against
 * a contiguous one.
 *
 * Independent references (@llm-lab/course/scale): `PagedRefPool` keeps the books by the lesson's stated rules
 * (free list taken from the front and refilled at the back, reference counts, copy-on-write of a shared
 * partial last block, blocks released first to last); the logits reference is the KV-cache lesson's
 * contiguous cache (one list of keys and values per layer, attention in float64). Every pool a check hands
 * to the learner is built by the check; expectations are computed from copies taken before the learner's
 * code runs.
 *
 * Which check names which catalogued mistake (PAGED_MISTAKES):
 *
 *   check                                                     catalogued mistakes it names
 *   allocateBlock and releaseBlock: the free list ...         freed-while-shared
 *   slotOf: position p is in logical block floor(p / B) ...   block-boundary, table-physical
 *   appendSlots: blocks on demand ...                         partial-block, block-boundary, table-physical
 *   forkSequence and freeSequence: a shared prefix ...        freed-while-shared, no-copy-on-write
 *   pagedAttend: keys and values read through the table ...  table-physical, block-boundary
 *   pagedStep: logits equal a contiguous KV cache ...         no-copy-on-write, freed-while-shared, partial-block
 *   memory: paged blocks against a contiguous cache ...       freed-while-shared, no-copy-on-write, partial-block
 */
import { type Mistake, type Text, defineChecks, expectClose, expectEqual, expectTrue, fail, mistake, t } from '@llm-lab/check';
import { type ModelParts, modelParts, withDetails } from '@llm-lab/course/decoding';
import {
  PAGED_SCENARIO, type PagedBooks, type PagedCacheShape, PagedRefPool, type PagedRefBug, pagedAddSequence, pagedAttend64, pagedBooks,
  pagedContiguousCache, pagedContiguousStep, pagedNewCache, pagedScenarioReference,
} from '@llm-lab/course/scale';
import { type BundledModel, shippedModel } from '@llm-lab/model';
import { PAGED_MISTAKES as M } from './mistakes';

type Learner = typeof import('./paged');
type Cache = Parameters<Learner['slotOf']>[0];

const TOLERANCE = 1e-4;

let loaded: Promise<{ model: BundledModel; parts: ModelParts }> | undefined;
function lesson(): Promise<{ model: BundledModel; parts: ModelParts }> {
  loaded ??= shippedModel().then((model) => ({ model, parts: modelParts(model.config, model.weights()) }));
  return loaded;
}

function failWith(m: Mistake, details: Text): never {
  return fail(...mistake(withDetails(m, details)));
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const show = (b: PagedBooks) => `free [${b.free.join(', ')}], refs [${b.refs.join(', ')}], tables ${b.tables.map(([s, tb]) => `${s}: [${tb.join(', ')}]`).join('; ')}`;

/**
 * The reference pools a check runs beside the learner's cache: every accepted way (this lesson's FIFO free list or
 * vLLM's original stack; an ended sequence released first to last, or tail first as vLLM's newer engine), and some bugs.
 */
type Accepted = 'correct' | 'lifo' | 'tail' | 'lifo-tail';
type Pools = Map<PagedRefBug | Accepted, PagedRefPool>;
const ACCEPTED: Accepted[] = ['correct', 'lifo', 'tail', 'lifo-tail'];

function allPools(B: number, n: number, bugs: PagedRefBug[]): Pools {
  return new Map<PagedRefBug | Accepted, PagedRefPool>([
    ['correct', new PagedRefPool(B, n)],
    ['lifo', new PagedRefPool(B, n, 'correct', 'lifo')],
    ['tail', new PagedRefPool(B, n, 'correct', 'fifo', 'tail')],
    ['lifo-tail', new PagedRefPool(B, n, 'correct', 'lifo', 'tail')],
    ...bugs.map((b): [PagedRefBug, PagedRefPool] => [b, new PagedRefPool(B, n, b)]),
  ]);
}

/** The accepted reference whose books the learner's cache matches. */
function matching(cache: PagedCacheShape, pools: Pools): PagedRefPool | undefined {
  const got = pagedBooks(cache);
  return ACCEPTED.map((a) => pools.get(a)).find((p) => p && same(got, p.books()));
}

/** Compares the learner's books with the references after `what`; names a bug whose simulation they match. */
function expectBooks(cache: PagedCacheShape, pools: Pools, what: Text, named: [PagedRefBug, Mistake][]): void {
  const got = pagedBooks(cache);
  if (matching(cache, pools)) return;
  const want = pools.get('correct')!.books();
  // A block on the free list that a sequence's table still holds was freed while shared, whatever else differs.
  // (Only the tables of sequences that have not ended: a table left behind by freeSequence is another mistake.)
  const alive = new Set(want.tables.map(([s]) => s));
  const held = got.tables.filter(([s]) => alive.has(s)).flatMap(([s, tb]) => tb.filter((b) => got.free.includes(b)).map((b) => [s, b]));
  if (held.length && named.some(([bug]) => bug === 'free-shared')) {
    const [s, b] = held[0];
    failWith(M['freed-while-shared'], t(`(After ${what.en}, block ${b} is on the free list [${got.free.join(', ')}] while sequence ${s}'s table still holds it.)`,
      `（${what['zh-cn']}之后，块 ${b} 在空闲链表 [${got.free.join(', ')}] 上，而序列 ${s} 的块表仍持有它。）`));
  }
  for (const [bug, m] of named) {
    const pool = pools.get(bug);
    if (pool && same(got, pool.books())) {
      failWith(m, t(`(After ${what.en}: ${show(got)}; expected ${show(want)}.)`, `（${what['zh-cn']}之后：${show(got)}；应为 ${show(want)}。）`));
    }
  }
  fail(t(`after ${what.en}, the books differ: yours are ${show(got)}; expected ${show(want)}`, `${what['zh-cn']}之后，账目不一致：你的是 ${show(got)}；应为 ${show(want)}`), {
    hint: t('allocateBlock takes free.shift() and sets refs to 1; releaseBlock decrements and pushes at the end when the count reaches 0; appendSlots copies a shared partial last block, then allocates until the table has ceil(length / B) blocks; forkSequence copies the table and adds a reference to each block; freeSequence releases first to last.',
      'allocateBlock 取 free.shift() 并把引用计数设为 1；releaseBlock 递减计数，降到 0 时把块压到末尾；appendSlots 先复制共享的未满最后一块，再一直分配直到块表有 ceil(length / B) 块；forkSequence 复制块表并给每个块加一个引用；freeSequence 从第一块到最后一块依次释放。'),
  });
}

/** Applies the same operation to every reference pool, dropping a bug whose simulation throws. */
function onPools(pools: Pools, op: (p: PagedRefPool) => void): void {
  for (const [bug, p] of pools) {
    try {
      op(p);
    } catch (e) {
      if ((ACCEPTED as string[]).includes(bug)) throw e;
      pools.delete(bug);
    }
  }
}

/** Names a wrong slot: off by a block at a boundary, or the table not read as logical -> physical. */
function explainSlots(table: number[], B: number, got: number[], want: number[], what: Text): never {
  const mis = want.map((w, p) => (Object.is(got[p], w) ? -1 : p)).filter((p) => p >= 0);
  const p0 = mis[0];
  const details = t(`(${what.en}: position ${p0} should be slot ${want[p0]}, yours is ${got[p0]}; table [${table.join(', ')}], B = ${B}.)`,
    `（${what['zh-cn']}：位置 ${p0} 应为槽 ${want[p0]}，你的是 ${got[p0]}；块表 [${table.join(', ')}]，B = ${B}。）`);
  const physical = (p: number) => [p, table.indexOf(Math.floor(p / B)) * B + (p % B), Math.floor(p / B) * B + (p % B)];
  if (mis.every((p) => physical(p).includes(got[p]))) failWith(M['table-physical'], details);
  // One block off (past the table's end reads nothing: NaN), or the neighbouring position's slot.
  const near = (p: number) => {
    const b = Math.floor(p / B), o = p % B;
    return [b - 1, b + 1].filter((x) => x >= 0).map((x) => (x < table.length ? table[x] * B + o : NaN)).concat(
      [p - 1, p + 1].filter((x) => x >= 0 && x < want.length).map((x) => want[x]));
  };
  const alike = (x: number, y: number | undefined) => Object.is(x, y) || (Number.isNaN(x) && (y === undefined || Number.isNaN(y)));
  if (mis.every((p) => near(p).some((x) => alike(x, got[p])))) {
    failWith(M['block-boundary'], details);
  }
  fail(t(`${what.en}: position ${p0} should be slot ${want[p0]}, yours is ${got[p0]} (table [${table.join(', ')}], B = ${B})`,
    `${what['zh-cn']}：位置 ${p0} 应为槽 ${want[p0]}，你的是 ${got[p0]}（块表 [${table.join(', ')}]，B = ${B}）`), {
    hint: t('slot = table[Math.floor(p / B)] * B + (p % B).', 'slot = table[Math.floor(p / B)] * B + (p % B)。'),
  });
}

/** Fills every slot of a pool with seeded numbers. */
function fill(cache: PagedCacheShape, random: () => number): void {
  for (let l = 0; l < cache.nLayer; l++) {
    for (let i = 0; i < cache.keys[l].length; i++) cache.keys[l][i] = random() * 2 - 1;
    for (let i = 0; i < cache.values[l].length; i++) cache.values[l][i] = random() * 2 - 1;
  }
}

const kib = (bytes: number) => bytes / 1024;

export default defineChecks<Learner>({
  exports: ['allocateBlock', 'releaseBlock', 'slotOf', 'appendSlots', 'forkSequence', 'freeSequence', 'pagedAttend', 'pagedStep'],
  checks: [
    // ----- the allocator ---------------------------------------------------------------------------------------
    {
      name: t('allocateBlock and releaseBlock: the free list and the reference counts, exactly', 'allocateBlock 与 releaseBlock：空闲链表和引用计数，完全一致'),
      task: 'allocateBlock',
      run: (m) => {
        const cache = pagedNewCache({ blockSize: 4, numBlocks: 6, nLayer: 1, nEmbd: 2 }) as Cache;
        const got = [m.allocateBlock(cache), m.allocateBlock(cache), m.allocateBlock(cache)];
        // This lesson's free list is a queue (0, 1, 2 first); vLLM's original allocator is a stack (5, 4, 3): both are accepted.
        const ref = new PagedRefPool(4, 6, 'correct', same(got, [5, 4, 3]) ? 'lifo' : 'fifo');
        const want = [ref.allocate(), ref.allocate(), ref.allocate()];
        const books = () => [[...cache.free], [...cache.refs]];
        const wanted = () => [[...ref.free], [...ref.refs]];
        expectEqual(got, want, 'three allocateBlock() calls on a fresh pool of 6 blocks',
          t('allocateBlock takes the FIRST block of the free list: cache.free.shift().', 'allocateBlock 取空闲链表的“第一个”块：cache.free.shift()。'));
        expectEqual(books(), wanted(), '[cache.free, cache.refs] after allocating 3 blocks',
          t('An allocated block leaves the free list and gets a reference count of 1.', '分配出去的块离开空闲链表，引用计数设为 1。'));
        m.releaseBlock(cache, got[1]);
        ref.release(want[1]);
        expectEqual(books(), wanted(), `[cache.free, cache.refs] after releaseBlock(${got[1]})`,
          t('A block whose count drops to 0 is pushed at the END of the free list.', '引用计数降到 0 的块被压到空闲链表的“末尾”。'));
        // The third block is shared by two tables: one release leaves it in use.
        const shared = got[2];
        cache.refs[shared] = 2;
        ref.refs[shared] = 2;
        m.releaseBlock(cache, shared);
        ref.release(shared);
        if (cache.free.includes(shared)) {
          failWith(M['freed-while-shared'], t(`(Block ${shared} had a reference count of 2; after one releaseBlock(${shared}) it is in the free list: [${cache.free.join(', ')}].)`,
            `（块 ${shared} 的引用计数为 2；调用一次 releaseBlock(${shared}) 后它就进了空闲链表：[${cache.free.join(', ')}]。）`));
        }
        expectEqual(books(), wanted(), `[cache.free, cache.refs] after releaseBlock(${shared}) on a block with 2 references`,
          t('releaseBlock drops ONE reference; the block stays in use while the count is above 0.', 'releaseBlock 只去掉“一个”引用；计数大于 0 时块仍在使用中。'));
        expectEqual([m.allocateBlock(cache), m.allocateBlock(cache), m.allocateBlock(cache), m.allocateBlock(cache)], [ref.allocate(), ref.allocate(), ref.allocate(), ref.allocate()],
          'four more allocateBlock() calls', t('The free list is a queue: first in, first out.', '空闲链表是一个队列：先进先出。'));
        let threw = false;
        try { m.allocateBlock(cache); } catch { threw = true; }
        expectTrue(threw, t('allocateBlock() on an empty free list should throw', '空闲链表为空时 allocateBlock() 应当抛出错误'),
          t('if (cache.free.length === 0) throw new Error(...): the server must wait or preempt a sequence, never hand out a block in use.',
            'if (cache.free.length === 0) throw new Error(...)：服务端必须等待或抢占某个序列，绝不能分出一个正在使用的块。'));
        threw = false;
        const unused = got[1]; // allocated again above, then: mark it unused by hand, and release it
        cache.refs[unused] = 0;
        try { m.releaseBlock(cache, unused); } catch { threw = true; }
        expectTrue(threw, t('releaseBlock() of a block whose reference count is 0 should throw', '对引用计数为 0 的块调用 releaseBlock() 应当抛出错误'),
          t('if (!(cache.refs[block] > 0)) throw new Error(...): releasing twice would put a block in the free list twice.', 'if (!(cache.refs[block] > 0)) throw new Error(...)：释放两次会让一个块两次进入空闲链表。'));
      },
    },

    // ----- slots --------------------------------------------------------------------------------------------------
    {
      name: t('slotOf: position p is in logical block floor(p / B), at offset p % B', 'slotOf：位置 p 位于逻辑块 floor(p / B)，偏移为 p % B'),
      task: 'slotOf',
      run: (m) => {
        for (const [B, table] of [[4, [5, 2, 7]], [3, [1, 4, 0, 6]]] as [number, number[]][]) {
          const cache = pagedNewCache({ blockSize: B, numBlocks: 8, nLayer: 1, nEmbd: 2 }) as Cache;
          cache.tables.set(3, [...table]);
          cache.lengths.set(3, table.length * B);
          const want = Array.from({ length: table.length * B }, (_, p) => table[Math.floor(p / B)] * B + (p % B));
          const got = want.map((_, p) => m.slotOf(cache, 3, p));
          if (!same(got, want)) explainSlots(table, B, got, want, t(`slotOf(cache, seq, p) for p = 0 .. ${want.length - 1}`, `对 p = 0 .. ${want.length - 1} 调用 slotOf(cache, seq, p)`));
          expectEqual(cache.tables.get(3), table, 'the block table after slotOf()', t('slotOf only reads the table.', 'slotOf 只读取块表。'));
        }
      },
    },
    {
      name: t('appendSlots: blocks on demand, the last partial block included', 'appendSlots：按需分配块，包括最后一个未满的块'),
      task: 'appendSlots',
      run: (m) => {
        const B = 4;
        const cache = pagedNewCache({ blockSize: B, numBlocks: 10, nLayer: 1, nEmbd: 2 }) as Cache;
        const pools = allPools(B, 10, ['floor-blocks']);
        for (const s of [0, 1]) { pagedAddSequence(cache, s); onPools(pools, (p) => p.add(s)); }
        // Two sequences growing in turn, so their blocks interleave in the pool.
        const ops: [number, number][] = [[0, 3], [1, 5], [0, 1], [0, 1], [1, 3], [0, 0], [0, 6], [1, 1]];
        for (const [seq, n] of ops) {
          const what = t(`appendSlots(cache, ${seq}, ${n})`, `appendSlots(cache, ${seq}, ${n})`);
          const length = cache.lengths.get(seq)!;
          const slots = m.appendSlots(cache, seq, n);
          onPools(pools, (p) => p.append(seq, n));
          const floor = pools.get('floor-blocks');
          const got = pagedBooks(cache);
          if (floor && !matching(cache, pools) && same(got.tables, floor.books().tables)) {
            failWith(M['partial-block'], t(`(After ${what.en}, sequence ${seq} holds ${length + n} positions in ${cache.tables.get(seq)!.length} blocks of ${B}; it needs ${Math.ceil((length + n) / B)}.)`,
              `（${what['zh-cn']}之后，序列 ${seq} 有 ${length + n} 个位置，却只有 ${cache.tables.get(seq)!.length} 个大小为 ${B} 的块；它需要 ${Math.ceil((length + n) / B)} 个。）`));
          }
          expectBooks(cache, pools, what, []);
          const ref = matching(cache, pools)!;
          const want = Array.from({ length: n }, (_, i) => ref.slot(seq, length + i));
          if (!Array.isArray(slots) || slots.length !== n) {
            fail(t(`${what.en} returned ${Array.isArray(slots) ? `${slots.length} slots` : typeof slots}; expected ${n} slots`, `${what['zh-cn']} 返回了 ${Array.isArray(slots) ? `${slots.length} 个槽` : typeof slots}；应返回 ${n} 个槽`),
              { hint: t('Return one slot per new position, in order: slotOf(cache, seq, p) for p = length .. length + n - 1.', '按顺序为每个新位置返回一个槽：对 p = length .. length + n - 1 调用 slotOf(cache, seq, p)。') });
          }
          if (!same(slots, want)) {
            const full = Array.from({ length: length + n }, (_, p) => ref.slot(seq, p));
            const padded = [...full.slice(0, length), ...slots];
            explainSlots(ref.tables.get(seq)!, B, padded, full, what);
          }
        }
      },
    },

    // ----- sharing ------------------------------------------------------------------------------------------------
    {
      name: t('forkSequence and freeSequence: a shared prefix uses its blocks once, copy-on-write, the free list after frees',
        'forkSequence 与 freeSequence：共享前缀的块只占一次，写时复制，释放后的空闲链表'),
      task: 'forkSequence',
      run: (m, ctx) => {
        const B = 4, N = 10, C = 3, nLayer = 2;
        const cache = pagedNewCache({ blockSize: B, numBlocks: N, nLayer, nEmbd: C }) as Cache;
        fill(cache, ctx.random);
        const pools = allPools(B, N, ['free-shared', 'no-cow']);
        const named: [PagedRefBug, Mistake][] = [['free-shared', M['freed-while-shared']], ['no-cow', M['no-copy-on-write']]];
        pagedAddSequence(cache, 0);
        onPools(pools, (p) => p.add(0));
        m.appendSlots(cache, 0, 6);
        onPools(pools, (p) => p.append(0, 6));
        expectBooks(cache, pools, t('a 6-token prompt', '一个 6 个 token 的提示'), named);
        for (const child of [1, 2]) {
          m.forkSequence(cache, 0, child);
          onPools(pools, (p) => p.fork(0, child));
          expectBooks(cache, pools, t(`forkSequence(cache, 0, ${child})`, `forkSequence(cache, 0, ${child})`), named);
        }
        expectEqual(N - cache.free.length, 2, 'blocks in use after forking a 6-token prompt (B = 4) into 3 sequences',
          t('A shared prefix uses its blocks once: forking copies the block table and adds a reference, it allocates nothing.', '共享前缀的块只占一次：fork 复制块表并增加引用，不分配任何块。'));
        const before = { keys: cache.keys.map((k) => Float32Array.from(k)), values: cache.values.map((v) => Float32Array.from(v)) };
        const steps: [string, () => void, (p: PagedRefPool) => void][] = [
          ['appendSlots(cache, 1, 1)', () => void m.appendSlots(cache, 1, 1), (p) => void p.append(1, 1)],
          ['appendSlots(cache, 0, 3)', () => void m.appendSlots(cache, 0, 3), (p) => void p.append(0, 3)],
          ['appendSlots(cache, 2, 1)', () => void m.appendSlots(cache, 2, 1), (p) => void p.append(2, 1)],
          ['freeSequence(cache, 1)', () => m.freeSequence(cache, 1), (p) => p.end(1)],
          ['freeSequence(cache, 0)', () => m.freeSequence(cache, 0), (p) => p.end(0)],
          ['freeSequence(cache, 2)', () => m.freeSequence(cache, 2), (p) => p.end(2)],
        ];
        for (const [what, mine, theirs] of steps) {
          mine();
          onPools(pools, theirs);
          expectBooks(cache, pools, t(what, what), named);
          // Every copy made by copy-on-write holds the positions written so far, in every layer.
          const ref = matching(cache, pools)!;
          for (const p of pools.values()) if (p !== ref) p.copies.splice(0);
          for (const [from, to, count] of ref.copies.splice(0)) {
            for (let l = 0; l < nLayer; l++) {
              for (const [name, now, then] of [['keys', cache.keys[l], before.keys[l]], ['values', cache.values[l], before.values[l]]] as [string, Float32Array, Float32Array][]) {
                expectClose(now.subarray(to * B * C, (to * B + count) * C), then.subarray(from * B * C, (from * B + count) * C), {
                  what: `cache.${name}[${l}] of block ${to} (the copy of block ${from}, ${count} positions) after ${what}`, atol: 0, rtol: 0,
                  hint: t(`Copy-on-write copies the ${count} positions already written in the shared block, in every layer, keys and values: copyWithin(to * B * C, from * B * C, (from * B + ${count}) * C).`,
                    `写时复制要把共享块中已写入的 ${count} 个位置复制过去，每一层的键和值都要：copyWithin(to * B * C, from * B * C, (from * B + ${count}) * C)。`),
                });
              }
            }
          }
        }
        expectEqual([...cache.free].sort((a, b) => a - b), Array.from({ length: N }, (_, i) => i), 'the free list once every sequence has ended (sorted)',
          t('When every sequence is freed, every block is back in the free list, once.', '所有序列都释放之后，每个块都回到空闲链表，且只出现一次。'));
      },
    },

    // ----- attention through the table --------------------------------------------------------------------------
    {
      name: t('pagedAttend: keys and values read through the block table', 'pagedAttend：通过块表读取键和值'),
      task: 'pagedAttend',
      run: (m, ctx) => {
        const B = 4, N = 12, C = 8, nHead = 2;
        const cache = pagedNewCache({ blockSize: B, numBlocks: N, nLayer: 2, nEmbd: C }) as Cache;
        fill(cache, ctx.random);
        const pool = new PagedRefPool(B, N);
        for (const s of [0, 1, 2]) { pagedAddSequence(cache, s); pool.add(s); }
        // Interleaved growth: sequence 1's blocks are scattered over the pool, and its 9 positions end one past a
        // block boundary (so a lookup one block off stays inside its table and can be recognised).
        for (const [s, n] of [[0, 5], [1, 2], [2, 4], [1, 3], [0, 3], [1, 4]] as [number, number][]) pool.append(s, n);
        for (const [s, tb] of pool.tables) cache.tables.set(s, [...tb]);
        for (const [s, n] of pool.lengths) cache.lengths.set(s, n);
        cache.free.splice(0, cache.free.length, ...pool.free);
        pool.refs.forEach((r, i) => { cache.refs[i] = r; });
        const books = pagedBooks(cache);
        const data = { keys: cache.keys.map((k) => Float32Array.from(k)), values: cache.values.map((v) => Float32Array.from(v)) };
        for (const [seq, layer, heads] of [[1, 1, nHead], [0, 0, 4], [2, 1, 1]] as [number, number, number][]) {
          const q = Float32Array.from({ length: C }, () => ctx.random() * 2 - 1);
          const qCopy = Float32Array.from(q);
          const T = pool.lengths.get(seq)!;
          const gather = (slots: number[], a: Float32Array) => slots.map((s) => a.subarray(s * C, (s + 1) * C));
          const slots = Array.from({ length: T }, (_, p) => pool.slot(seq, p));
          const want = pagedAttend64(qCopy, gather(slots, data.keys[layer]), gather(slots, data.values[layer]), heads);
          const got = m.pagedAttend(cache, seq, layer, q, heads);
          expectEqual(pagedBooks(cache), books, 'the cache\'s books after pagedAttend()', t('pagedAttend only reads the cache.', 'pagedAttend 只读取缓存。'));
          expectTrue(cache.keys.every((k, l) => k.every((x, i) => Object.is(x, data.keys[l][i]))) && cache.values.every((v, l) => v.every((x, i) => Object.is(x, data.values[l][i]))) && q.every((x, i) => Object.is(x, qCopy[i])),
            t('pagedAttend() changed q or the numbers in the pool: it must only read them', 'pagedAttend() 修改了 q 或池中的数：它只能读取它们'),
            t('Compute scores and weights into new arrays.', '把分数和权重算进新的数组里。'));
          const what = `pagedAttend(cache, ${seq}, ${layer}, q, ${heads})`;
          if (got && got.length === C && !(Array.from(got).every((x, i) => Math.abs(x - want[i]) <= TOLERANCE))) {
            const table = pool.tables.get(seq)!;
            const wrongs: [Mistake, number[]][] = [
              [M['table-physical'], Array.from({ length: T }, (_, p) => p)],
              [M['block-boundary'], Array.from({ length: T }, (_, p) => { const b = Math.floor((p + 1) / B); return b < table.length ? table[b] * B + (p % B) : -1; })],
              [M['block-boundary'], Array.from({ length: T }, (_, p) => { const b = Math.ceil(p / B); return b < table.length ? table[b] * B + (p % B) : -1; })],
            ];
            for (const [mk, wrong] of wrongs) {
              if (wrong.some((s) => s < 0)) continue;
              const bad = pagedAttend64(qCopy, gather(wrong, data.keys[layer]), gather(wrong, data.values[layer]), heads);
              if (Array.from(got).every((x, i) => Math.abs(x - bad[i]) <= TOLERANCE)) {
                failWith(mk, t(`(${what}: sequence ${seq}'s table is [${table.join(', ')}], B = ${B}, ${T} positions.)`, `（${what}：序列 ${seq} 的块表为 [${table.join(', ')}]，B = ${B}，共 ${T} 个位置。）`));
              }
            }
          }
          expectClose(got, want, { what, atol: TOLERANCE, rtol: 0,
            hint: t('For each cached position p of the sequence: slot = slotOf(cache, seq, p); its key is cache.keys[layer].subarray(slot * C, slot * C + C), its value likewise; then attention head by head as in the KV-cache lesson.',
              '对序列的每个已缓存位置 p：slot = slotOf(cache, seq, p)；它的键是 cache.keys[layer].subarray(slot * C, slot * C + C)，值同理；然后像 KV 缓存一课那样逐头计算注意力。') });
        }
      },
    },

    // ----- the bundled model ------------------------------------------------------------------------------------
    {
      name: t('pagedStep: logits equal a contiguous KV cache at every step, three sequences sharing a prompt', 'pagedStep：每一步的 logits 都与连续 KV 缓存一致，三个序列共享一个提示'),
      task: 'pagedStep',
      run: async (m, ctx) => {
        const { model, parts } = await lesson();
        const { nLayer, nEmbd } = parts.config;
        const B = 4, N = 48;
        const cache = pagedNewCache({ blockSize: B, numBlocks: N, nLayer, nEmbd }) as Cache;
        const pools = allPools(B, N, ['free-shared', 'no-cow', 'floor-blocks']);
        const named: [PagedRefBug, Mistake][] = [['free-shared', M['freed-while-shared']], ['no-cow', M['no-copy-on-write']], ['floor-blocks', M['partial-block']]];
        const prompt = 'Call me Ishmael';
        const continuations = [' Some years ago', ' It was the whale', ' and the sea'];
        const enc = (s: string) => Array.from(model.tokenizer.encode(s));
        const refs = new Map<number, ReturnType<typeof pagedContiguousCache>>();
        let worst = 0;
        let steps = 0;
        const rows: (string | number)[][] = [];
        const feed = (seq: number, token: number, label: string) => {
          const position = cache.lengths.get(seq)!;
          const mine = m.pagedStep(parts, cache, seq, token);
          onPools(pools, (p) => p.append(seq, 1));
          const want = pagedContiguousStep(parts, refs.get(seq)!, token);
          const what = t(`pagedStep on sequence ${seq}, position ${position} (${label})`, `序列 ${seq} 位置 ${position} 上的 pagedStep（${label}）`);
          expectBooks(cache, pools, what, named);
          let diff = 0;
          for (let i = 0; i < want.length; i++) diff = Math.max(diff, Math.abs(mine[i] - want[i]) || (Number.isNaN(mine[i]) ? Infinity : 0));
          if (!(diff <= TOLERANCE)) {
            expectClose(mine, want, { what: `pagedStep(model, cache, ${seq}, ${JSON.stringify(label)}) at position ${position}`, atol: TOLERANCE, rtol: 0,
              hint: t('position = cache.lengths.get(seq) before appending; [slot] = appendSlots(cache, seq, 1); in every layer write k and v at slot * C of cache.keys[l] and cache.values[l], then x += project(pagedAttend(...)), x += mlp(x).',
                'position = 追加之前的 cache.lengths.get(seq)；[slot] = appendSlots(cache, seq, 1)；每一层把 k 和 v 写到 cache.keys[l] 与 cache.values[l] 的 slot * C 处，然后 x += project(pagedAttend(...))，x += mlp(x)。') });
          }
          worst = Math.max(worst, diff);
          steps++;
        };
        pagedAddSequence(cache, 0);
        onPools(pools, (p) => p.add(0));
        refs.set(0, pagedContiguousCache(nLayer));
        for (const [i, tok] of enc(prompt).entries()) feed(0, tok, prompt[i]);
        for (const child of [1, 2]) {
          m.forkSequence(cache, 0, child);
          onPools(pools, (p) => p.fork(0, child));
          const r = refs.get(0)!;
          refs.set(child, { layers: r.layers.map((l) => ({ keys: [...l.keys], values: [...l.values] })) });
        }
        expectBooks(cache, pools, t('forking the prompt into sequences 1 and 2', '把提示 fork 成序列 1 和 2'), named);
        const promptBlocks = N - cache.free.length;
        // The three continuations, one token each in turn.
        const conts = continuations.map(enc);
        for (let i = 0; i < Math.max(...conts.map((c) => c.length)); i++) {
          conts.forEach((c, seq) => { if (i < c.length) feed(seq, c[i], continuations[seq][i]); });
        }
        const used = N - cache.free.length;
        for (const [seq, c] of conts.entries()) {
          const tb = cache.tables.get(seq)!;
          rows.push([seq, JSON.stringify(prompt + continuations[seq]), enc(prompt).length + c.length, `[${tb.join(', ')}]`]);
        }
        const unshared = conts.reduce((s, c) => s + Math.ceil((enc(prompt).length + c.length) / B), 0);
        // A sequence that already holds the model's whole context: there is no position blockSize to feed.
        const ctxLen = parts.config.blockSize;
        const full = pagedNewCache({ blockSize: ctxLen / 2, numBlocks: 3, nLayer, nEmbd }) as Cache;
        pagedAddSequence(full, 0);
        full.tables.set(0, [0, 1]);
        full.lengths.set(0, ctxLen);
        full.refs[0] = full.refs[1] = 1;
        full.free.splice(0, 2);
        const fullBooks = pagedBooks(full);
        let threw = false;
        try { m.pagedStep(parts, full, 0, enc('a')[0]); } catch { threw = true; }
        expectTrue(threw, t(`pagedStep() on a sequence that already holds ${ctxLen} positions should throw: the model has no position ${ctxLen}`,
          `对已有 ${ctxLen} 个位置的序列调用 pagedStep() 应当抛出错误：模型没有位置 ${ctxLen}`),
        t('Read position = cache.lengths.get(seq) first and throw if it is model.config.blockSize or more, before appendSlots.', '先读取 position = cache.lengths.get(seq)，若它大于或等于 model.config.blockSize 就抛出错误，要在 appendSlots 之前。'));
        expectEqual(pagedBooks(full), fullBooks, 'the books after pagedStep() refused a full sequence',
          t('Refuse before appendSlots: otherwise a block is allocated for a position that never gets written.', '要在 appendSlots 之前拒绝：否则会为一个永远不会被写入的位置分配块。'));
        m.freeSequence(cache, 1);
        onPools(pools, (p) => p.end(1));
        expectBooks(cache, pools, t('freeSequence(cache, 1)', 'freeSequence(cache, 1)'), named);
        ctx.artifact({
          kind: 'table',
          title: t(`Three sequences in one pool of ${N} blocks of ${B} positions: ${steps} steps, max |paged − contiguous| = ${worst.toExponential(2)}`,
            `一个池（${N} 个块，每块 ${B} 个位置）中的三个序列：${steps} 步，max |分页 − 连续| = ${worst.toExponential(2)}`),
          columns: [t('sequence', '序列'), t('text', '文本'), t('positions', '位置数'), t('block table (physical blocks)', '块表（物理块）')],
          rows,
        });
        ctx.artifact({
          kind: 'text', title: t('Blocks in use', '在用的块'),
          text: t(`The shared prompt (${enc(prompt).length} positions): ${promptBlocks} blocks for three sequences.\nAfter the continuations: ${used} blocks in use; without sharing the prompt it would be ${unshared}.\nAfter sequence 1 ended: ${N - cache.free.length} blocks in use, free list [${cache.free.join(', ')}].`,
            `共享的提示（${enc(prompt).length} 个位置）：三个序列共用 ${promptBlocks} 个块。\n续写之后：在用 ${used} 个块；如果不共享提示，需要 ${unshared} 个。\n序列 1 结束后：在用 ${N - cache.free.length} 个块，空闲链表 [${cache.free.join(', ')}]。`),
        });
      },
    },

    // ----- memory -----------------------------------------------------------------------------------------------
    {
      name: t('memory: paged blocks against a contiguous cache reserving the max length', '显存：分页的块与按最大长度预留的连续缓存对比'),
      task: 'freeSequence',
      run: async (m, ctx) => {
        const { parts } = await lesson();
        const { nLayer, nEmbd } = parts.config;
        const { blockSize: B, prompt, newTokens, maxLength, numBlocks } = PAGED_SCENARIO;
        const perPosition = 2 * nLayer * nEmbd * 4; // K and V, every layer, float32
        const ref = pagedScenarioReference();
        // The learner's books over the scenario (a pool of one number per slot: only the bookkeeping matters here).
        const cache = pagedNewCache({ blockSize: B, numBlocks, nLayer: 1, nEmbd: 1 }) as Cache;
        const pools = allPools(B, numBlocks, ['free-shared', 'no-cow', 'floor-blocks']);
        const named: [PagedRefBug, Mistake][] = [['free-shared', M['freed-while-shared']], ['no-cow', M['no-copy-on-write']], ['floor-blocks', M['partial-block']]];
        pagedAddSequence(cache, 0);
        onPools(pools, (p) => p.add(0));
        m.appendSlots(cache, 0, prompt);
        onPools(pools, (p) => p.append(0, prompt));
        newTokens.forEach((_, i) => { if (i > 0) { m.forkSequence(cache, 0, i); onPools(pools, (p) => p.fork(0, i)); } });
        expectBooks(cache, pools, t(`a ${prompt}-token prompt forked into ${newTokens.length} samples`, `把一个 ${prompt} 个 token 的提示 fork 成 ${newTokens.length} 个样本`), named);
        const mine: number[] = [];
        for (const step of ref.steps) {
          if (step > 0) {
            newTokens.forEach((n, i) => {
              if (step <= n) { m.appendSlots(cache, i, 1); onPools(pools, (p) => p.append(i, 1)); }
              if (step === n) { m.freeSequence(cache, i); onPools(pools, (p) => p.end(i)); }
            });
            expectBooks(cache, pools, t(`decoding step ${step}`, `第 ${step} 个解码步`), named);
          }
          mine.push(numBlocks - cache.free.length);
        }
        expectEqual(mine, ref.shared, 'blocks in use at every step', t('Blocks in use = numBlocks - free.length.', '在用的块数 = numBlocks - free.length。'));
        const blockKiB = kib(B * perPosition);
        // Plotted while a sample is alive (the books were compared up to the last free above).
        const shown = ref.steps.filter((_, i) => ref.alive[i] > 0);
        const contiguous = shown.map((i) => kib(ref.alive[i] * maxLength * perPosition));
        const paged = shown.map((i) => mine[i] * blockKiB);
        const unshared = shown.map((i) => ref.unshared[i] * blockKiB);
        const needed = shown.map((i) => kib(ref.positions[i] * perPosition));
        ctx.artifact({
          kind: 'curve',
          title: t(`KV-cache memory, ${newTokens.length} samples of one ${prompt}-token prompt ending after ${newTokens.join(', ')} tokens (blocks of ${B} positions, ${blockKiB} KiB each)`,
            `KV 缓存显存：同一个 ${prompt} token 提示的 ${newTokens.length} 个样本，分别在 ${newTokens.join('、')} 个 token 后结束（每块 ${B} 个位置，${blockKiB} KiB）`),
          xLabel: t('decoding step', '解码步'),
          yLabel: t('memory (KiB)', '显存（KiB）'),
          series: [
            { name: t(`contiguous, ${maxLength} positions reserved per sequence`, `连续缓存，每个序列预留 ${maxLength} 个位置`), x: shown, y: contiguous },
            { name: t('paged, prompt copied per sample', '分页，每个样本复制一份提示'), x: shown, y: unshared },
            { name: t('paged, prompt blocks shared (yours)', '分页，共享提示块（你的实现）'), x: shown, y: paged },
            { name: t('positions cached, prompt once (the least possible)', '实际缓存的位置，提示只算一次（下限）'), x: shown, y: needed },
          ],
        });
        const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
        const peak = (xs: number[]) => Math.max(...xs);
        const row = (name: Text, xs: number[]): (Text | string)[] =>
          [name, peak(xs).toFixed(0), mean(xs).toFixed(0), `${(100 * mean(xs) / mean(contiguous)).toFixed(0)} %`];
        ctx.artifact({
          kind: 'table',
          title: t(`KV-cache memory over ${shown.length} steps (${perPosition / 1024} KiB per position)`, `${shown.length} 步中的 KV 缓存显存（每个位置 ${perPosition / 1024} KiB）`),
          columns: [t('cache', '缓存'), t('peak (KiB)', '峰值（KiB）'), t('mean (KiB)', '平均（KiB）'), t('mean, % of contiguous', '平均值占连续缓存的百分比')],
          rows: [
            row(t(`contiguous, ${maxLength} positions reserved`, `连续，预留 ${maxLength} 个位置`), contiguous),
            row(t('paged, prompt copied per sample', '分页，每个样本复制提示'), unshared),
            row(t('paged, prompt blocks shared', '分页，共享提示块'), paged),
            row(t('positions cached, prompt once (the least possible)', '实际缓存的位置，提示只算一次（下限）'), needed),
          ],
        });
      },
    },
  ],
});
