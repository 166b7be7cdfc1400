/**
 * The blog draft of a lesson, against golden Markdown in both languages (lesson 2, attention): front matter
 * that Hexo and Hugo accept (YAML: title, date, tags, categories), the key ideas and the lesson's formulas as
 * KaTeX-compatible `$$` blocks, the learner's own code, their results as SVG files beside the draft, the
 * mistakes from the notebook with the code around the located line, and the lesson's papers as references.
 * `LLM_LAB_UPDATE_GOLDEN=1 node test/unit.mjs companion-export` rewrites the golden files (then read them).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import matter from 'gray-matter';
import { blogPost, emptyHistory, formulasOf, recordRun, writeDraft } from '../../src/core/companion';
import type { Artifact, RunResult } from '../../src/core/grading/result';
import { LOCALES, type Locale } from '../../src/core/grading/text';
import { loadCatalog } from '../../src/core/lessons/catalog';
import { LESSONS, ROOT, tempDir } from './helpers';

const GOLDEN = path.join(ROOT, 'test', 'unit', 'companion-golden');
const DATE = new Date('2026-01-09T18:30:00.250Z');
const SOLUTION = readFileSync(path.join(LESSONS, '02-attention', 'attention.solution.ts'), 'utf8');

const ARTIFACTS: Record<Locale, Artifact[]> = {
  en: [
    { kind: 'heatmap', title: 'Your weights (rows: queries, columns: keys)', rows: ['q0', 'q1', 'q2'], columns: ['k0', 'k1', 'k2'], values: [[1, 0, 0], [0.5, 0.5, 0], [0.2, 0.3, 0.5]] },
    { kind: 'curve', title: 'Loss', xLabel: 'step', yLabel: 'loss', series: [{ name: 'train', x: [0, 1, 2, 3], y: [2.5, 2.0, 1.8, 1.7] }] },
    { kind: 'table', title: 'not a picture', columns: ['a'], rows: [['1']] },
  ],
  'zh-cn': [
    { kind: 'heatmap', title: '你的 weights（行：query，列：key）', rows: ['q0', 'q1', 'q2'], columns: ['k0', 'k1', 'k2'], values: [[1, 0, 0], [0.5, 0.5, 0], [0.2, 0.3, 0.5]] },
    { kind: 'curve', title: '损失', xLabel: '步数', yLabel: '损失', series: [{ name: '训练', x: [0, 1, 2, 3], y: [2.5, 2.0, 1.8, 1.7] }] },
  ],
};

const MESSAGE: Record<Locale, string> = {
  en: 'The scores are not scaled: divide q·kᵀ by √d before the softmax.',
  'zh-cn': '分数没有缩放：在 softmax 之前要把 q·kᵀ 除以 √d。',
};

async function draft(locale: Locale) {
  const lesson = (await loadCatalog(LESSONS, locale)).lessons.find((l) => l.id === 'attention')!;
  const file = '/learner/llm-lab/02-attention/attention.ts';
  const line = SOLUTION.split('\n').findIndex((l) => l.includes('Math.sqrt(d)')) + 1;
  assert.ok(line > 0, 'the solution scales by Math.sqrt(d)');
  const buggy = SOLUTION.replace('mul(matmul(q, transpose(k, -2, -1)), 1 / Math.sqrt(d))', 'matmul(q, transpose(k, -2, -1))');
  const run = (status: RunResult['status'], failed: boolean): RunResult => ({
    exerciseId: 'attention/scaled-dot-product', file, status, logs: [], durationMs: 900,
    checks: [{ id: 'worked', name: locale === 'en' ? 'a worked example: 3 tokens' : '手算示例：3 个 token', status: failed ? 'failed' : 'passed', durationMs: 3, artifacts: [],
      ...(failed ? { message: `${MESSAGE[locale]}\nexpected 0.6698, got 0.7311`, hint: 'scores = q·kᵀ / √d', location: { file, line, column: 5 } } : {}) }],
  });
  let h = recordRun(emptyHistory(), { result: run('failed', true), lessonId: 'attention', code: buggy, fileName: 'attention.ts', locale, now: new Date('2026-01-08T10:00:00Z') });
  h = recordRun(h, { result: run('passed', false), lessonId: 'attention', code: SOLUTION, fileName: 'attention.ts', locale, now: new Date('2026-01-08T10:20:00Z') });
  const exercises = lesson.exercises.map((e) => ({ id: e.id, title: e.title, fileName: e.fileName, code: SOLUTION, passed: true, artifacts: ARTIFACTS[locale] }));
  return { lesson, post: (imageBase: string) => blogPost({ lesson, locale, exercises, mistakes: h.notebook, date: DATE, imageBase }) };
}

for (const locale of LOCALES) {
  test(`the blog draft of lesson 2 matches its golden Markdown (${locale})`, async () => {
    const { post } = await draft(locale);
    const p = post(`attention-${locale}`);
    const golden = path.join(GOLDEN, `attention.${locale}.md`);
    if (process.env.LLM_LAB_UPDATE_GOLDEN) writeFileSync(golden, p.markdown);
    assert.equal(p.markdown, readFileSync(golden, 'utf8'), `the draft differs from ${path.relative(ROOT, golden)}`);
    assert.deepEqual(p.images.map((i) => i.name), [`attention-${locale}-1.svg`, `attention-${locale}-2.svg`], 'the heatmap and the curve, not the table');
  });
}

test('the draft\'s front matter is YAML with what Hexo and Hugo read: title, date, tags, categories', async () => {
  for (const locale of LOCALES) {
    const { lesson, post } = await draft(locale);
    const p = post('x');
    const fm = matter(p.markdown, {}).data as Record<string, unknown>;
    assert.equal(typeof fm.title, 'string');
    assert.ok((fm.title as string).includes(lesson.title));
    // js-yaml (Hexo) reads an unquoted ISO 8601 timestamp as a date; Hugo reads the same RFC 3339 text.
    assert.ok(fm.date instanceof Date && fm.date.toISOString() === '2026-01-09T18:30:00.000Z', String(fm.date));
    assert.match(p.markdown, /^date: 2026-01-09T18:30:00Z$/m, 'RFC 3339, as Hugo wants it');
    assert.ok(Array.isArray(fm.tags) && (fm.tags as string[]).includes('attention'));
    assert.deepEqual(fm.categories, ['LLM Lab', lesson.part]);
    if (locale === 'zh-cn') assert.match(p.markdown, /## 我的代码/);
  }
});

test('formulas: display math of the lesson, as $$ blocks KaTeX renders', () => {
  assert.deepEqual(formulasOf('a $x$ b\n\n$$\nE = mc^2\n$$\n\ntext $$ a+b $$'), ['E = mc^2', 'a+b']);
});

test('writing the draft never overwrites: the draft and its images get -2 when any of them exists', async () => {
  const dir = tempDir();
  const { post } = await draft('en');
  const first = writeDraft(dir, '2026-01-09 attention en', post);
  assert.deepEqual([path.basename(first.file), ...first.images.map((f) => path.basename(f))], ['2026-01-09-attention-en.md', '2026-01-09-attention-en-1.svg', '2026-01-09-attention-en-2.svg']);
  writeFileSync(first.file, 'my edits');
  const second = writeDraft(dir, '2026-01-09 attention en', post);
  assert.equal(path.basename(second.file), '2026-01-09-attention-en-2.md');
  assert.equal(readFileSync(first.file, 'utf8'), 'my edits');
  assert.match(readFileSync(second.file, 'utf8'), /!\[Your weights \(rows: queries, columns: keys\)\]\(2026-01-09-attention-en-2-1\.svg\)/);
  assert.equal(readdirSync(dir).length, 6);
  for (const f of second.images) {
    const svg = readFileSync(f, 'utf8');
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.doesNotMatch(svg, /<script|href=/);
  }
  assert.ok(existsSync(second.images[1]));
});
