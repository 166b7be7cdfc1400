/** The clip lesson's mistake cases and library variants (see test/unit/catalogue.ts). */
import type { LibraryVariant, MistakeCase } from '../catalogue';

export const CASES: MistakeCase[] = [];
export const VARIANTS: LibraryVariant[] = [];
