/**
 * A tiny DOM builder: strings always become text nodes, so learner output can never inject HTML.
 *
 * No inline styles. The panels' CSP (`style-src ${cspSource}`, no 'unsafe-inline') blocks every `style`
 * attribute, so `h()` refuses one. A value only known at run time (a bar's width, a grid's column count)
 * is written through the CSSOM with `setStyle()`: the CSP does not govern CSSOM writes. Both facts are
 * measured in the real webview by the layout suite (test/e2e/layout.mjs, "a style attribute is blocked by
 * the CSP and a CSSOM write is not").
 */
type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | undefined | ((e: Event) => void)>;

export function h(tag: string, attrs: Attrs = {}, ...children: (Child | Child[])[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (k === 'style') throw new Error('h(): a style attribute is blocked by the webview CSP; use a class, or setStyle() for a computed value');
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, '').toLowerCase(), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
  return el;
}

/** Sets computed style properties (`width`, `grid-template-columns`, `--custom`) through the CSSOM. */
export function setStyle<T extends HTMLElement | SVGElement>(el: T, props: Record<string, string>): T {
  for (const [k, v] of Object.entries(props)) el.style.setProperty(k, v);
  return el;
}
