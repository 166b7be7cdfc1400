/**
 * The webview's words: English defaults (WEBVIEW_STRINGS), replaced by the host's translations when the
 * `init` message arrives. One table for main.ts, artifacts.ts and tensor.ts.
 */
import { type StringKey, type Strings, WEBVIEW_STRINGS } from './messages';

let strings: Strings = { ...WEBVIEW_STRINGS };

export function setStrings(translated: Strings): void {
  strings = { ...WEBVIEW_STRINGS, ...translated };
}

/** A string by key, with {0}, {1}... filled in. */
export function t(key: StringKey, ...args: (string | number)[]): string {
  return (strings[key] ?? WEBVIEW_STRINGS[key]).replace(/\{(\d+)\}/g, (_, i: string) => String(args[Number(i)]));
}
