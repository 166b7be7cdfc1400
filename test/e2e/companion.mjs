// The study companion in a real VS Code (the packaged VSIX in code-server), the way a learner uses it: make a plan,
// check a buggy attention (the mistake lands in the notebook with the located line), fix it, answer two review
// questions (one wrong), open the weekly review and export it, review the mistake in a scratch copy, and write up
// the lesson as a blog draft; then the same pages in Chinese. Each page is measured (nothing wider than the panel,
// no CSP violation, the plan's uPlot timeline drawn at a sensible size) and photographed:
// test-results/e2e/companion-*.png. Look at them.
import fs from 'node:fs';
import path from 'node:path';
import { attentionWithoutScaling } from '../fixtures/bugs.mjs';
import { runCommand, waitFor, webviewPageErrors, webviewWith } from './ui.mjs';

const EXERCISE = { id: 'attention/scaled-dot-product', lessonFolder: '02-attention', file: 'attention.ts', solution: 'attention.solution.ts' };

/** Answers an input box whose title is `title`. */
async function answerInput(page, title, value) {
  const widget = page.locator('.quick-input-widget');
  await widget.locator('.quick-input-title', { hasText: title }).waitFor({ timeout: 20_000 });
  const input = widget.locator('input').first();
  await input.fill(value);
  await page.keyboard.press('Enter');
}

/** Runs in the companion webview: what the learner sees, measured. */
function measure() {
  const client = document.documentElement.clientWidth;
  const describe = (el) => `${el.tagName.toLowerCase()}${typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\s+/).join('.') : ''}`;
  const overflow = [];
  if (document.scrollingElement.scrollWidth > client + 1) overflow.push(`the page scrolls sideways: ${document.scrollingElement.scrollWidth} px in ${client} px`);
  for (const el of document.querySelectorAll('#app *')) {
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height || r.right <= client + 1) continue;
    let clipped = false;
    for (let a = el.parentElement; a && a !== document.body && !clipped; a = a.parentElement) {
      clipped = /(auto|scroll|hidden|clip)/.test(getComputedStyle(a).overflowX) && a.getBoundingClientRect().right <= client + 1;
    }
    if (!clipped) overflow.push(`${describe(el)} ends at ${Math.round(r.right)} px (panel ${client} px)`);
  }
  const canvas = document.querySelector('.cp-timeline canvas');
  return {
    page: document.body.dataset.companion, width: client, overflow: overflow.slice(0, 10), csp: (window.__csp ?? []).splice(0),
    canvas: canvas ? { w: canvas.getBoundingClientRect().width, h: canvas.getBoundingClientRect().height } : undefined,
    text: document.getElementById('app').innerText,
  };
}

/** The newest LLM Lab log of this suite's servers (code-server's user data sits beside the screenshots). */
function extensionLog(dir) {
  const logs = [];
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name === 'LLM Lab.log') logs.push(p);
    }
  };
  try { walk(dir); } catch { return '(no log found)'; }
  const newest = logs.sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0];
  return newest ? fs.readFileSync(newest, 'utf8') : '(no log found)';
}

export async function companionTests({ page, ws, root, out, log }) {
  const started = Date.now();
  const folder = path.join(ws, 'llm-lab');
  const learnerFile = path.join(folder, EXERCISE.lessonFolder, EXERCISE.file);
  const solution = fs.readFileSync(path.join(root, 'lessons', EXERCISE.lessonFolder, EXERCISE.solution), 'utf8');
  const buggy = attentionWithoutScaling(solution);
  const companionDir = path.join(folder, '.llm-lab');
  let passed = 0, failed = 0;
  const consoleCsp = [];
  page.on('console', (m) => { if (/Content Security Policy|Refused to apply inline style/i.test(m.text())) consoleCsp.push(m.text().slice(0, 200)); });
  const shot = (name) => page.screenshot({ path: path.join(out, `companion-${name}.png`) });
  const test = async (name, fn) => {
    try {
      await fn();
      console.log(`  ✔ ${name}`);
      passed++;
    } catch (e) {
      await page.screenshot({ path: path.join(out, `companion-${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}-FAILED.png`) }).catch(() => {});
      console.log(`  ✖ ${name}\n      ${String(e?.message ?? e).split('\n').join('\n      ')}`);
      failed++;
    }
  };
  const checkAndWait = async (summary) => {
    await page.locator('.tabs-container .tab', { hasText: EXERCISE.file }).first().click();
    await runCommand(page, 'LLM Lab: Check Exercise', log);
    const frame = await webviewWith(page, '.results-head .summary');
    await frame.locator('.results-head .summary', { hasText: summary }).waitFor({ timeout: 120_000 });
  };
  let frame;
  /** The companion's webview frame, with a CSP listener installed once. */
  const companion = async (selector) => {
    frame = await webviewWith(page, selector);
    await frame.evaluate(() => {
      if (window.__csp) return;
      window.__csp = [];
      document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective}: ${e.sample || e.blockedURI}`));
    });
    return frame;
  };
  /** Layout facts every page must satisfy. */
  const assertLayout = async (what, extra = () => {}) => {
    await page.waitForTimeout(400);
    const m = await frame.evaluate(measure);
    log(`${what}: ${m.width} px, ${m.overflow.length} overflowing, csp ${m.csp.length}${m.canvas ? `, timeline ${Math.round(m.canvas.w)}x${Math.round(m.canvas.h)}` : ''}`);
    if (m.overflow.length) throw new Error(`${what}: wider than the panel:\n${m.overflow.join('\n')}`);
    const csp = [...m.csp, ...consoleCsp.splice(0)];
    if (csp.length) throw new Error(`${what}: ${csp.length} CSP violations, e.g. ${csp.slice(0, 3).join(' | ')}`);
    extra(m);
    return m;
  };

  // A history file broken by hand before the learner starts: reported and set aside, never silently replaced.
  const BROKEN = '{"version": 1, "events": [';
  fs.mkdirSync(path.join(companionDir, 'companion'), { recursive: true });
  fs.writeFileSync(path.join(companionDir, 'companion', 'history.json'), BROKEN);

  await page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
  await page.locator('#workbench\\.parts\\.statusbar').waitFor({ timeout: 60_000 });

  await test('the learner opens the attention exercise and makes a study plan (2 h a day, 5 days a week)', async () => {
    const icon = page.locator('.activitybar .action-item a[aria-label^="LLM Lab"]').first();
    await icon.waitFor({ timeout: 60_000 });
    await icon.click();
    await runCommand(page, 'LLM Lab: Open Exercise', log);
    await page.locator('.quick-input-widget .quick-input-title', { hasText: 'Which exercise?' }).waitFor({ timeout: 20_000 });
    await page.locator('.quick-input-widget input').first().fill(EXERCISE.id); // the course is longer than the list
    const pick = page.locator('.quick-input-list .monaco-list-row', { hasText: EXERCISE.id }).first();
    await pick.waitFor({ timeout: 20_000 });
    await pick.click();
    await waitFor(() => fs.existsSync(learnerFile), `${learnerFile} to exist`);
    // On a busy machine the palette can swallow an Enter: run it again until its first input box shows.
    for (let attempt = 1; ; attempt++) {
      await runCommand(page, 'LLM Lab: Make a Study Plan', log);
      try {
        await page.locator('.quick-input-widget .quick-input-title', { hasText: 'Study plan (1/3)' }).waitFor({ timeout: 10_000 });
        break;
      } catch (e) { if (attempt === 3) throw e; }
    }
    await answerInput(page, 'Study plan (1/3)', '2');
    await answerInput(page, 'Study plan (2/3)', '5');
    await answerInput(page, 'Study plan (3/3)', new Date().toISOString().slice(0, 10));
    await waitFor(() => fs.existsSync(path.join(companionDir, 'companion', 'plan.json')), 'plan.json');
    await companion('.cp-plan');
    await frame.locator('.cp-timeline canvas').first().waitFor({ state: 'attached', timeout: 20_000 });
    // The tree's "This week" group and the status bar item follow the plan.
    await page.locator('.pane-body .monaco-list-row', { hasText: /This week \(week 1\)/ }).first().waitFor({ timeout: 30_000 });
    await page.locator('#workbench\\.parts\\.statusbar', { hasText: /Week 1/ }).waitFor({ timeout: 30_000 });
  });

  await test('the hand-broken history.json is reported by name and kept as history.corrupt-<time>.json', async () => {
    // A warning toast hides after a while: look in the notification center, where it stays.
    await runCommand(page, 'Notifications: Show Notifications', log);
    await page.locator('.notifications-center .notification-list-item', { hasText: /LLM Lab could not read history\.json \(not valid JSON/ }).first().waitFor({ timeout: 30_000 });
    const aside = fs.readdirSync(path.join(companionDir, 'companion')).filter((f) => /^history\.corrupt-.+\.json$/.test(f));
    if (aside.length !== 1 || fs.readFileSync(path.join(companionDir, 'companion', aside[0]), 'utf8') !== BROKEN) throw new Error(`set aside: ${aside.join(', ')}`);
    await shot('corrupt-history');
    await runCommand(page, 'Notifications: Clear All Notifications', log);
  });

  await test('a buggy attention is checked: its mistake lands in the notebook with the located line and the code', async () => {
    fs.writeFileSync(learnerFile, buggy);
    await page.waitForTimeout(1500);
    await checkAndWait(/\d+ of \d+ checks passed/);
    await waitFor(() => {
      const file = path.join(companionDir, 'companion', 'history.json');
      if (!fs.existsSync(file)) return false;
      const h = JSON.parse(fs.readFileSync(file, 'utf8'));
      return h.notebook.some((n) => /not scaled/i.test(n.message) && n.line > 0 && n.code.includes('matmul(q, transpose(k, -2, -1))'));
    }, 'a notebook entry for the unscaled scores');
  });

  await test('the fix passes and marks the mistake fixed', async () => {
    fs.writeFileSync(learnerFile, solution);
    await page.waitForTimeout(1500);
    await checkAndWait(/All \d+ checks passed/);
    await waitFor(() => {
      const h = JSON.parse(fs.readFileSync(path.join(companionDir, 'companion', 'history.json'), 'utf8'));
      return h.events.some((e) => e.type === 'passed' && e.exerciseId === EXERCISE.id) && h.notebook.every((n) => n.exerciseId !== EXERCISE.id || n.fixedAt);
    }, 'the pass and the fix in history.json');
    await waitFor(() => fs.existsSync(path.join(companionDir, 'companion', 'runs', 'attention-scaled-dot-product.json')), 'the passing run\'s artifacts');
  });

  await test('two review questions: one right (numeric), one wrong (choice), with feedback, and scheduled', async () => {
    await runCommand(page, 'LLM Lab: Review Questions', log);
    await companion('.cp-questions');
    const numeric = frame.locator('.cp-question[data-key="attention/scale-factor"]');
    await numeric.waitFor({ timeout: 20_000 });
    await numeric.locator('input.cp-input').fill('8');
    await numeric.locator('vscode-button.cp-submit').click();
    await frame.locator('.cp-question.right[data-key="attention/scale-factor"]').waitFor({ timeout: 20_000 });
    const choice = frame.locator('.cp-question[data-key="attention/softmax-axis"]');
    await choice.locator('button.cp-choice').nth(1).click(); // "the first axis": wrong
    await frame.locator('.cp-question.wrong[data-key="attention/softmax-axis"] .cp-feedback', { hasText: 'The last axis' }).waitFor({ timeout: 20_000 });
    const h = JSON.parse(fs.readFileSync(path.join(companionDir, 'companion', 'history.json'), 'utf8'));
    const right = h.questions['attention/scale-factor'], wrong = h.questions['attention/softmax-axis'];
    if (!right || !wrong || right.wrong !== 0 || wrong.wrong !== 1) throw new Error(`answers not recorded: ${JSON.stringify(h.questions)}`);
    if (!(Date.parse(wrong.card.due) < Date.parse(right.card.due))) throw new Error('the wrong answer should come back sooner');
    await assertLayout('questions');
    await shot('questions');
  });

  await test('the plan: a uPlot timeline and the weeks, inside the panel', async () => {
    await frame.locator('.cp-tab', { hasText: 'Plan' }).click();
    await frame.locator('.cp-plan .cp-timeline canvas').first().waitFor({ state: 'attached', timeout: 20_000 });
    await frame.locator('.cp-week', { hasText: 'Attention' }).first().waitFor({ timeout: 20_000 });
    await assertLayout('plan', (m) => {
      if (!m.canvas || m.canvas.w < 200 || m.canvas.w > m.width || m.canvas.h < 150) throw new Error(`timeline ${JSON.stringify(m.canvas)} in ${m.width} px`);
      if (!/2 h a day, 5 days a week/.test(m.text)) throw new Error('the plan summary is missing');
    });
    await shot('plan');
  });

  await test('the weekly review: the pass, the measured time, the mistake fixed, the answers; exported as Markdown', async () => {
    await frame.locator('.cp-tab', { hasText: 'Weekly review' }).click();
    await frame.locator('.cp-review').waitFor({ timeout: 20_000 });
    await assertLayout('review', (m) => {
      for (const want of ['Scaled dot-product attention', 'The scores are not scaled', 'fixed', '1 right, 1 wrong', 'with an exercise open', 'checking (2 runs)']) {
        if (!m.text.includes(want)) throw new Error(`the review does not say "${want}":\n${m.text.slice(0, 800)}`);
      }
    });
    await shot('review');
    await frame.locator('vscode-button', { hasText: 'Export as Markdown' }).click();
    const dir = path.join(companionDir, 'reviews');
    await waitFor(() => fs.existsSync(dir) && fs.readdirSync(dir).some((f) => f.endsWith('.md')), 'the exported review');
    const md = fs.readFileSync(path.join(dir, fs.readdirSync(dir).find((f) => f.endsWith('.md'))), 'utf8');
    if (!/^# Weekly review, week 1/.test(md) || !md.includes('1 right, 1 wrong')) throw new Error(`exported review:\n${md.slice(0, 400)}`);
    await page.locator('.tabs-container .tab', { hasText: /^review-.*\.md/ }).first().waitFor({ timeout: 20_000 });
  });

  await test('the notebook: the mistake with its message, hint and located line; "review" opens a scratch copy, never the learner file', async () => {
    await runCommand(page, 'LLM Lab: Mistake Notebook', log);
    await companion('.cp-notebook');
    const entry = frame.locator('.cp-entry.fixed', { hasText: 'The scores are not scaled' }).first();
    await entry.waitFor({ timeout: 20_000 });
    // The line the runner located (where the learner's tensors part ways with the reference's), as it was then.
    const h = JSON.parse(fs.readFileSync(path.join(companionDir, 'companion', 'history.json'), 'utf8'));
    const line = h.notebook.find((n) => /not scaled/i.test(n.message))?.line;
    const located = (await entry.locator('.cp-line.located').textContent())?.trim();
    if (!line || located !== `${line}${buggy.split('\n')[line - 1]}`.trim()) throw new Error(`the located line is "${located}", line ${line} of the checked file is "${buggy.split('\n')[line - 1]}"`);
    if ((await entry.locator('.cp-line').count()) < 5) throw new Error('the code around the located line is missing');
    await assertLayout('notebook');
    await shot('notebook');
    await entry.locator('vscode-button.cp-review-entry').click();
    const scratch = path.join(companionDir, 'scratch');
    await waitFor(() => fs.existsSync(scratch) && fs.readdirSync(scratch).length === 1, 'the scratch copy');
    const copy = fs.readFileSync(path.join(scratch, fs.readdirSync(scratch)[0]), 'utf8');
    if (copy !== buggy) throw new Error('the scratch copy is not the code at the time of the mistake');
    if (fs.readFileSync(learnerFile, 'utf8') !== solution) throw new Error('the learner file changed');
    await page.locator('.tabs-container .tab', { hasText: /^attention-scaled-dot-product-.*\.ts/ }).first().waitFor({ timeout: 20_000 });
  });

  await test('Write Up This Lesson: a blog draft with the learner\'s code, their results as SVG, the mistake and the papers', async () => {
    await page.locator('.tabs-container .tab', { hasText: EXERCISE.file }).first().click();
    await runCommand(page, 'LLM Lab: Write Up This Lesson as a Blog Draft', log);
    const blog = path.join(folder, 'blog');
    await waitFor(() => fs.existsSync(blog) && fs.readdirSync(blog).some((f) => f.endsWith('.md')), 'the blog draft');
    const name = fs.readdirSync(blog).find((f) => f.endsWith('.md'));
    const md = fs.readFileSync(path.join(blog, name), 'utf8');
    const svgs = fs.readdirSync(blog).filter((f) => f.endsWith('.svg'));
    for (const want of [/^---\ntitle: ".+"\ndate: \d{4}-\d\d-\d\dT[\d:]+Z\ntags: \[/, /\$\$\n.*\\sqrt\{d\}/, /mul\(matmul\(q, transpose\(k, -2, -1\)\), 1 \/ Math\.sqrt\(d\)\)/,
      /The scores are not scaled/, /arXiv:1706\.03762/]) if (!want.test(md)) throw new Error(`the draft lacks ${want}:\n${md.slice(0, 600)}`);
    if (!svgs.length || !svgs.every((f) => md.includes(`](${f})`))) throw new Error(`images ${svgs.join(', ')} not all in the draft`);
    await page.locator('.tabs-container .tab', { hasText: name }).first().waitFor({ timeout: 20_000 });
    await page.waitForTimeout(800);
    await shot('draft');
  });

  await test('in Chinese: the plan, the review, the notebook, the questions and the draft', async () => {
    fs.mkdirSync(path.join(ws, '.vscode'), { recursive: true });
    fs.writeFileSync(path.join(ws, '.vscode', 'settings.json'), JSON.stringify({ 'llmLab.language': 'zh-cn' }, null, 2));
    await runCommand(page, 'LLM Lab: Show Study Plan', log);
    await companion('.cp-nav');
    const chinese = /[\u4e00-\u9fff]/;
    // The setting arrives through a file watcher: wait for the Chinese tabs.
    await frame.locator('.cp-tab.current', { hasText: '学习计划' }).waitFor({ timeout: 60_000 });
    await frame.locator('.cp-week', { hasText: '注意力' }).first().waitFor({ timeout: 20_000 });
    await assertLayout('plan (zh-cn)');
    await shot('plan-zh-cn');
    await frame.locator('.cp-tab', { hasText: '每周复盘' }).click();
    await frame.locator('.cp-review h1', { hasText: '每周复盘' }).waitFor({ timeout: 20_000 });
    await assertLayout('review (zh-cn)', (m) => { if (!m.text.includes('答对 1 道，答错 1 道')) throw new Error(m.text.slice(0, 500)); });
    await shot('review-zh-cn');
    await frame.locator('.cp-tab', { hasText: '错题本' }).click();
    await frame.locator('.cp-notebook h1', { hasText: '错题本' }).waitFor({ timeout: 20_000 });
    await assertLayout('notebook (zh-cn)');
    await shot('notebook-zh-cn');
    await frame.locator('.cp-tab', { hasText: '复习题' }).click();
    await frame.locator('.cp-question .cp-prompt').first().waitFor({ timeout: 20_000 });
    const prompts = await frame.locator('.cp-question .cp-prompt').allTextContents();
    if (!prompts.length || prompts.some((p) => !chinese.test(p))) throw new Error(`prompts not in Chinese: ${prompts.join(' | ')}`);
    await assertLayout('questions (zh-cn)');
    await shot('questions-zh-cn');
    const blog = path.join(folder, 'blog');
    const before = new Set(fs.readdirSync(blog));
    await page.locator('.tabs-container .tab', { hasText: EXERCISE.file }).first().click();
    await runCommand(page, 'LLM Lab: Write Up This Lesson as a Blog Draft', log);
    await waitFor(() => fs.readdirSync(blog).some((f) => f.endsWith('.md') && !before.has(f)), 'the Chinese draft');
    const name = fs.readdirSync(blog).find((f) => f.endsWith('.md') && !before.has(f));
    const md = fs.readFileSync(path.join(blog, name), 'utf8');
    if (!md.includes('## 我的代码') || !md.includes('## 参考文献')) throw new Error(`the draft is not in Chinese:\n${md.slice(0, 400)}`);
    await page.locator('.tabs-container .tab', { hasText: name }).first().waitFor({ timeout: 20_000 });
    await page.waitForTimeout(800);
    await shot('draft-zh-cn');
    fs.writeFileSync(path.join(ws, '.vscode', 'settings.json'), '{}\n');
  });

  await test('after a window reload, the companion\'s tab comes back and the history is still there', async () => {
    await runCommand(page, 'LLM Lab: Show Study Plan', log);
    await companion('.cp-plan');
    await page.waitForTimeout(1000);
    const reloaded = page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame(), timeout: 60_000 });
    await runCommand(page, 'Developer: Reload Window', log);
    await reloaded;
    await page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
    await page.locator('#workbench\\.parts\\.statusbar').waitFor({ timeout: 60_000 });
    const tab = page.locator('.tabs-container .tab', { hasText: 'Plan' }).first();
    await tab.waitFor({ timeout: 60_000 });
    await tab.click();
    try {
      await companion('.cp-plan .cp-timeline canvas');
    } catch (e) {
      throw new Error(`${e.message}\nthe extension's log since the reload:\n${extensionLog(out).split('\n').slice(-30).join('\n')}`);
    }
    await frame.locator('.cp-tab', { hasText: 'Mistake notebook' }).click();
    await frame.locator('.cp-entry.fixed', { hasText: 'The scores are not scaled' }).first().waitFor({ timeout: 20_000 });
  });

  await test('no panel page reported a script error in all of the above', async () => {
    const errors = webviewPageErrors(out, started);
    if (errors.length) throw new Error(`${errors.length} script errors in the panels:\n${errors.slice(0, 5).join('\n')}`);
  });

  return { passed, failed };
}
