/** Every track's mistake cases and library variants, run by the one catalogue runner (test/unit/catalogues.test.ts). */
import type { LibraryVariant, MistakeCase } from '../catalogue';
import * as tensors from './tensors';
import * as attention from './attention';
import * as decoding from './decoding';
import * as lora from './lora';
import * as alignment from './alignment';
import * as rlhf from './rlhf';

const TRACKS = [tensors, attention, decoding, lora, alignment, rlhf];

export const CASES: MistakeCase[] = TRACKS.flatMap((t) => t.CASES);
export const VARIANTS: LibraryVariant[] = TRACKS.flatMap((t) => t.VARIANTS);
