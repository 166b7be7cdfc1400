/** The alignment track's grading-truth corpus (see test/unit/corpus.ts): other correct styles and one-bug variants. */
import type { CorpusEntry } from '../corpus';

export const CORPUS: CorpusEntry[] = [];
