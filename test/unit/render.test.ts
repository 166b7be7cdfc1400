/** Lesson Markdown rendering: math, highlighted code, and nothing unsafe. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderMarkdown } from '../../src/core/render';

test('inline and display math render with KaTeX as MathML, with no inline styles', () => {
  const html = renderMarkdown('Softmax is $\\sigma(x)_i = e^{x_i}/\\sum_j e^{x_j}$ and\n\n$$\\frac{QK^T}{\\sqrt{d_k}}$$\n');
  assert.match(html, /<math[^>]*><semantics><mrow><mi>σ<\/mi>/);
  assert.match(html, /<math[^>]*display="block"[^>]*>/);
  assert.match(html, /<mfrac>/);
  assert.match(html, /<msqrt>/);
  assert.doesNotMatch(html, /style=/);
});

test('a math error shows the source instead of breaking the page', () => {
  const html = renderMarkdown('Broken: $\\frac{1}{$ end');
  assert.match(html, /end/);
});

test('code blocks are highlighted', () => {
  const html = renderMarkdown('```ts\nconst x: number = 1;\n```\n');
  assert.match(html, /<span class="hljs-keyword">const<\/span>/);
});

test('scripts, event handlers, iframes and remote images are removed', () => {
  const html = renderMarkdown('<script>alert(1)</script>\n\n<img src="https://evil.example/x.png" onerror="alert(2)">\n\n<iframe src="x"></iframe>\n\n[link](javascript:alert(3))\n');
  assert.doesNotMatch(html, /<script|onerror|<iframe|javascript:|evil\.example/);
});

test('relative images go through the resolver; unresolved ones keep only their alt text', () => {
  const ok = renderMarkdown('![a diagram](diagram.svg)', { resolveImage: (rel) => `https://file+.vscode-resource.vscode-cdn.net/lessons/${rel}` });
  assert.match(ok, /<img src="https:\/\/file\+\.vscode-resource\.vscode-cdn\.net\/lessons\/diagram\.svg" alt="a diagram"/);
  const dropped = renderMarkdown('![a diagram](diagram.svg)');
  assert.doesNotMatch(dropped, /<img/);
  assert.match(dropped, /a diagram/);
});
