/**
 * Lesson Markdown -> safe HTML: marked for Markdown, KaTeX for `$...$` / `$$...$$` math, highlight.js for
 * code, and sanitize-html so nothing but formatting reaches the webview. Built as its own bundle
 * (dist/render.js) and loaded on first use, so activation stays cheap.
 *
 * KaTeX writes MathML, which VS Code's Chromium draws natively: no math fonts to ship, and no inline
 * styles, so the webview's CSP can forbid them.
 */
import { Marked } from 'marked';
import markedKatex from 'marked-katex-extension';
import { markedHighlight } from 'marked-highlight';
import hljs from 'highlight.js/lib/core';
import typescript from 'highlight.js/lib/languages/typescript';
import javascript from 'highlight.js/lib/languages/javascript';
import python from 'highlight.js/lib/languages/python';
import bash from 'highlight.js/lib/languages/bash';
import json from 'highlight.js/lib/languages/json';
import sanitizeHtml from 'sanitize-html';

hljs.registerLanguage('typescript', typescript);
hljs.registerLanguage('ts', typescript);
hljs.registerLanguage('javascript', javascript);
hljs.registerLanguage('js', javascript);
hljs.registerLanguage('python', python);
hljs.registerLanguage('bash', bash);
hljs.registerLanguage('json', json);

const marked = new Marked(
  markedHighlight({
    emptyLangClass: 'hljs',
    langPrefix: 'hljs language-',
    highlight: (code, lang) => (hljs.getLanguage(lang) ? hljs.highlight(code, { language: lang }).value : code),
  }),
  markedKatex({ throwOnError: false, output: 'mathml', nonStandard: true }),
);

const MATHML = ['math', 'semantics', 'annotation', 'mrow', 'mi', 'mo', 'mn', 'ms', 'mtext', 'mspace', 'msup', 'msub',
  'msubsup', 'mfrac', 'msqrt', 'mroot', 'mover', 'munder', 'munderover', 'mtable', 'mtr', 'mtd', 'mstyle', 'mpadded',
  'menclose', 'mphantom'];

const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: [...sanitizeHtml.defaults.allowedTags, 'img', 'span', 'del', 'details', 'summary', ...MATHML],
  allowedAttributes: {
    '*': ['class', 'aria-hidden', 'title', 'id'],
    img: ['src', 'alt', 'width', 'height'],
    a: ['href', 'title'],
    math: ['xmlns', 'display'],
    annotation: ['encoding'],
    mo: ['stretchy', 'fence', 'separator', 'lspace', 'rspace', 'minsize', 'maxsize', 'mathvariant'],
    mi: ['mathvariant'],
    mspace: ['width'],
    mstyle: ['scriptlevel', 'displaystyle', 'mathcolor'],
    mpadded: ['width', 'height', 'depth', 'lspace', 'voffset'],
    mtable: ['rowspacing', 'columnspacing', 'columnalign'],
    mtd: ['columnalign'],
  },
  allowedSchemes: ['https', 'vscode-resource', 'vscode-webview-resource'],
  allowProtocolRelative: false,
};

export interface RenderOptions {
  /** Maps a relative image path in the lesson to a URL the webview may load; undefined drops the image. */
  resolveImage?(relative: string): string | undefined;
}

/** Renders lesson Markdown to sanitised HTML. */
export function renderMarkdown(markdown: string, opts: RenderOptions = {}): string {
  const html = marked.parse(markdown, { async: false }) as string;
  return sanitizeHtml(html, {
    ...SANITIZE,
    transformTags: {
      img: (tag, attribs) => {
        const src = attribs.src && !/^[a-z]+:/i.test(attribs.src) ? opts.resolveImage?.(attribs.src) : undefined;
        return src ? { tagName: 'img', attribs: { ...attribs, src } } : { tagName: 'span', attribs: {}, text: attribs.alt ?? '' };
      },
    },
  });
}
