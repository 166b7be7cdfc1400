/** Every track's mistake cases and library variants, run by the one catalogue runner (test/unit/catalogues.test.ts). */
import type { LibraryVariant, MistakeCase } from '../catalogue';
import * as tensors from './tensors';
import * as autograd from './autograd';
import * as backprop from './backprop';
import * as mlp from './mlp';
import * as optimizers from './optimizers';
import * as regularisation from './regularisation';
import * as makemore from './makemore';
import * as rnn from './rnn';
import * as bpe from './bpe';
import * as subword from './subword';
import * as positions from './positions';
import * as pretraining from './pretraining';
import * as precision from './precision';
import * as objectives from './objectives';
import * as evaluation from './evaluation';
import * as attention from './attention';
import * as decoding from './decoding';
import * as lora from './lora';
import * as quantization from './quantization';
import * as pruning from './pruning';
import * as distillation from './distillation';
import * as flash from './flash';
import * as paged from './paged';
import * as moe from './moe';
import * as parallel from './parallel';
import * as sft from './sft';
import * as rag from './rag';
import * as clip from './clip';
import * as prompting from './prompting';
import * as serving from './serving';
import * as alignment from './alignment';
import * as rlhf from './rlhf';

const TRACKS = [tensors, autograd, backprop, mlp, optimizers, regularisation, makemore, rnn, attention, decoding, bpe, subword, positions, pretraining, precision, objectives, evaluation, lora, alignment, rlhf, quantization, pruning, distillation, flash, paged, moe, parallel, sft, prompting, rag, clip, serving];

export const CASES: MistakeCase[] = TRACKS.flatMap((t) => t.CASES);
export const VARIANTS: LibraryVariant[] = TRACKS.flatMap((t) => t.VARIANTS);
