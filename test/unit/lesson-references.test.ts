/**
 * Lessons refer to each other by title, never by number. The sidebar shows no numbers and the course's order
 * changes as lessons are added, so "lesson 9's reward model" or "第 12 课" points at nothing a learner can see;
 * "the reward-model lesson" / "奖励模型一课" keeps working. This test scans everything a learner reads:
 * - every lesson's lesson.md and lesson.zh-cn.md (body and front matter), line by line;
 * - every scaffold `<name>.ts` and `<name>.zh-cn.ts`, whole (its comments are the learner's instructions);
 * - the string literals (template parts included) of every other .ts file in a lesson folder (checks: names,
 *   messages, hints, artifact texts; mistakes.ts: messages and hints; solutions) and of src/course/** (the texts
 *   the runner shows in panels; the data generators make-*.ts excepted).
 * and fails with file:line for "lesson 9", "Lessons 10-12", "lesson-7 code", "第 12 课", "第 10、11 课"...
 * A string that is only an identifier such as a catalogue key ('lesson-7') is not text and is not reported.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { LESSONS, ROOT } from './helpers';

/** A reference to a lesson by number, in English or in Chinese. */
const BY_NUMBER = [
  /\b[Ll]essons?[ \u00a0-]?\d+[a-z]?\b/,
  /第\s*\d+[a-z]?(\s*[-–—~、,，和与及至到]\s*\d+[a-z]?)*\s*课/,
];
/** A literal that is an identifier (a catalogue key, a record key), not a sentence. */
const IDENTIFIER = /^[a-z0-9]+(-[a-z0-9]+)*$/;

const byNumber = (text: string) => BY_NUMBER.some((re) => re.test(text));
const rel = (file: string) => path.relative(ROOT, file).split(path.sep).join('/');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? filesUnder(file) : [file];
  });
}

/** Every line of a file that refers to a lesson by number, as "file:line: text". */
function scanLines(file: string): string[] {
  return readFileSync(file, 'utf8').split('\n').flatMap((line, i) => (byNumber(line) ? [`${rel(file)}:${i + 1}: ${line.trim()}`] : []));
}

/**
 * The string literals of a TypeScript file, template parts included (each `${…}` is scanned as code), with the line
 * each starts on. Comments are skipped; a `/` where an operand is expected starts a regular expression.
 */
export function stringLiterals(src: string): { text: string; line: number }[] {
  const out: { text: string; line: number }[] = [];
  let i = 0;
  let line = 1;
  let prev = '';           // the last significant character outside strings and comments
  const braces: number[] = []; // for each open template `${`, the brace depth it was opened at
  let depth = 0;
  const readQuoted = (quote: string): void => {
    const start = line;
    let text = '';
    for (i++; i < src.length && src[i] !== quote; i++) {
      if (src[i] === '\\') { text += src[i + 1] === '\n' ? '' : src[i + 1]; if (src[i + 1] === '\n') line++; i++; continue; }
      if (src[i] === '\n') line++;
      text += src[i];
    }
    i++;
    out.push({ text, line: start });
    prev = quote;
  };
  /** Reads template text from i (just after ` or }) to the next ` (end) or ${ (an expression follows). */
  const readTemplate = (): void => {
    const start = line;
    let text = '';
    for (; i < src.length; i++) {
      const c = src[i];
      if (c === '\\') { text += src[i + 1]; if (src[i + 1] === '\n') line++; i++; continue; }
      if (c === '`') { i++; out.push({ text, line: start }); prev = '`'; return; }
      if (c === '$' && src[i + 1] === '{') { i += 2; out.push({ text, line: start }); braces.push(depth); depth++; prev = '{'; return; }
      if (c === '\n') line++;
      text += c;
    }
  };
  while (i < src.length) {
    const c = src[i];
    if (c === '\n') { line++; i++; continue; }
    if (c === ' ' || c === '\t' || c === '\r') { i++; continue; }
    if (c === '/' && src[i + 1] === '/') { while (i < src.length && src[i] !== '\n') i++; continue; }
    if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      const stop = end < 0 ? src.length : end + 2;
      for (let j = i; j < stop; j++) if (src[j] === '\n') line++;
      i = stop;
      continue;
    }
    if (c === "'" || c === '"') { readQuoted(c); continue; }
    if (c === '`') { i++; readTemplate(); continue; }
    if (c === '/' && (prev === '' || '(,=:[!&|?{};+-*%<>~^'.includes(prev) || /\breturn$/.test(src.slice(Math.max(0, i - 7), i).trimEnd()))) {
      let inClass = false;
      for (i++; i < src.length && src[i] !== '\n'; i++) {
        if (src[i] === '\\') { i++; continue; }
        if (src[i] === '[') inClass = true;
        else if (src[i] === ']') inClass = false;
        else if (src[i] === '/' && !inClass) break;
      }
      i++;
      while (/[a-z]/.test(src[i] ?? '')) i++;
      prev = ')';
      continue;
    }
    if (c === '{') depth++;
    if (c === '}') {
      depth--;
      if (braces.length && braces[braces.length - 1] === depth) { braces.pop(); i++; readTemplate(); continue; }
    }
    prev = c;
    i++;
  }
  return out;
}

/** Every string literal and template part of a TypeScript file that refers to a lesson by number. */
function scanStrings(file: string): string[] {
  return stringLiterals(readFileSync(file, 'utf8'))
    .filter(({ text }) => !IDENTIFIER.test(text) && byNumber(text))
    .map(({ text, line }) => `${rel(file)}:${line}: ${JSON.stringify(text.length > 160 ? `${text.slice(0, 160)}…` : text)}`);
}

/**
 * A data generator of the course layer (make-preferences.ts, make-excerpts.ts): a developer runs it, it is not
 * exported from its part's index, and its strings end up in data files (a JSON "about" field), not in a panel.
 */
const GENERATOR = /^make-.*\.ts$/;

const isScaffold = (name: string) => name.endsWith('.ts') && !/\.(solution|checks)\.ts$/.test(name) && name !== 'mistakes.ts';

test('the patterns catch references by number and let titles and other numbers through', () => {
  for (const s of ['lesson 9\'s reward model', 'Lesson 12 runs it', 'Lessons 10-12 build', 'your lesson-7 LoRALinear',
    'lessons 12 and 13', '第 12 课', '第12课', '第 10、11 课', '第 7-8 课', '（第 1 课）']) assert.ok(byNumber(s), s);
  for (const s of ['the reward-model lesson', 'RLHF 一课', '《GPT 的前向传播》一课', 'section 5', '第 6 节', '第 0 层',
    'step 3 of the lesson', 'this lesson\'s 64 samples', '第 3 步']) assert.ok(!byNumber(s), s);
  assert.ok(IDENTIFIER.test('lesson-7-rslora') && !IDENTIFIER.test('your lesson-7 code'));
  const code = "const a = t('one', '二'); // 'not' a string\n/* 'nor' this */ const r = /'x\\//g;\nf(`head ${g({ k: 'in' })} tail`, \"dq \\\" q\");";
  assert.deepEqual(stringLiterals(code), [
    { text: 'one', line: 1 }, { text: '二', line: 1 }, { text: 'head ', line: 3 }, { text: 'in', line: 3 }, { text: ' tail', line: 3 },
    { text: 'dq " q', line: 3 }]);
});

test('no learner-visible text refers to a lesson by its number (lessons/**, src/course/**)', () => {
  const found: string[] = [];
  for (const folder of readdirSync(LESSONS).sort()) {
    const dir = path.join(LESSONS, folder);
    if (!statSync(dir).isDirectory()) continue;
    for (const name of readdirSync(dir).sort()) {
      const file = path.join(dir, name);
      if (name.endsWith('.md')) found.push(...scanLines(file));
      else if (isScaffold(name)) found.push(...scanLines(file));
      else if (name.endsWith('.ts')) found.push(...scanStrings(file));
    }
  }
  for (const file of filesUnder(path.join(ROOT, 'src', 'course')).sort()) {
    if (file.endsWith('.ts') && !GENERATOR.test(path.basename(file))) found.push(...scanStrings(file));
  }
  assert.deepEqual(found, [], `${found.length} reference(s) to a lesson by number: refer to it by its title instead `
    + `("the reward-model lesson", "奖励模型一课"):\n${found.join('\n')}`);
});
