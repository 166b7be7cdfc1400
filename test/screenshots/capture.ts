/**
 * README screenshots of the webviews, drawn by the real webview bundle (dist/webview.js) with the real
 * CSS under the panel's CSP (no inline styles), fed real results from the runner, in headless Debian
 * chromium (playwright-core).
 *   npm run screenshots   ->  media/screenshots/*.png
 *   LLM_LAB_SHOTS=makemore-names,rnn-gradient-norms npm run screenshots   ->  only those (and only their runs)
 * The VS Code theme is the one the real webview receives in code-server (its CSS variables and VS Code's
 * default webview styles, recorded by the layout suite in test/screenshots/themes/): Dark Modern and Light
 * Modern. One shot is in Chinese (the course's and the panel's strings, with lang="zh-cn"; on Linux that
 * needs a CJK font, e.g. fonts-wqy-microhei or fonts-noto-cjk).
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { type Page, chromium } from 'playwright-core';
import { type Exercise, loadCatalog } from '../../src/core/lessons/catalog';
import { renderMarkdown } from '../../src/core/render';
import { runInWorker } from '../../src/harness/host';
import { prerequisiteFiles, solutionFolder } from '../../src/core/workspace';
import { WEBVIEW_STRINGS, type LessonView, type Strings, type ToWebview } from '../../src/webview/messages';
import { softmaxWithoutMaxSubtraction } from '../fixtures/bugs.mjs';
import { attentionShots } from './attention-shots';

const ROOT = path.resolve(__dirname, '..', '..');
const OUT = path.join(ROOT, 'media', 'screenshots');

interface Theme { name: string; bodyClass: string; defaultStyles: string; vars: Record<string, string> }
const THEMES: Record<'dark' | 'light', Theme> = {
  dark: JSON.parse(readFileSync(path.join(__dirname, 'themes', 'dark-modern.json'), 'utf8')) as Theme,
  light: JSON.parse(readFileSync(path.join(__dirname, 'themes', 'light-modern.json'), 'utf8')) as Theme,
};

/** The panel's strings in Chinese, as the host translates them (media/l10n). */
function chineseStrings(): Strings {
  const bundle = JSON.parse(readFileSync(path.join(ROOT, 'media', 'l10n', 'bundle.l10n.zh-cn.json'), 'utf8')) as Record<string, string>;
  return Object.fromEntries(Object.entries(WEBVIEW_STRINGS).map(([k, v]) => [k, bundle[v] ?? v]));
}

interface Shot {
  name: string;
  kind: 'lesson' | 'results';
  messages: ToWebview[];
  height: number;
  width?: number;
  theme?: keyof typeof THEMES;
  lang?: 'en' | 'zh-cn';
  prepare?: (tab: Page) => Promise<void>;
}

/** The webview's page as VS Code builds it (src/vscode/webview.ts), with the same CSP, outside VS Code. */
function page(shot: Shot): string {
  const theme = THEMES[shot.theme ?? 'dark'];
  const vars = Object.entries(theme.vars).map(([k, v]) => `${k}: ${v};`).join(' ');
  const file = (...p: string[]) => 'file://' + path.join(ROOT, ...p);
  const csp = `default-src 'none'; img-src file: data:; font-src file:; style-src file: 'nonce-shot'; script-src file: 'nonce-shot'`;
  return `<!DOCTYPE html><html lang="${shot.lang ?? 'en'}"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<style nonce="shot" id="_defaultStyles">${theme.defaultStyles}</style>
<style nonce="shot">html { ${vars} }</style>
<link rel="stylesheet" id="vscode-codicon-stylesheet" href="${file('dist', 'media', 'codicon.css')}">
<link rel="stylesheet" href="${file('dist', 'media', 'uPlot.min.css')}">
<link rel="stylesheet" href="${file('media', 'lab.css')}">
</head>
<body class="${theme.bodyClass}" data-page="${shot.kind}"><main id="app"></main>
<script nonce="shot">
  const queued = ${JSON.stringify(shot.messages).replace(/</g, '\\u003c')};
  window.acquireVsCodeApi = () => ({ postMessage(m) { if (m.type === 'ready') for (const q of queued) window.postMessage(q, '*'); }, getState() {}, setState() {} });
  window.__csp = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + (e.sample || e.blockedURI)));
</script>
<script nonce="shot" src="${file('dist', 'webview.js')}"></script></body></html>`;
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const catalog = await loadCatalog(path.join(ROOT, 'lessons'));
  const lesson = catalog.lessons[0];
  const exercise = lesson.exercises[0];
  const strings = { ...WEBVIEW_STRINGS };
  const run = (file: string, locale: 'en' | 'zh-cn' = 'en') => runInWorker({ exerciseId: exercise.id, learnerFile: file, checksFile: exercise.checks, locale },
    { workerPath: path.join(ROOT, 'dist', 'worker.js'), timeoutMs: 30_000, memoryMb: 1024 });
  const results = (title: string, result: Awaited<ReturnType<typeof run>>, s: Strings = strings): ToWebview[] =>
    [{ type: 'init', page: 'results', strings: s }, { type: 'result', title, result }];

  // The learner's file as it would be named, with the classic softmax bug; the same in Chinese, light theme.
  const buggy = path.join(mkdtempSync(path.join(tmpdir(), 'llm-lab-shots-')), exercise.fileName);
  writeFileSync(buggy, softmaxWithoutMaxSubtraction(readFileSync(exercise.solution, 'utf8')));
  const zhTitle = (await loadCatalog(path.join(ROOT, 'lessons'), 'zh-cn')).lessons[0].exercises[0].title;
  const shots: Shot[] = [
    { name: 'results-failed', kind: 'results', messages: results(exercise.title, await run(buggy)), height: 1100 },
    { name: 'results-passed', kind: 'results', messages: results(exercise.title, await run(exercise.solution)), height: 700, theme: 'light' },
    { name: 'results-failed-zh-cn', kind: 'results', messages: results(zhTitle, await run(buggy, 'zh-cn'), chineseStrings()), height: 1100, theme: 'light', lang: 'zh-cn' },
  ];
  const view: LessonView = {
    id: lesson.id, title: lesson.title, part: lesson.part, minutes: lesson.minutes, objectives: lesson.objectives,
    html: renderMarkdown(lesson.body), exercises: lesson.exercises.map((e) => ({ id: e.id, title: e.title, status: 'in-progress' })),
  };
  shots.push({ name: 'lesson', kind: 'lesson', messages: [{ type: 'init', page: 'lesson', strings }, { type: 'lesson', lesson: view }], height: 1100 });
  // The attention track: heatmaps, next-character bars, greedy text next to onnxruntime's. Each run checks the
  // reference solutions laid out as a learner folder (optionally with a bug put in).
  const runExercise = async (e: Exercise, edit?: (source: string) => string, locale: 'en' | 'zh-cn' = 'en') => {
    const folder = mkdtempSync(path.join(tmpdir(), 'llm-lab-shots-'));
    const file = await solutionFolder(folder, catalog, e);
    if (edit) writeFileSync(file, edit(readFileSync(file, 'utf8')));
    return runInWorker({ exerciseId: e.id, learnerFile: file, checksFile: e.checks, locale, prerequisites: prerequisiteFiles(folder, catalog, e) },
      { workerPath: path.join(ROOT, 'dist', 'worker.js'), timeoutMs: 300_000, memoryMb: 1024 });
  };
  const only = process.env.LLM_LAB_SHOTS?.split(',').filter(Boolean);
  const wanted = (name: string) => !only || only.includes(name);
  for (const shot of only && !only.some((n) => n.startsWith('attention') || n.startsWith('gpt')) ? [] : await attentionShots(catalog, strings, runExercise)) {
    shots.push({ ...shot, kind: 'results' });
    // The same every-layer-and-head view in a panel beside an editor (446 px), light theme: it fits.
    if (shot.name === 'attention-heatmaps') shots.push({ ...shot, name: 'attention-heatmaps-narrow', kind: 'results', width: 446, height: 1300, theme: 'light' });
  }

  // The training runs: a LoRA fine-tune of the bundled model (light theme), RLHF with PPO against the reward model,
  // the foundations' name model trained live, the recurrent networks' gradient norms (also in Chinese), a small GPT
  // pretrained from scratch (also in Chinese), and the BPE merges as they are learned.
  // The efficiency track: validation loss as sparsity grows, PagedAttention's memory against a contiguous cache, and
  // the parallel-training memory ledger; the applications track: CLIP's similarities, retrieval, and the serving
  // lesson's token arrival times (focus: a piece of the check's name to bring to the top).
  const trainingShots: [id: string, name: string, height: number, theme: Shot['theme'], lang?: 'zh-cn', focus?: string][] = [
    ['clip/clip', 'clip-similarity', 1400, 'dark'], ['rag/retrieve', 'rag-retrieval', 1200, 'light', undefined, 'retrieval evaluation'],
    ['pruning/prune', 'pruning-sparsity', 1100, 'light'], ['paged-attention/paged', 'paged-memory', 1100, 'dark'],
    ['parallel/parallel', 'parallel-ledger', 1200, 'dark', undefined, 'ZeRO'], ['parallel/parallel', 'parallel-ledger-zh-cn', 1200, 'light', 'zh-cn', 'ZeRO'],
    ['pretraining/train', 'pretraining-live', 1300, 'dark'], ['pretraining/train', 'pretraining-live-zh-cn', 1300, 'light', 'zh-cn'],
    ['bpe/tokenizer', 'bpe-merges', 1100, 'light'],
    ['serving/server', 'serving-stream', 1300, 'dark', undefined, 'time to first token'],
    ['serving/server', 'serving-stream-zh-cn', 1300, 'light', 'zh-cn', '首 token 延迟'],
    ['lora-finetune/finetune', 'lora-finetune', 1300, 'light'], ['rlhf/ppo-run', 'rlhf-ppo', 1300, 'dark'],
    ['makemore/names', 'makemore-names', 1300, 'dark'], ['rnn/cells', 'rnn-gradient-norms', 1100, 'light'],
    ['rnn/cells', 'rnn-gradient-norms-zh-cn', 1100, 'dark', 'zh-cn'],
  ];
  const zhCatalog = await loadCatalog(path.join(ROOT, 'lessons'), 'zh-cn');
  for (const [id, name, height, theme, lang, focus] of trainingShots) {
    const exercise = catalog.lessons.flatMap((l) => l.exercises).find((e) => e.id === id);
    if (!exercise || !wanted(name)) continue;
    const result = await runExercise(exercise, undefined, lang ?? 'en');
    const title = lang ? zhCatalog.lessons.flatMap((l) => l.exercises).find((e) => e.id === id)!.title : exercise.title;
    shots.push({ name, kind: 'results', messages: results(title, result, lang ? chineseStrings() : strings), height, theme, lang, prepare: async (tab) => {
      // Bring the check that trained (it holds the curves; for BPE, the merges table) to the top, its tables and
      // samples unfolded.
      await tab.$$eval('li.check', (items, focusName) => {
        const li = (focusName ? items.find((x) => x.textContent?.includes(focusName)) : undefined)
          ?? items.find((x) => x.querySelector('.curve')) ?? items.find((x) => x.querySelector('table'));
        li?.querySelectorAll('details').forEach((d) => { (d as HTMLDetailsElement).open = true; });
        li?.scrollIntoView({ block: 'start' });
      }, focus);
      await tab.waitForTimeout(300);
    } });
  }

  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--allow-file-access-from-files'] });
  try {
    // The Marketplace icon, 128 x 128, from its SVG.
    const iconTab = await browser.newPage({ viewport: { width: 128, height: 128 } });
    await iconTab.goto('file://' + path.join(ROOT, 'media', 'icon-marketplace.svg'));
    await iconTab.screenshot({ path: path.join(ROOT, 'media', 'icon.png'), omitBackground: true });
    console.log('wrote media/icon.png');
    const tab = await browser.newPage({ viewport: { width: 960, height: 800 }, deviceScaleFactor: 1 });
    for (const shot of shots.filter((x) => wanted(x.name))) {
      const html = path.join(OUT, `.${shot.name}.html`);
      writeFileSync(html, page(shot));
      await tab.setViewportSize({ width: shot.width ?? 960, height: shot.height });
      await tab.goto('file://' + html);
      await tab.waitForSelector('#app > *');
      await tab.waitForTimeout(400);
      await shot.prepare?.(tab);
      // The page runs under the panel's CSP: a blocked style would be a layout the learner never sees.
      const blocked = await tab.evaluate(() => (window as unknown as { __csp: string[] }).__csp);
      if (blocked.length) throw new Error(`${shot.name}: ${blocked.length} CSP violations, e.g. ${blocked[0]}`);
      await tab.screenshot({ path: path.join(OUT, `${shot.name}.png`) });
      console.log(`wrote media/screenshots/${shot.name}.png (${shot.theme ?? 'dark'}, ${shot.width ?? 960} px${shot.lang ? `, ${shot.lang}` : ''})`);
    }
  } finally {
    await browser.close();
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
