/** Every track's mistake cases, run by the one catalogue runner (test/unit/catalogues.test.ts). */
import type { MistakeCase } from '../catalogue';
import { CASES as tensors } from './tensors';
import { CASES as attention } from './attention';
import { CASES as decoding } from './decoding';
import { CASES as lora } from './lora';
import { CASES as alignment } from './alignment';
import { CASES as rlhf } from './rlhf';

export const CASES: MistakeCase[] = [...tensors, ...attention, ...decoding, ...lora, ...alignment, ...rlhf];
