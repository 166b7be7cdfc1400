/**
 * Short names for narrow places (the Lessons tree, the status bar); the full title goes in the tooltip.
 * Pure string functions, no `vscode`, so they are unit-tested in plain Node.
 */

/** "Tensors: numbers with a shape" -> "Tensors". */
export function shortTitle(title: string): string {
  const cut = title.search(/[:：]/);
  return (cut > 0 ? title.slice(0, cut) : title).trim();
}

/** Display width in narrow-font units: a CJK character is about two Latin letters wide. */
function width(s: string): number {
  return [...s].reduce((w, ch) => w + (/[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]/.test(ch) ? 2 : 1), 0);
}

/**
 * A label that fits the Lessons tree at its default width (about 30 units): the title before its colon,
 * and if that is still too long, up to the last comma, "and", "with" or bracket that keeps it short,
 * else whole words with an ellipsis. "Strides, offset, matmul and softmax" -> "Strides, offset, matmul".
 */
export function shortLabel(title: string, max = 30): string {
  const head = shortTitle(title);
  if (width(head) <= max) return head;
  let best = -1;
  for (const m of head.matchAll(/\s*[,，、;；(（]\s*|\s+(?:and|with|or)\s+|\s*(?:以及|[和与])\s*/g)) {
    if (m.index > 0 && width(head.slice(0, m.index)) <= max) best = m.index;
  }
  if (best > 0) return head.slice(0, best).replace(/[\s,，、;；]+$/, '');
  let out = '';
  for (const word of head.split(/(\s+)/)) {
    if (width(out + word) > max - 1) break;
    out += word;
  }
  return out.trim() ? `${out.trim()}…` : `${[...head].slice(0, max - 1).join('')}…`;
}
