/** The clip lesson's grading-truth corpus (see test/unit/corpus.ts). */
import type { CorpusEntry } from '../corpus';

export const CORPUS: CorpusEntry[] = [];
