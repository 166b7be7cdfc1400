/** The paged lesson's mistake cases and library variants (see test/unit/catalogue.ts). */
import type { LibraryVariant, MistakeCase } from '../catalogue';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { mistakeCases } from '../catalogue';
import { LESSONS } from '../helpers';
import { PAGED_MISTAKES } from '../../../lessons/14e-paged-attention/mistakes';

const EX = 'paged-attention/paged';
const SOLUTION = readFileSync(path.join(LESSONS, '14e-paged-attention', 'paged.solution.ts'), 'utf8');
/** appendSlots' whole copy-on-write block: a learner who never copies a shared block leaves it out. */
const COW = SOLUTION.slice(SOLUTION.indexOf('  if (length % B !== 0 && n > 0) {'), SOLUTION.indexOf('  const needed = Math.ceil'));

export const CASES: MistakeCase[] = mistakeCases(PAGED_MISTAKES, EX, [
  { key: 'block-boundary', check: 'slotOf: position p is in logical block', name: 'block of p + 1',
    edits: [['const logical = Math.floor(position / B);', 'const logical = Math.floor((position + 1) / B);']] },
  { key: 'block-boundary', check: 'pagedAttend: keys and values read through the block table', name: 'ceil in attention',
    edits: [['const slots = Array.from({ length: T }, (_, p) => slotOf(cache, seq, p));',
      'const slots = Array.from({ length: T }, (_, p) => cache.tables.get(seq)![Math.ceil(p / cache.blockSize)] * cache.blockSize + (p % cache.blockSize));']] },
  { key: 'freed-while-shared', check: 'allocateBlock and releaseBlock', name: 'releaseBlock pushes at once',
    edits: [['if (cache.refs[block] === 0) cache.free.push(block);', 'cache.free.push(block);']] },
  { key: 'freed-while-shared', check: 'forkSequence and freeSequence', name: 'freeSequence ignores the counts',
    edits: [['for (const block of table) releaseBlock(cache, block);', 'for (const block of table) { cache.refs[block] = 0; cache.free.push(block); }']] },
  { key: 'partial-block', check: 'appendSlots: blocks on demand',
    edits: [['const needed = Math.ceil((length + n) / B);', 'const needed = Math.floor((length + n) / B);']] },
  { key: 'table-physical', check: 'pagedAttend: keys and values read through the block table', name: 'position as slot',
    edits: [['const slots = Array.from({ length: T }, (_, p) => slotOf(cache, seq, p));', 'const slots = Array.from({ length: T }, (_, p) => p);']] },
  { key: 'table-physical', check: 'slotOf: position p is in logical block', name: 'logical block as physical',
    edits: [['return table[logical] * B + offset;', 'return logical * B + offset;']] },
  { key: 'no-copy-on-write', check: 'forkSequence and freeSequence', edits: [[COW, '']] },
  { key: 'no-copy-on-write', check: 'pagedStep: logits equal a contiguous KV cache', name: 'on the bundled model', edits: [[COW, '']] },
]);

export const VARIANTS: LibraryVariant[] = [
  { library: 'vLLM', name: "the original BlockAllocator's free list as a stack (free_blocks.pop())", exercise: EX,
    edits: [['const block = cache.free.shift();', 'const block = cache.free.pop();']], check: 'allocateBlock and releaseBlock' },
  { library: 'vLLM', name: 'a stack free list, decoding the bundled model', exercise: EX,
    edits: [['const block = cache.free.shift();', 'const block = cache.free.pop();']], check: 'pagedStep: logits equal a contiguous KV cache' },
  { library: 'vLLM', name: "the newer engine's free(): a finished sequence's blocks released tail first", exercise: EX,
    edits: [['for (const block of table) releaseBlock(cache, block);', 'for (const block of [...table].reverse()) releaseBlock(cache, block);']], check: 'forkSequence and freeSequence' },
  { library: 'vLLM', name: 'tail-first release in the serving scenario', exercise: EX,
    edits: [['for (const block of table) releaseBlock(cache, block);', 'for (const block of [...table].reverse()) releaseBlock(cache, block);']], check: 'memory: paged blocks' },
];
