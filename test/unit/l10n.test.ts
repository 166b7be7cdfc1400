/**
 * Everything the learner reads comes in English and Simplified Chinese:
 * - every `vscode.l10n.t('...')` string in src/ and every webview string has a zh-cn translation in the
 *   runtime bundle (media/l10n), with the same {0} placeholders, and the bundle has no stale entries;
 * - every `%key%` of package.json is in package.nls.json and package.nls.zh-cn.json, and every
 *   user-visible manifest string is such a key;
 * - every lesson has lesson.zh-cn.md, and the catalog loads it without a translation warning;
 * - every scaffold has a Chinese twin `<name>.zh-cn.ts` with the same code and its comments in Chinese;
 * - every check's name is in both languages (the runner lists them in Chinese);
 * - (elsewhere) every mistake has both texts (architecture.test), every mistake is named in both languages
 *   (catalogues.test), every scaffold fails and every artifact caption is in Chinese (course-suite).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadCatalog } from '../../src/core/lessons/catalog';
import { hasChinese } from '../../src/core/grading/text';
import { planInWorker } from '../../src/harness/host';
import { WEBVIEW_STRINGS } from '../../src/webview/messages';
import { LESSONS, ROOT, WORKER, limiter } from './helpers';

interface Step { id: string; title: string; description: string; media: { markdown: string } }
interface Contributes {
  commands: { command: string; title: string; category: string }[];
  viewsContainers: { activitybar: { id: string; title: string }[] };
  views: Record<string, { id: string; name: string }[]>;
  configuration: { title: string; properties: Record<string, { description?: string; markdownDescription?: string; enumDescriptions?: string[] }> };
  viewsWelcome?: { contents: string }[];
  walkthroughs?: { id: string; title: string; description: string; steps: Step[] }[];
}

const readJson = (file: string) => JSON.parse(readFileSync(path.join(ROOT, file), 'utf8')) as Record<string, unknown>;
const manifest = readJson('package.json');
const contributes = manifest.contributes as Contributes;
const bundleFile = path.join(String(manifest.l10n ?? ''), 'bundle.l10n.zh-cn.json');

/** Calls whose argument is not a literal, and why that is fine. */
const DYNAMIC_CALLS: Record<string, string> = {
  // strings() translates every WEBVIEW_STRINGS value, which this test checks one by one.
  'src/vscode/panels.ts': 'WEBVIEW_STRINGS',
};

/** Reads the JavaScript string literal starting at s[i] (a quote); undefined for a template with ${}. */
function literalAt(s: string, i: number): { value: string; end: number } | undefined {
  const quote = s[i];
  if (quote !== "'" && quote !== '"' && quote !== '`') return undefined;
  let value = '';
  for (let j = i + 1; j < s.length; j++) {
    const c = s[j];
    if (c === quote) return { value, end: j };
    if (quote === '`' && c === '$' && s[j + 1] === '{') return undefined;
    if (c !== '\\') { value += c; continue; }
    const n = s[++j];
    const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '0': '\0', b: '\b', f: '\f', v: '\v' };
    if (n === 'u') {
      const braced = s[j + 1] === '{';
      const hex = braced ? s.slice(j + 2, s.indexOf('}', j)) : s.slice(j + 1, j + 5);
      value += String.fromCodePoint(parseInt(hex, 16));
      j += braced ? hex.length + 2 : 4;
    } else if (n === 'x') {
      value += String.fromCharCode(parseInt(s.slice(j + 1, j + 3), 16));
      j += 2;
    } else {
      value += simple[n] ?? n;
    }
  }
  return undefined;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile() && /\.(ts|mts)$/.test(d.name))
    .map((d) => path.join(d.parentPath, d.name));
}

/** Every l10n.t string literal in src/, and the calls that pass something else. */
function runtimeStrings(): { keys: Map<string, string>; dynamic: string[] } {
  const keys = new Map<string, string>();
  const dynamic: string[] = [];
  for (const file of sourceFiles(path.join(ROOT, 'src'))) {
    const s = readFileSync(file, 'utf8');
    const rel = path.relative(ROOT, file).split(path.sep).join('/');
    for (const m of s.matchAll(/\bl10n\.t\(\s*/g)) {
      const at = m.index + m[0].length;
      const lit = literalAt(s, at);
      const line = s.slice(0, at).split('\n').length;
      if (lit) keys.set(lit.value, `${rel}:${line}`);
      else if (!DYNAMIC_CALLS[rel]) dynamic.push(`${rel}:${line}`);
    }
  }
  for (const [k, v] of Object.entries(WEBVIEW_STRINGS)) keys.set(v, `WEBVIEW_STRINGS.${k}`);
  return { keys, dynamic };
}

const placeholders = (s: string) => [...s.matchAll(/\{(\d+)\}/g)].map((m) => m[1]).sort().join(',');

test('package.json names a runtime l10n folder with a zh-cn bundle', () => {
  assert.equal(typeof manifest.l10n, 'string', 'package.json needs "l10n": "<folder>"');
  assert.ok(existsSync(path.join(ROOT, bundleFile)), `${bundleFile} is missing`);
});

test('every vscode.l10n.t string and every webview string has a zh-cn translation with the same placeholders', () => {
  const { keys, dynamic } = runtimeStrings();
  assert.ok(keys.size > 20, 'found suspiciously few strings: is the scanner broken?');
  assert.deepEqual(dynamic, [], 'l10n.t called with something other than a string literal: its text cannot be checked here');
  const zh = readJson(bundleFile);
  const missing = [...keys].filter(([k]) => typeof zh[k] !== 'string' || !(zh[k] as string).trim()).map(([k, where]) => `${where}: ${JSON.stringify(k)}`);
  assert.deepEqual(missing, [], `add these to ${bundleFile}`);
  const wrong = [...keys.keys()].filter((k) => placeholders(k) !== placeholders(zh[k] as string)).map((k) => `${JSON.stringify(k)} -> ${JSON.stringify(zh[k])}`);
  assert.deepEqual(wrong, [], 'a translation must keep every {n} placeholder');
  const stale = Object.keys(zh).filter((k) => !keys.has(k));
  assert.deepEqual(stale, [], `${bundleFile} has translations of strings no code uses any more`);
});

test('every %key% in package.json is in package.nls.json and package.nls.zh-cn.json, and no key is unused', () => {
  const text = readFileSync(path.join(ROOT, 'package.json'), 'utf8');
  const used = new Set([...text.matchAll(/"%([\w.-]+)%"/g)].map((m) => m[1]));
  assert.ok(used.size > 10);
  for (const file of ['package.nls.json', 'package.nls.zh-cn.json']) {
    const nls = readJson(file);
    const missing = [...used].filter((k) => typeof nls[k] !== 'string' || !(nls[k] as string).trim());
    assert.deepEqual(missing, [], `${file} lacks these keys`);
    assert.deepEqual(Object.keys(nls).filter((k) => !used.has(k)), [], `${file} has keys package.json does not use`);
  }
  const en = readJson('package.nls.json');
  const zh = readJson('package.nls.zh-cn.json');
  const wrong = [...used].filter((k) => placeholders(en[k] as string) !== placeholders(zh[k] as string));
  assert.deepEqual(wrong, []);
});

test('every user-visible string the manifest contributes is a %key%', () => {
  const c = contributes;
  const visible: [string, unknown][] = [];
  c.commands.forEach((x) => visible.push([`commands ${x.command} title`, x.title], [`commands ${x.command} category`, x.category]));
  c.viewsContainers.activitybar.forEach((x) => visible.push([`viewsContainers ${x.id}`, x.title]));
  Object.values(c.views).flat().forEach((x) => visible.push([`views ${x.id}`, x.name]));
  visible.push(['configuration title', c.configuration.title]);
  for (const [name, p] of Object.entries(c.configuration.properties)) {
    visible.push([`${name} description`, p.markdownDescription ?? p.description]);
    (p.enumDescriptions ?? []).forEach((d, i) => visible.push([`${name} enumDescriptions[${i}]`, d]));
  }
  (c.viewsWelcome ?? []).forEach((x, i) => visible.push([`viewsWelcome[${i}]`, x.contents]));
  for (const w of c.walkthroughs ?? []) {
    visible.push([`walkthrough ${w.id} title`, w.title], [`walkthrough ${w.id} description`, w.description]);
    for (const st of w.steps) visible.push([`step ${st.id} title`, st.title], [`step ${st.id} description`, st.description], [`step ${st.id} media`, st.media?.markdown]);
  }
  const raw = visible.filter(([, v]) => typeof v !== 'string' || !/^%[\w.-]+%$/.test(v)).map(([where, v]) => `${where}: ${JSON.stringify(v)}`);
  assert.deepEqual(raw, []);
});

test('every walkthrough step has its Markdown in both languages', () => {
  const steps = (contributes.walkthroughs ?? []).flatMap((w) => w.steps);
  assert.ok(steps.length >= 5);
  for (const file of ['package.nls.json', 'package.nls.zh-cn.json']) {
    const nls = readJson(file);
    for (const s of steps) {
      const media = nls[s.media.markdown.slice(1, -1)] as string;
      assert.ok(existsSync(path.join(ROOT, media)), `${file}: step ${s.id} names ${media}, which does not exist`);
    }
  }
});

test('every lesson has lesson.zh-cn.md and loads in Chinese without a translation warning', async () => {
  const folders = readdirSync(LESSONS, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(LESSONS, d.name, 'lesson.md'))).map((d) => d.name);
  assert.ok(folders.length > 0);
  const untranslated = folders.filter((f) => !existsSync(path.join(LESSONS, f, 'lesson.zh-cn.md')));
  assert.deepEqual(untranslated, [], 'these lessons need a lesson.zh-cn.md');
  const catalog = await loadCatalog(LESSONS, 'zh-cn');
  const warnings = catalog.problems.filter((p) => /lesson\.zh-cn\.md$/.test(p.file) || p.severity === 'warning').map((p) => `${path.relative(ROOT, p.file)}${p.field ? ` (${p.field})` : ''}: ${p.message}`);
  assert.deepEqual(warnings, []);
  assert.ok(catalog.lessons.every((l) => l.locale === 'zh-cn'), 'a lesson fell back to English');
});

/** The code of a TypeScript file without its comments, one trimmed line per non-blank line. */
export function codeOf(source: string): string {
  let out = '';
  const braces: number[] = []; // for each open template `${`, the brace depth at which it closes
  let depth = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    const n = source[i + 1];
    if (c === '/' && n === '/') { while (i < source.length && source[i] !== '\n') i++; out += '\n'; continue; }
    if (c === '/' && n === '*') { i = source.indexOf('*/', i + 2); if (i < 0) break; i++; out += ' '; continue; }
    if (c === "'" || c === '"' || (c === '`') || (c === '}' && braces.length && braces[braces.length - 1] === depth)) {
      // A string, or the rest of a template after `${...}`: copy it through to its end.
      const quote = c === '}' ? '`' : c;
      if (c === '}') braces.pop();
      out += c;
      for (i++; i < source.length; i++) {
        out += source[i];
        if (source[i] === '\\') { out += source[++i]; continue; }
        if (quote === '`' && source[i] === '$' && source[i + 1] === '{') { out += '{'; i++; braces.push(depth); break; }
        if (source[i] === quote) break;
      }
      continue;
    }
    if (c === '{') depth++;
    if (c === '}') depth--;
    out += c;
  }
  return out.split('\n').map((l) => l.trim().replace(/\s+/g, ' ')).filter(Boolean).join('\n');
}

test('codeOf keeps strings and templates whole and drops comments', () => {
  assert.equal(codeOf("const a = '// not a comment'; // a comment\n/* block */ const b = `x ${'/*'} y`; /** doc */"),
    "const a = '// not a comment';\nconst b = `x ${'/*'} y`;");
});

test('every scaffold has a Chinese twin with the same code, its comments in Chinese', async () => {
  const catalog = await loadCatalog(LESSONS);
  const exercises = catalog.lessons.flatMap((l) => l.exercises);
  assert.ok(exercises.length > 0);
  const problems: string[] = [];
  for (const e of exercises) {
    const zh = e.scaffolds['zh-cn'];
    if (zh === e.scaffold) { problems.push(`${e.id}: no ${e.fileName.replace(/\.ts$/, '.zh-cn.ts')}`); continue; }
    const en = readFileSync(e.scaffold, 'utf8');
    const cn = readFileSync(zh, 'utf8');
    if (codeOf(en) !== codeOf(cn)) {
      const a = codeOf(en).split('\n');
      const b = codeOf(cn).split('\n');
      const at = a.findIndex((l, i) => l !== b[i]);
      problems.push(`${e.id}: the code differs at code line ${at + 1}: ${JSON.stringify(a[at])} vs ${JSON.stringify(b[at])}`);
    }
    const comments = (cn.match(/\/\/.*|\/\*[\s\S]*?\*\//g) ?? []).join('\n');
    if (!hasChinese(comments)) problems.push(`${e.id}: the Chinese scaffold's comments are not in Chinese`);
  }
  assert.deepEqual(problems, []);
});

test('every check of every exercise has a Chinese name (listed by the runner in zh-cn)', async () => {
  const catalog = await loadCatalog(LESSONS);
  const limit = limiter(2);
  const exercises = catalog.lessons.flatMap((l) => l.exercises);
  const plans = await Promise.all(exercises.map((e) => limit(async () => ({
    e, zh: await planInWorker(e.checks, { workerPath: WORKER, timeoutMs: 30_000, locale: 'zh-cn' }),
    en: await planInWorker(e.checks, { workerPath: WORKER, timeoutMs: 30_000, locale: 'en' }),
  }))));
  const untranslated = plans.flatMap(({ e, zh, en }) => zh.filter((c, i) => !hasChinese(c.name) || c.name === en[i].name).map((c) => `${e.id}: ${c.name}`));
  assert.deepEqual(untranslated, []);
  // The ids (Test Explorer, --only) come from the English names, whatever the locale.
  for (const { zh, en } of plans) assert.deepEqual(zh.map((c) => c.id), en.map((c) => c.id));
});
