/**
 * README screenshots of the webviews, drawn by the real webview bundle (dist/webview.js) with the real
 * CSS, fed real results from the runner, in headless Debian chromium (playwright-core).
 *   npm run screenshots   ->  media/screenshots/*.png
 * A VS Code theme is stood in for by its CSS variables (Dark Modern); everything else is the product's.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { type Page, chromium } from 'playwright-core';
import { type Exercise, loadCatalog } from '../../src/core/lessons/catalog';
import { renderMarkdown } from '../../src/core/render';
import { runInWorker } from '../../src/harness/host';
import { prerequisiteFiles, solutionFolder } from '../../src/core/workspace';
import { WEBVIEW_STRINGS, type LessonView, type ToWebview } from '../../src/webview/messages';
import { softmaxWithoutMaxSubtraction } from '../fixtures/bugs.mjs';
import { attentionShots } from './attention-shots';

const ROOT = path.resolve(__dirname, '..', '..');
const OUT = path.join(ROOT, 'media', 'screenshots');

const DARK_MODERN: Record<string, string> = {
  'font-family': 'system-ui, "Segoe UI", "Liberation Sans", sans-serif', 'font-size': '13px', 'editor-font-family': '"DejaVu Sans Mono", "Liberation Mono", monospace',
  'editor-font-size': '13px', foreground: '#cccccc', 'editor-background': '#1f1f1f', descriptionForeground: '#9d9d9d',
  'textLink-foreground': '#4daafc', 'textLink-activeForeground': '#4daafc', 'textCodeBlock-background': '#2b2b2b',
  'widget-border': '#313131', 'panel-border': '#2b2b2b', 'textBlockQuote-background': '#2b2b2b', 'textBlockQuote-border': '#616161',
  'testing-iconPassed': '#73c991', 'testing-iconFailed': '#f14c4c', errorForeground: '#f85149', 'editorInfo-foreground': '#3794ff',
  'inputValidation-errorBorder': '#be1100', 'inputValidation-errorBackground': '#5a1d1d', 'button-background': '#0078d4',
  'button-foreground': '#ffffff', 'button-hoverBackground': '#026ec1', 'button-secondaryBackground': '#313131',
  'button-secondaryForeground': '#cccccc', 'button-secondaryHoverBackground': '#3c3c3c', 'button-border': '#ffffff12',
  'badge-background': '#616161', 'badge-foreground': '#f8f8f8', 'focusBorder': '#0078d4', 'icon-foreground': '#cccccc',
  'charts-blue': '#3794ff', 'diffEditor-removedTextBackground': '#f851494d', 'disabledForeground': '#cccccc80',
  'symbolIcon-keywordForeground': '#569cd6', 'symbolIcon-functionForeground': '#dcdcaa', 'symbolIcon-classForeground': '#4ec9b0',
  'symbolIcon-variableForeground': '#9cdcfe', 'debugTokenExpression-string': '#ce9178', 'debugTokenExpression-number': '#b5cea8',
  'progressBar-background': '#0078d4', 'sideBarTitle-foreground': '#cccccc',
};

function page(page: 'lesson' | 'results', messages: ToWebview[]): string {
  const vars = Object.entries(DARK_MODERN).map(([k, v]) => `--vscode-${k}: ${v};`).join(' ');
  const file = (...p: string[]) => 'file://' + path.join(ROOT, ...p);
  return `<!DOCTYPE html><html><head><meta charset="UTF-8">
<link rel="stylesheet" id="vscode-codicon-stylesheet" href="${file('dist', 'media', 'codicon.css')}">
<link rel="stylesheet" href="${file('dist', 'media', 'uPlot.min.css')}">
<link rel="stylesheet" href="${file('media', 'lab.css')}">
<style>html { ${vars} }</style></head>
<body class="vscode-dark" data-page="${page}"><main id="app"></main>
<script>
  const queued = ${JSON.stringify(messages)};
  window.acquireVsCodeApi = () => ({ postMessage(m) { if (m.type === 'ready') for (const q of queued) window.postMessage(q, '*'); } });
</script>
<script src="${file('dist', 'webview.js')}"></script></body></html>`;
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const catalog = await loadCatalog(path.join(ROOT, 'lessons'));
  const lesson = catalog.lessons[0];
  const exercise = lesson.exercises[0];
  const strings = { ...WEBVIEW_STRINGS };
  const run = (file: string) => runInWorker({ exerciseId: exercise.id, learnerFile: file, checksFile: exercise.checks },
    { workerPath: path.join(ROOT, 'dist', 'worker.js'), timeoutMs: 30_000, memoryMb: 1024 });

  // The learner's file as it would be named, with the classic softmax bug.
  const buggy = path.join(mkdtempSync(path.join(tmpdir(), 'llm-lab-shots-')), exercise.fileName);
  writeFileSync(buggy, softmaxWithoutMaxSubtraction(readFileSync(exercise.solution, 'utf8')));
  const shots: [string, 'lesson' | 'results', ToWebview[], number, ((tab: Page) => Promise<void>)?][] = [
    ['results-failed', 'results', [{ type: 'init', page: 'results', strings }, { type: 'result', title: exercise.title, result: await run(buggy) }], 1100],
    ['results-passed', 'results', [{ type: 'init', page: 'results', strings }, { type: 'result', title: exercise.title, result: await run(exercise.solution) }], 700],
  ];
  const view: LessonView = {
    id: lesson.id, title: lesson.title, part: lesson.part, minutes: lesson.minutes, objectives: lesson.objectives,
    html: renderMarkdown(lesson.body), exercises: lesson.exercises.map((e) => ({ id: e.id, title: e.title, status: 'in-progress' })),
  };
  shots.push(['lesson', 'lesson', [{ type: 'init', page: 'lesson', strings }, { type: 'lesson', lesson: view }], 1100]);
  // The attention track: heatmaps, next-character bars, greedy text next to onnxruntime's. Each run checks the
  // reference solutions laid out as a learner folder (optionally with a bug put in).
  const runExercise = async (e: Exercise, edit?: (source: string) => string) => {
    const folder = mkdtempSync(path.join(tmpdir(), 'llm-lab-shots-'));
    const file = await solutionFolder(folder, catalog, e);
    if (edit) writeFileSync(file, edit(readFileSync(file, 'utf8')));
    return runInWorker({ exerciseId: e.id, learnerFile: file, checksFile: e.checks, prerequisites: prerequisiteFiles(folder, catalog, e) },
      { workerPath: path.join(ROOT, 'dist', 'worker.js'), timeoutMs: 60_000, memoryMb: 1024 });
  };
  for (const shot of await attentionShots(catalog, strings, runExercise)) {
    shots.push([shot.name, 'results', shot.messages, shot.height, shot.prepare]);
  }

  // The training runs: a LoRA fine-tune of the bundled model, and RLHF with PPO against the reward model.
  const trainingShots: [id: string, name: string, height: number][] = [['lora-finetune/finetune', 'lora-finetune', 1300], ['rlhf/ppo-run', 'rlhf-ppo', 1300]];
  for (const [id, name, height] of trainingShots) {
    const exercise = catalog.lessons.flatMap((l) => l.exercises).find((e) => e.id === id);
    if (!exercise) continue;
    const result = await runExercise(exercise);
    shots.push([name, 'results', [{ type: 'init', page: 'results', strings }, { type: 'result', title: exercise.title, result }], height, async (tab) => {
      // Open the check that trained (it holds the curves) and bring it to the top.
      await tab.$$eval('li.check', (items) => {
        const li = items.find((x) => x.querySelector('.curve'));
        li?.querySelectorAll('details').forEach((d) => { (d as HTMLDetailsElement).open = true; });
        li?.scrollIntoView({ block: 'start' });
      });
      await tab.waitForTimeout(300);
    }]);
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
    for (const [name, kind, messages, height, prepare] of shots) {
      const html = path.join(OUT, `.${name}.html`);
      writeFileSync(html, page(kind, messages));
      await tab.setViewportSize({ width: 960, height });
      await tab.goto('file://' + html);
      await tab.waitForSelector('#app > *');
      await tab.waitForTimeout(400);
      await prepare?.(tab);
      await tab.screenshot({ path: path.join(OUT, `${name}.png`) });
      console.log(`wrote media/screenshots/${name}.png`);
    }
  } finally {
    await browser.close();
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
