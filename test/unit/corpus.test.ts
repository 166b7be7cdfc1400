/** Grading truth on the corpus (test/unit/corpus.ts): no false rejects, no false accepts, and the figures printed. */
import { testCorpus } from './corpus';
import { LESSONS } from './helpers';
import { CORPUS as tensors } from './corpus/tensors';
import { CORPUS as autograd } from './corpus/autograd';
import { CORPUS as backprop } from './corpus/backprop';
import { CORPUS as mlp } from './corpus/mlp';
import { CORPUS as optimizers } from './corpus/optimizers';
import { CORPUS as regularisation } from './corpus/regularisation';
import { CORPUS as makemore } from './corpus/makemore';
import { CORPUS as rnn } from './corpus/rnn';
import { CORPUS as attention } from './corpus/attention';
import { CORPUS as decoding } from './corpus/decoding';
import { CORPUS as lora } from './corpus/lora';
import { CORPUS as alignment } from './corpus/alignment';
import { CORPUS as rlhf } from './corpus/rlhf';

testCorpus(LESSONS, {
  tensors, foundations: [...autograd, ...backprop, ...mlp, ...optimizers, ...regularisation, ...makemore, ...rnn], attention, decoding, lora, alignment, rlhf });
