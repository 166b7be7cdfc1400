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
  /**
   * Set when this is not a mistake but another library's convention (PyTorch, Hugging Face, nanoGPT, CleanRL,
   * PEFT...): the library it is the convention of. Its message says so ("this is the convention of <library>;
   * this lesson uses <other> because ...; change X to match"), and the learner is shown it as a convention,
   * never as an error. Where a lesson can accept both without losing its point, it accepts both instead.
   */
  convention?: string;
}

export type Catalogue<K extends string = string> = Readonly<Record<K, Mistake>>;

/** Checks each entry has a message and a hint in every locale (a lesson bug fails loudly at load time). */
export function defineMistakes<K extends string>(catalogue: Record<K, Mistake>): Catalogue<K> {
  for (const [key, m] of Object.entries<Mistake>(catalogue)) {
    if (m?.convention !== undefined && (typeof m.convention !== 'string' || !LOCALES.every((l) => m.message[l]?.includes(m.convention!)))) {
      throw new Error(`mistake "${key}": a convention's message must name its library ("${m.convention}") in ${LOCALES.join(' and ')}`);
    }
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
export function mistake(m: Mistake, extra: Record<string, unknown> = {}): [Text, { hint: Text; convention?: string } & Record<string, unknown>] {
  return [m.message, { ...extra, hint: m.hint, convention: m.convention }];
}
