/** Grading truth on the corpus (test/unit/corpus.ts): no false rejects, no false accepts, and the figures printed. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type CorpusEntry, faultyLines, testCorpus } from './corpus';
import { LESSONS } from './helpers';
import { CORPUS as tensors } from './corpus/tensors';
import { CORPUS as autograd } from './corpus/autograd';
import { CORPUS as backprop } from './corpus/backprop';
import { CORPUS as mlp } from './corpus/mlp';
import { CORPUS as optimizers } from './corpus/optimizers';
import { CORPUS as regularisation } from './corpus/regularisation';
import { CORPUS as makemore } from './corpus/makemore';
import { CORPUS as rnn } from './corpus/rnn';
import { CORPUS as bpe } from './corpus/bpe';
import { CORPUS as subword } from './corpus/subword';
import { CORPUS as positions } from './corpus/positions';
import { CORPUS as pretraining } from './corpus/pretraining';
import { CORPUS as precision } from './corpus/precision';
import { CORPUS as objectives } from './corpus/objectives';
import { CORPUS as evaluation } from './corpus/evaluation';
import { CORPUS as quantization } from './corpus/quantization';
import { CORPUS as pruning } from './corpus/pruning';
import { CORPUS as distillation } from './corpus/distillation';
import { CORPUS as flash } from './corpus/flash';
import { CORPUS as paged } from './corpus/paged';
import { CORPUS as moe } from './corpus/moe';
import { CORPUS as parallel } from './corpus/parallel';
import { CORPUS as sft } from './corpus/sft';
import { CORPUS as rag } from './corpus/rag';
import { CORPUS as clip } from './corpus/clip';
import { CORPUS as prompting } from './corpus/prompting';
import { CORPUS as serving } from './corpus/serving';
import { CORPUS as attention } from './corpus/attention';
import { CORPUS as decoding } from './corpus/decoding';
import { CORPUS as lora } from './corpus/lora';
import { CORPUS as alignment } from './corpus/alignment';
import { CORPUS as rlhf } from './corpus/rlhf';

testCorpus(LESSONS, {
  tensors, foundations: [...autograd, ...backprop, ...mlp, ...optimizers, ...regularisation, ...makemore, ...rnn], attention, decoding,
  tokens: [...bpe, ...subword, ...positions, ...pretraining, ...precision, ...objectives, ...evaluation], lora, alignment, rlhf,
  scale: [...quantization, ...pruning, ...distillation, ...flash, ...paged, ...moe, ...parallel],
  apps: [...sft, ...prompting, ...rag, ...clip, ...serving] });

test('a bug\'s faulty lines are the lines it changed in the file it was made from, or only its marked line', () => {
  const base = ['a', 'b', 'c', 'd', 'e'].join('\n');
  const bug = (source: string, line: number): CorpusEntry => ({ exercise: 'x/y', name: 'n', kind: 'bug', source, line });
  assert.deepEqual(faultyLines(bug(['a', 'B', 'C', 'd', 'e'].join('\n'), 2), [], base), [2, 3]);
  assert.deepEqual(faultyLines(bug(['a', 'b', 'c', 'd', 'E'].join('\n'), 5), [{ exercise: 'x/y', name: 'other', kind: 'correct', source: 'z' }], base), [5]);
  // Far from every base (a rewritten file): only the marked line.
  assert.deepEqual(faultyLines(bug(['1', '2', '3', '4', '5', '6'].join('\n'), 3), [], base), [3]);
  // The marked line must be one of the changed ones, or it alone counts.
  assert.deepEqual(faultyLines(bug(['a', 'B', 'c', 'd', 'e'].join('\n'), 4), [], base), [4]);
});
