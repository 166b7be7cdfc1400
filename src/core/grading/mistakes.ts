/**
 * A lesson's catalogue of known mistakes (`lessons/<folder>/mistakes.ts`): what the learner is told when
 * their answer matches one, in English and Simplified Chinese. One place for the words, so the checks and
 * the test that puts every mistake through the runner (test/unit/catalogue.ts) agree on them.
 *
 *   export const MISTAKES = defineMistakes({
 *     'no-scale': {
 *       message: t('The scores are not scaled…', '注意力分数没有缩放……'),
 *       hint: t('Multiply q @ kᵀ by 1 / Math.sqrt(d)…', '把 q @ kᵀ 乘以 1 / Math.sqrt(d)……'),
 *     },
 *   });
 */
import { type Text, isText, LOCALES } from './text';

export interface Mistake {
  message: Text;
  hint: Text;
}

export type Catalogue<K extends string = string> = Readonly<Record<K, Mistake>>;

/** Checks each entry has a message and a hint in every locale (a lesson bug fails loudly at load time). */
export function defineMistakes<K extends string>(catalogue: Record<K, Mistake>): Catalogue<K> {
  for (const [key, m] of Object.entries<Mistake>(catalogue)) {
    for (const field of ['message', 'hint'] as const) {
      const text = m?.[field];
      if (!isText(text) || LOCALES.some((l) => !text[l].trim())) {
        throw new Error(`mistake "${key}": ${field} needs a non-empty text in ${LOCALES.join(' and ')}`);
      }
    }
  }
  return catalogue;
}

/** A failure message that names a catalogued mistake, as `fail` takes it: `fail(...mistake(M['no-scale']))`. */
export function mistake(m: Mistake, extra: Record<string, unknown> = {}): [Text, { hint: Text } & Record<string, unknown>] {
  return [m.message, { ...extra, hint: m.hint }];
}
