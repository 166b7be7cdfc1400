// UI tests of the packaged extension in a real VS Code, the way a learner uses it: the LLM Lab view, Open
// Exercise, Check Exercise from the command palette, and the results panel's DOM inside the webview iframes.
import fs from 'node:fs';
import path from 'node:path';
import { attentionWithoutScaling } from '../fixtures/bugs.mjs';

/** `source` with `from` (which must occur once) replaced by `to`. */
function withEdit(source, from, to) {
  if (source.split(from).length !== 2) throw new Error(`"${from}" must occur exactly once in the solution`);
  return source.replace(from, to);
}

// The attention exercise: its checks include the bundled model (onnxruntime inside the real extension host's runner).
const EXERCISE = {
  id: 'attention/scaled-dot-product', lessonFolder: '02-attention', file: 'attention.ts', solution: 'attention.solution.ts',
  // The tree's short label of "Attention: tokens that look at each other" (the full title is its tooltip).
  title: 'Scaled dot-product attention', lessonLabel: 'Attention',
};

/**
 * Runs a command from the palette, opened by a click on the title bar's command center (F1 where there is none):
 * when a webview or a hover holds the keyboard focus, F1 does not reach the workbench (seen in CI: after the
 * exercise opened, F1 never opened the palette again for the rest of the suite). Extension commands appear a few
 * seconds after start, so every step is tried again, up to 40 times (a failed test's screenshot shows the window).
 */
export async function runCommand(page, label, log) {
  const input = page.locator('.quick-input-widget input');
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first();
  for (let attempt = 0; attempt < 40; attempt++) {
    await page.keyboard.press('Escape').catch(() => {});
    const center = page.locator('.command-center-center').first();
    if (await center.isVisible().catch(() => false)) await center.click();
    else await page.keyboard.press('F1');
    try {
      await input.waitFor({ state: 'visible', timeout: 5_000 });
      await input.fill('>' + label, { timeout: 5_000 });
      await row.waitFor({ state: 'visible', timeout: 2_000 });
      await page.waitForTimeout(300); // let the list settle on its best match before Enter picks it
      await page.keyboard.press('Enter');
      log(`ran "${label}"`);
      return;
    } catch { await page.waitForTimeout(500); }
  }
  throw new Error(`could not run "${label}" from the command palette`);
}

/** The webview frame whose document has `selector` (webviews nest: iframe.webview > iframe#active-frame). */
export async function webviewWith(page, selector, timeoutMs = 60_000) {
  for (const end = Date.now() + timeoutMs; Date.now() < end;) {
    for (const frame of page.frames()) {
      try { if (await frame.locator(selector).count()) return frame; } catch {}
    }
    await page.waitForTimeout(300);
  }
  throw new Error(`no webview shows ${selector}`);
}

/**
 * What the webview pages reported as script errors (src/webview/main.ts posts them, the extension writes them to
 * the LLM Lab log as "[error] <page> panel: ..."), in every LLM Lab log under `dir` written since `sinceMs`.
 */
export function webviewPageErrors(dir, sinceMs) {
  const found = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name === 'LLM Lab.log' && fs.statSync(p).mtimeMs >= sinceMs) {
        for (const line of fs.readFileSync(p, 'utf8').split('\n')) if (/\[error\] (lesson|results|companion) panel: /.test(line)) found.push(line);
      }
    }
  };
  walk(dir);
  return found;
}

export async function waitFor(fn, what, timeoutMs = 60_000) {
  for (const end = Date.now() + timeoutMs; Date.now() < end;) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export async function uiTests({ page, ws, root, out, log }) {
  const learnerFile = path.join(ws, 'llm-lab', EXERCISE.lessonFolder, EXERCISE.file);
  const solution = fs.readFileSync(path.join(root, 'lessons', EXERCISE.lessonFolder, EXERCISE.solution), 'utf8');
  const buggy = attentionWithoutScaling(solution);
  let passed = 0, failed = 0;
  const test = async (name, fn) => {
    const shot = path.join(out, `ui-${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.png`);
    try {
      await fn();
      await page.screenshot({ path: shot });
      console.log(`  ✔ ${name}`);
      passed++;
    } catch (e) {
      await page.screenshot({ path: shot.replace(/\.png$/, '-FAILED.png') }).catch(() => {});
      console.log(`  ✖ ${name}\n      ${String(e?.message ?? e).split('\n').join('\n      ')}`);
      failed++;
    }
  };

  await page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
  await page.locator('#workbench\\.parts\\.statusbar').waitFor({ timeout: 60_000 });
  log('workbench is up');

  await test('the LLM Lab view lists the lessons', async () => {
    const icon = page.locator('.activitybar .action-item a[aria-label^="LLM Lab"]').first();
    await icon.waitFor({ timeout: 60_000 });
    await icon.click();
    await page.locator('.monaco-list-row .label-name', { hasText: new RegExp(`^${EXERCISE.lessonLabel}$`) }).first().waitFor({ timeout: 30_000 });
  });

  await test('Open Exercise copies the scaffold into the workspace and opens it', async () => {
    await runCommand(page, 'LLM Lab: Open Exercise', log);
    await page.locator('.quick-input-widget .quick-input-title', { hasText: 'Which exercise?' }).waitFor({ timeout: 20_000 });
    await page.locator('.quick-input-widget input').first().fill(EXERCISE.id); // the course is longer than the list shows
    const pick = page.locator('.quick-input-list .monaco-list-row', { hasText: EXERCISE.id }).first();
    await pick.waitFor({ timeout: 20_000 });
    await pick.click();
    await waitFor(() => fs.existsSync(learnerFile), `${learnerFile} to exist`);
    await page.locator('.tabs-container .tab', { hasText: EXERCISE.file }).first().waitFor({ timeout: 20_000 });
  });

  await test('the reference solution passes every check in the results panel', async () => {
    fs.writeFileSync(learnerFile, solution);
    await page.waitForTimeout(1500); // the editor reloads the file from disk
    await page.locator('.tabs-container .tab', { hasText: EXERCISE.file }).first().click();
    await runCommand(page, 'LLM Lab: Check Exercise', log);
    const frame = await webviewWith(page, '.results-head .summary');
    await frame.locator('.results-head .summary', { hasText: /All \d+ checks passed/ }).waitFor({ timeout: 60_000 });
    const total = await frame.locator('.checks > .check').count();
    const ok = await frame.locator('.checks > .check.status-passed').count();
    if (total < 8 || ok !== total) throw new Error(`${ok} of ${total} checks shown as passed`);
    // The model check drew the bundled model's attention: a heatmap per layer and head.
    await frame.locator('.checks > .check .artifact svg, .checks > .check .artifact canvas').first().waitFor({ state: 'attached', timeout: 10_000 });
  });

  await test('attention without the 1/sqrt(d) scale is told its mistake', async () => {
    fs.writeFileSync(learnerFile, buggy);
    await page.waitForTimeout(1500);
    await page.locator('.tabs-container .tab', { hasText: EXERCISE.file }).first().click();
    await runCommand(page, 'LLM Lab: Check Exercise', log);
    const frame = await webviewWith(page, '.results-head .summary');
    await frame.locator('.check.status-failed .message', { hasText: 'The scores are not scaled' }).first().waitFor({ timeout: 60_000 });
    // Failures show while the run goes on; the summary line changes when the whole run has finished.
    await frame.locator('.results-head .summary', { hasText: /\d+ of \d+ checks passed/ }).waitFor({ timeout: 60_000 });
    const where = await frame.locator('.check.status-failed .location').first().textContent();
    if (!where?.startsWith(EXERCISE.file + ':')) throw new Error(`the failure should point into ${EXERCISE.file}, got ${where}`);
  });

  // A failure points at the line that is wrong, in the panel and in the editor: a catalogued mistake (no 1/√d)
  // and one no catalogue names (the output computed from the scores instead of the weights). For each, the panel's
  // location link names the faulty line, and F8 in the editor (next problem) lands on it; the screenshot shows both.
  const faultyLine = (source, marker) => source.slice(0, source.indexOf(marker)).split('\n').length;
  for (let [label, source, marker, says] of [
    ['catalogued', buggy, 'let scores = matmul(q, transpose(k, -2, -1))', /The scores are not scaled/],
    // (the panel may still show the previous run: wait for this bug's own words, its line in the first difference)
    ['uncatalogued', withEdit(solution, 'const out = matmul(weights, v);', 'const out = matmul(scores, v);'), 'const out = matmul(scores, v);',
      (line) => new RegExp(`First difference from the reference solution \\(run on the same input\\): line ${line}, `)],
  ]) {
    await test(`${label === 'catalogued' ? 'a' : 'an'} ${label} attention bug points at its line in the panel and the editor`, async () => {
      const line = faultyLine(source, marker);
      if (typeof says === 'function') says = says(line);
      fs.writeFileSync(learnerFile, source);
      await page.waitForTimeout(1500);
      await page.locator('.tabs-container .tab', { hasText: EXERCISE.file }).first().click();
      await runCommand(page, 'LLM Lab: Check Exercise', log);
      const frame = await webviewWith(page, '.results-head .summary');
      // This run, not the previous one: the panel says "Checking..." from its start to its end.
      const checking = () => frame.locator('.results-head', { hasText: /Checking/ }).count();
      await waitFor(async () => (await checking()) > 0, 'the run to start', 20_000).catch(() => log('the run was over before the panel was read'));
      await waitFor(async () => (await checking()) === 0, 'the run to finish');
      await frame.locator('.check.status-failed .message', { hasText: says }).first().waitFor({ timeout: 60_000 });
      const where = await frame.locator('.check.status-failed .location').allTextContents();
      if (!where.some((w) => w.startsWith(`${EXERCISE.file}:${line}:`))) throw new Error(`no failure points at ${EXERCISE.file}:${line}: ${where.join(', ')}`);
      // The editor: the next problem from the top of the file is on that line.
      await page.locator('.tabs-container .tab', { hasText: EXERCISE.file }).first().click();
      await page.locator('.monaco-editor .view-lines').first().click();
      await page.keyboard.press('Control+Home');
      await page.keyboard.press('F8');
      const status = page.locator('#workbench\\.parts\\.statusbar', { hasText: new RegExp(`Ln ${line}, Col`) });
      await status.waitFor({ timeout: 20_000 });
      await page.locator('.marker-widget').first().waitFor({ timeout: 10_000 });
      await page.screenshot({ path: path.join(out, `first-difference-${label}.png`) });
      await page.keyboard.press('Escape');
    });
  }

  await test('the Test Explorer shows the exercise and its failed checks', async () => {
    await runCommand(page, 'Testing: Focus on Test Explorer View', log);
    const view = page.locator('.test-explorer');
    const row = view.locator('.monaco-list-row', { hasText: EXERCISE.title }).first();
    await row.waitFor({ timeout: 30_000 });
    await row.locator('.codicon-testing-failed-icon').first().waitFor({ timeout: 30_000 });
    // Expand the exercise: its checks are children; without the scale the worked example fails, while the
    // rows of weights are still probability distributions.
    if ((await row.getAttribute('aria-expanded')) === 'false') await row.click();
    const failedCheck = view.locator('.monaco-list-row', { hasText: 'a worked example: 3 tokens' }).first();
    await failedCheck.waitFor({ timeout: 20_000 });
    await failedCheck.locator('.codicon-testing-failed-icon').first().waitFor({ timeout: 20_000 });
    const passedCheck = view.locator('.monaco-list-row', { hasText: 'each row of weights is a probability' }).first();
    await passedCheck.locator('.codicon-testing-passed-icon').first().waitFor({ timeout: 20_000 });
  });

  await test('in Chinese, a failing attention check shows its name, message, hint and captions in Chinese', async () => {
    // The learner picks Chinese for the course (VS Code itself stays in English here: no language pack offline).
    fs.mkdirSync(path.join(ws, '.vscode'), { recursive: true });
    fs.writeFileSync(path.join(ws, '.vscode', 'settings.json'), JSON.stringify({ 'llmLab.language': 'zh-cn' }, null, 2));
    // The setting reaches the extension through a file watcher, which can take a while on a busy machine: wait until
    // the course has reloaded in Chinese (the Test Explorer lists the exercise by its Chinese title) before checking.
    await page.locator('.monaco-list-row', { hasText: '缩放点积注意力' }).first().waitFor({ timeout: 60_000 });
    await page.waitForTimeout(500);
    fs.writeFileSync(learnerFile, buggy);
    await page.waitForTimeout(1500);
    await page.locator('.tabs-container .tab', { hasText: EXERCISE.file }).first().click();
    await runCommand(page, 'LLM Lab: Check Exercise', log);
    const frame = await webviewWith(page, '.results-head .summary');
    const chinese = /[\u4e00-\u9fff]/;
    // The panel still shows the English run until this one starts: wait for the exercise's Chinese title.
    await frame.locator('.results-head h1', { hasText: chinese }).waitFor({ timeout: 60_000 });
    const failedCheck = frame.locator('.check.status-failed').first();
    await failedCheck.locator('.message', { hasText: /√d/ }).waitFor({ timeout: 60_000 });
    // The run is over when no check is running any more (the summary's words are VS Code's language, English here).
    await frame.locator('.results-head .summary', { hasText: /\d+ of \d+ checks passed/ }).waitFor({ timeout: 60_000 });
    const texts = await frame.evaluate(() => {
      const q = (sel) => [...document.querySelectorAll(sel)].map((e) => e.textContent?.trim() ?? '').filter(Boolean);
      return { names: q('.check .check-name'), messages: q('.check.status-failed .message'), hints: q('.check.status-failed .hint'),
        captions: q('.check.status-failed .artifact > figcaption') };
    });
    log(`zh-cn: ${texts.names.length} names, ${texts.messages.length} messages, ${texts.hints.length} hints, ${texts.captions.length} captions`);
    for (const [what, list] of Object.entries(texts)) {
      if (!list.length && what !== 'captions') throw new Error(`no ${what} in the panel`);
      const english = list.filter((t) => !chinese.test(t));
      if (english.length) throw new Error(`${what} not in Chinese: ${english.slice(0, 3).join(' | ')}`);
    }
    fs.writeFileSync(path.join(ws, '.vscode', 'settings.json'), '{}\n');
  });

  return { passed, failed };
}
