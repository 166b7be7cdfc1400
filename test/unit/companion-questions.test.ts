/**
 * Review questions and papers in lesson front matter (the catalog): every kind parsed exactly as the format
 * says; a malformed question is a warning naming the file and field, and is left out (never a crash); the
 * Chinese file translates prompts, choices, steps, model answers and explanations while numbers, tolerances
 * and choice indices come from the English file; a missing or mismatched translation is a warning (English
 * shown). And the count: EVERY lesson has at least five questions in both languages.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadCatalog, type LessonProblem } from '../../src/core/lessons/catalog';
import { hasChinese } from '../../src/core/grading/text';
import { FIXTURE_COURSE, LESSONS, tempDir } from './helpers';

const EN_FRONT = `id: add
title: Adding vectors
part: Fixtures
order: 1
minutes: 10
objectives: [Add two vectors]
exercises:
  - id: add/vectors
    title: Add vectors
    file: add.ts
    solution: add.solution.ts
    checks: add.checks.ts
    hints: [Loop over the elements., "out[i] = a[i] + b[i]."]`;

const QUESTIONS = `
questions:
  - id: grad-accumulate     # kebab-case, unique in the lesson
    kind: numeric
    prompt: "How many?"
    answer: 7
    tolerance: 0.001
  - { id: why-topo, kind: choice, prompt: "Why?", choices: ["a", "b"], answer: 1, explanation: "Because b." }
  - { id: steps, kind: order, prompt: "Order them", steps: ["first", "second", "third"] }
  - { id: explain, kind: open, prompt: "Explain", answer: "model answer" }
  - { id: default-tol, kind: numeric, prompt: "Default tolerance?", answer: 0.5 }
papers:
  - { title: "Attention Is All You Need", authors: "Vaswani et al.", year: 2017, arxiv: "1706.03762" }
  - { title: "No arXiv", authors: "Someone", year: 1990 }`;

const ZH = `---
title: 向量相加
part: 夹具
objectives: [把两个向量相加]
exercises:
  - id: add/vectors
    title: 向量相加
    hints: [逐个元素循环。, "out[i] = a[i] + b[i]。"]
questions:
  - { id: grad-accumulate, kind: numeric, prompt: "有多少个？" }
  - { id: why-topo, kind: choice, prompt: "为什么？", choices: ["甲", "乙"], explanation: "因为乙。" }
  - { id: steps, kind: order, prompt: "排序", steps: ["第一", "第二", "第三"] }
  - { id: explain, kind: open, prompt: "解释", answer: "参考答案" }
  - { id: default-tol, kind: numeric, prompt: "默认容差？" }
---
正文。
`;

function course(en: string, zh?: string): string {
  const root = tempDir();
  cpSync(FIXTURE_COURSE, root, { recursive: true });
  writeFileSync(path.join(root, '01-add', 'lesson.md'), `---\n${en}\n---\nText.\n`);
  if (zh !== undefined) writeFileSync(path.join(root, '01-add', 'lesson.zh-cn.md'), zh);
  return root;
}

const of = (problems: LessonProblem[]) => problems.map((p) => `${path.basename(p.file)} ${p.field ?? ''} ${p.severity}: ${p.message}`);

test('questions and papers are parsed exactly as the format says', async () => {
  const c = await loadCatalog(course(EN_FRONT + QUESTIONS));
  assert.deepEqual(of(c.problems), []);
  const l = c.lessons.find((x) => x.id === 'add')!;
  assert.deepEqual(l.questions, [
    { id: 'grad-accumulate', kind: 'numeric', prompt: 'How many?', answer: 7, tolerance: 0.001 },
    { id: 'why-topo', kind: 'choice', prompt: 'Why?', choices: ['a', 'b'], answer: 1, explanation: 'Because b.' },
    { id: 'steps', kind: 'order', prompt: 'Order them', steps: ['first', 'second', 'third'] },
    { id: 'explain', kind: 'open', prompt: 'Explain', answer: 'model answer' },
    { id: 'default-tol', kind: 'numeric', prompt: 'Default tolerance?', answer: 0.5, tolerance: 1e-6 },
  ]);
  assert.deepEqual(l.papers, [
    { title: 'Attention Is All You Need', authors: 'Vaswani et al.', year: 2017, arxiv: '1706.03762' },
    { title: 'No arXiv', authors: 'Someone', year: 1990 },
  ]);
  // A lesson without questions has none, and no problem.
  const plain = await loadCatalog(course(EN_FRONT));
  assert.deepEqual([plain.lessons.find((x) => x.id === 'add')!.questions, plain.problems], [[], []]);
});

test('a malformed question is a warning naming the file and field, and only that question is left out', async () => {
  const cases: [string, string, RegExp][] = [
    ['{ id: Bad_Id, kind: open, prompt: "p", answer: "a" }', 'questions[0].id', /kebab-case/],
    ['{ id: q, kind: essay, prompt: "p" }', 'questions[0].kind', /must be one of numeric, choice, order, open, got "essay"/],
    ['{ id: q, kind: numeric, prompt: "p", answer: "seven" }', 'questions[0].answer', /must be a number/],
    ['{ id: q, kind: numeric, prompt: "p", answer: 7, tolerance: -1 }', 'questions[0].tolerance', /relative tolerance/],
    ['{ id: q, kind: choice, prompt: "p", choices: ["a", "b"], answer: 2 }', 'questions[0].answer', /0-based index of a choice \(0 to 1\), got 2/],
    ['{ id: q, kind: choice, prompt: "p", choices: ["a"], answer: 0 }', 'questions[0].choices', /at least two/],
    ['{ id: q, kind: order, prompt: "p", steps: "first, second" }', 'questions[0].steps', /list of non-empty strings/],
    ['{ id: q, kind: open, prompt: "p" }', 'questions[0].answer', /non-empty string/],
    ['{ id: q, kind: open, answer: "a" }', 'questions[0].prompt', /non-empty string/],
    ['just text', 'questions[0]', /must be a mapping/],
  ];
  for (const [yaml, field, message] of cases) {
    const c = await loadCatalog(course(`${EN_FRONT}\nquestions:\n  - ${yaml}\n  - { id: fine, kind: open, prompt: "p", answer: "a" }`));
    assert.equal(c.lessons.length, 2, `${yaml}: the lesson still loads`);
    assert.equal(c.problems.length, 1, `${yaml}: ${JSON.stringify(of(c.problems))}`);
    const p = c.problems[0];
    assert.deepEqual([path.basename(p.file), p.field, p.severity], ['lesson.md', field, 'warning'], yaml);
    assert.match(p.message, message, yaml);
    assert.deepEqual(c.lessons.find((l) => l.id === 'add')!.questions.map((q) => q.id), ['fine'], yaml);
  }
  const dup = await loadCatalog(course(`${EN_FRONT}\nquestions:\n  - { id: a, kind: open, prompt: "p", answer: "x" }\n  - { id: a, kind: open, prompt: "q", answer: "y" }`));
  assert.deepEqual(of(dup.problems), ['lesson.md questions[1].id warning: duplicate question id "a"; the question is left out']);
  const notList = await loadCatalog(course(`${EN_FRONT}\nquestions: 5\npapers:\n  - { title: "T", authors: "A", year: "soon" }`));
  assert.deepEqual(of(notList.problems), ['lesson.md questions warning: "questions" must be a list',
    'lesson.md papers[0].year warning: "papers[0].year" must be a year, got "soon"; the paper is left out']);
});

test('the Chinese file translates the words; numbers, tolerances and indices come from the English file', async () => {
  const c = await loadCatalog(course(EN_FRONT + QUESTIONS, ZH), 'zh-cn');
  assert.deepEqual(of(c.problems), []);
  const l = c.lessons.find((x) => x.id === 'add')!;
  assert.deepEqual(l.questions, [
    { id: 'grad-accumulate', kind: 'numeric', prompt: '有多少个？', answer: 7, tolerance: 0.001 },
    { id: 'why-topo', kind: 'choice', prompt: '为什么？', choices: ['甲', '乙'], answer: 1, explanation: '因为乙。' },
    { id: 'steps', kind: 'order', prompt: '排序', steps: ['第一', '第二', '第三'] },
    { id: 'explain', kind: 'open', prompt: '解释', answer: '参考答案' },
    { id: 'default-tol', kind: 'numeric', prompt: '默认容差？', answer: 0.5, tolerance: 1e-6 },
  ]);
  assert.equal(l.papers.length, 2, 'papers come from the English file');
});

test('a missing or mismatched translation of a question is a warning, and that question is shown in English', async () => {
  const cases: [string, string, string, RegExp][] = [
    ['missing question', ZH.replace(/  - \{ id: explain[^\n]*\n/, ''), 'questions[explain]', /no translation for question "explain"/],
    ['other kind', ZH.replace('id: steps, kind: order', 'id: steps, kind: choice'), 'questions[steps].kind', /kind "choice" differs from the English "order"/],
    ['fewer choices', ZH.replace('choices: ["甲", "乙"]', 'choices: ["甲"]'), 'questions[why-topo].choices', /must list 2 non-empty strings/],
    ['fewer steps', ZH.replace('steps: ["第一", "第二", "第三"]', 'steps: ["第一", "第二"]'), 'questions[steps].steps', /must list 3/],
    ['no model answer', ZH.replace(', answer: "参考答案"', ''), 'questions[explain].answer', /missing model answer/],
    ['no explanation', ZH.replace(', explanation: "因为乙。"', ''), 'questions[why-topo].explanation', /missing explanation/],
    ['unknown id', ZH.replace('id: default-tol', 'id: default-tolerance'), 'questions[4].id', /"default-tolerance" is not in the English lesson/],
    ['no questions at all', ZH.replace(/questions:[\s\S]*?---/, '---'), 'questions', /no zh-cn translation of the 5 questions/],
  ];
  const english = (await loadCatalog(course(EN_FRONT + QUESTIONS))).lessons.find((x) => x.id === 'add')!.questions;
  for (const [what, zh, field, message] of cases) {
    const c = await loadCatalog(course(EN_FRONT + QUESTIONS, zh), 'zh-cn');
    const p = c.problems.find((x) => x.field === field);
    assert.ok(p, `${what}: no problem on ${field}: ${JSON.stringify(of(c.problems))}`);
    assert.equal(p.severity, 'warning', what);
    assert.equal(path.basename(p.file), 'lesson.zh-cn.md', what);
    assert.match(p.message, message, what);
    assert.match(p.message, /showing English/, what);
    const l = c.lessons.find((x) => x.id === 'add')!;
    assert.equal(l.title, '向量相加', `${what}: the rest of the translation still applies`);
    const id = field.match(/questions\[([a-z-]+)\]/)?.[1];
    if (id) assert.deepEqual(l.questions.find((q) => q.id === id), english.find((q) => q.id === id), `${what}: the question is shown in English`);
  }
});

test('lesson 2 (attention) has its questions in both languages, with correct answers and its papers', async () => {
  const [en, zh] = await Promise.all([loadCatalog(LESSONS, 'en'), loadCatalog(LESSONS, 'zh-cn')]);
  const a = en.lessons.find((l) => l.id === 'attention')!;
  const b = zh.lessons.find((l) => l.id === 'attention')!;
  assert.deepEqual(en.problems.filter((p) => p.file.includes('02-attention')), []);
  assert.deepEqual(zh.problems.filter((p) => p.file.includes('02-attention')), []);
  assert.ok(a.questions.length >= 5);
  assert.deepEqual(a.questions.map((q) => [q.id, q.kind]), b.questions.map((q) => [q.id, q.kind]));
  for (const q of b.questions) assert.ok(hasChinese(q.prompt), `${q.id}: the Chinese prompt is in Chinese`);
  const num = (id: string) => (a.questions.find((q) => q.id === id) as { answer: number }).answer;
  assert.equal(num('scale-factor'), Math.sqrt(64));
  assert.equal(num('masked-entries'), (128 * 127) / 2);
  const w = Math.exp(1 / Math.sqrt(2)) / (Math.exp(1 / Math.sqrt(2)) + 1);
  assert.ok(Math.abs(num('weight-two-keys') - w) / w < 1e-3, `${w}`);
  assert.deepEqual(new Set(a.questions.map((q) => q.kind)), new Set(['numeric', 'choice', 'order', 'open']));
  assert.deepEqual(a.papers.map((p) => p.arxiv), ['1706.03762', '1409.0473']);
});

/**
 * The count: every lesson has at least five review questions, in English and in Chinese (a Chinese
 * question that is missing or does not match is a translation warning, so it is counted only if it loaded
 * without one). Fails until every lesson has its questions.
 */
test('EVERY lesson has at least five review questions in both languages', async () => {
  const [en, zh] = await Promise.all([loadCatalog(LESSONS, 'en'), loadCatalog(LESSONS, 'zh-cn')]);
  const lacking: string[] = [];
  for (const l of en.lessons) {
    const z = zh.lessons.find((x) => x.id === l.id);
    const zhFile = path.join(l.dir, 'lesson.zh-cn.md');
    const untranslated = new Set(zh.problems.filter((p) => p.file === zhFile && /^questions/.test(p.field ?? '')).map((p) => p.field));
    // A lesson whose translation did not load at all is shown in English: none of its questions is translated.
    const translated = (z?.locale === 'zh-cn' ? z.questions : []).filter((q) => !untranslated.has(`questions[${q.id}]`) && ![...untranslated].some((f) => f?.startsWith(`questions[${q.id}].`)) && !untranslated.has('questions'));
    if (l.questions.length < 5 || translated.length < 5) lacking.push(`${l.folder}: ${l.questions.length} in English, ${translated.length} translated`);
  }
  assert.deepEqual(lacking, [], 'lessons with fewer than five review questions in both languages');
});
