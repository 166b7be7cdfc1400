/**
 * The PagedAttention lesson's known wrong answers, in English and Chinese. paged.checks.ts recognises each
 * of them (by simulating it with the reference pool of @llm-lab/course/scale, or from the shape of a wrong
 * slot) and names it with these words; test/unit/mistakes/paged.ts puts each one into the reference
 * solution to prove it is recognised.
 */
import { defineMistakes, t } from '@llm-lab/check';

export const PAGED_MISTAKES = defineMistakes({
  'block-boundary': {
    message: t(
      'A position landed in the wrong block at a block boundary: position p lives in logical block floor(p / B), at offset p % B (block 0 holds positions 0 .. B - 1).',
      '某个位置在块边界处落进了错误的块：位置 p 位于逻辑块 floor(p / B) 中，块内偏移为 p % B（块 0 存放位置 0 .. B - 1）。',
    ),
    hint: t(
      'slot = table[Math.floor(p / B)] * B + (p % B). Positions B - 1 and B are the ones to test by hand: the first is the last of block 0, the second the first of block 1.',
      'slot = table[Math.floor(p / B)] * B + (p % B)。请手算位置 B - 1 和 B：前者是块 0 的最后一个位置，后者是块 1 的第一个位置。',
    ),
  },
  'freed-while-shared': {
    message: t(
      'A block went back to the free list while another sequence still used it: a shared block is free only when its reference count drops to 0.',
      '一个块在另一个序列仍在使用时就回到了空闲链表：共享块只有在引用计数降到 0 时才算空闲。',
    ),
    hint: t(
      'releaseBlock: refs[block] -= 1, and push the block onto the free list only if refs[block] is now 0. freeSequence calls releaseBlock for each block of its table.',
      'releaseBlock：refs[block] -= 1，只有当 refs[block] 变为 0 时才把块压入空闲链表。freeSequence 对其块表中的每个块调用 releaseBlock。',
    ),
  },
  'partial-block': {
    message: t(
      'The last, partly filled block was not allocated: n positions need ceil(n / B) blocks, not floor(n / B).',
      '最后一个未填满的块没有被分配：n 个位置需要 ceil(n / B) 个块，而不是 floor(n / B) 个。',
    ),
    hint: t(
      'Blocks needed after the append = Math.ceil((length + n) / B); allocate until the table has that many. A block is allocated when its FIRST position is written, not when it is full.',
      '追加之后需要的块数 = Math.ceil((length + n) / B)；一直分配，直到块表有这么多块。一个块在写入它的“第一个”位置时就要分配，而不是等它写满。',
    ),
  },
  'table-physical': {
    message: t(
      'The block table was not read as logical -> physical: entry i of a sequence\'s table is the physical block that holds its positions i·B .. i·B + B - 1, so the lookup is table[floor(p / B)], never the position or the physical block number itself.',
      '块表没有按“逻辑块 -> 物理块”来读：序列块表的第 i 项是存放其位置 i·B .. i·B + B - 1 的物理块，所以查找应为 table[floor(p / B)]，而不是直接用位置或物理块号。',
    ),
    hint: t(
      'Index the table with the LOGICAL block number floor(p / B); the value you get is the physical block in the pool. The pool is shared by every sequence: slot p of the pool belongs to whichever sequence owns that block.',
      '用“逻辑”块号 floor(p / B) 去索引块表；得到的值才是池中的物理块。池由所有序列共享：池中的第 p 个槽属于拥有那个块的序列。',
    ),
  },
  'no-copy-on-write': {
    message: t(
      'A sequence wrote into a block that another sequence still shares: before writing into a shared last block (reference count > 1), copy it to a new block (copy-on-write).',
      '一个序列写入了另一个序列仍在共享的块：在写入共享的最后一个块（引用计数 > 1）之前，要先把它复制到一个新块（写时复制）。',
    ),
    hint: t(
      'In appendSlots, when length % B !== 0 and refs[last] > 1: copy = allocateBlock(); copy the first length % B slots of every layer\'s keys and values from last to copy; releaseBlock(last); table[table.length - 1] = copy.',
      '在 appendSlots 中，当 length % B !== 0 且 refs[last] > 1 时：copy = allocateBlock()；把每一层键和值中 last 块的前 length % B 个槽复制到 copy；releaseBlock(last)；table[table.length - 1] = copy。',
    ),
  },
});
