/**
 * Words a learner reads, in every language the course speaks. A check never holds an English-only
 * sentence: names, failure messages, hints, artifact captions and axis labels are `Text`, written in
 * English and Simplified Chinese together, and shown in the learner's locale (the runner sets it).
 *
 *   fail(t(`softmax(x, ${axis}) is not a distribution`, `softmax(x, ${axis}) 不是概率分布`));
 */

export type Locale = 'en' | 'zh-cn';
export const LOCALES: readonly Locale[] = ['en', 'zh-cn'];

/** One sentence in both languages. */
export interface Text {
  en: string;
  'zh-cn': string;
}

let current: Locale = 'en';

/** The runner sets this once, before any check (or the course layer) runs. */
export function setLocale(locale: Locale): void {
  current = locale === 'zh-cn' ? 'zh-cn' : 'en';
}

export function currentLocale(): Locale {
  return current;
}

/** English and Chinese together: `t('rows sum to 1', '每行之和为 1')`. */
export function t(en: string, zh: string): Text {
  return { en, 'zh-cn': zh };
}

export function isText(v: unknown): v is Text {
  return typeof v === 'object' && v !== null && typeof (v as Text).en === 'string' && typeof (v as Text)['zh-cn'] === 'string';
}

/** The text in the current locale (or in `locale`). A plain string is passed through unchanged. */
export function say(text: Text | string, locale: Locale = current): string {
  return typeof text === 'string' ? text : text[locale];
}

/** The text in the current locale, or undefined for no text. */
export function sayMaybe(text: Text | string | undefined, locale: Locale = current): string | undefined {
  return text === undefined ? undefined : say(text, locale);
}

/** Joins texts (each language with its own), e.g. a message and an advice sentence. */
export function join(parts: (Text | undefined)[], sep = ' '): Text {
  const kept = parts.filter((p): p is Text => p !== undefined);
  return { en: kept.map((p) => p.en).join(sep), 'zh-cn': kept.map((p) => p['zh-cn']).join(sep) };
}

/** True when a string holds CJK characters: the test that a zh-cn learner was not shown English only. */
export function hasChinese(s: string): boolean {
  return /[\u3400-\u9fff]/.test(s);
}
