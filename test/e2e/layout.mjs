// Layout tests: what the learner SEES, measured in the real results webview inside code-server, the way a person
// would look at it. Every artifact kind (layout-fixture.mjs) is drawn by the packaged webview bundle with its real CSS
// and CSP, at the default width of a panel beside an editor (446 px) and at 1280 px, in the light and dark themes,
// and its geometry is asserted: bar widths proportional to their values, the layer x head picker's rows and columns,
// nothing wider than the panel unless it scrolls in its own box, no number broken across lines, no CSP violation.
// Around that, what the issue found by looking: tree labels cut off, a grey band behind lesson code, the walkthrough
// not ticking on a tree click, stale errors after Reset, panels lost on reload.
// Screenshots go to test-results/layout/: look at them.
import fs from 'node:fs';
import path from 'node:path';
import { BARS, FIRST_DIFFERENCE, layoutFixture, REPEATED } from './layout-fixture.mjs';
import { runCommand, waitFor, webviewPageErrors, webviewWith } from './ui.mjs';

const EXERCISE = { id: 'tensors/basics', lessonFolder: '01-tensors', file: 'basics.ts' };
const THEMES = { dark: 'Default Dark Modern', light: 'Default Light Modern' };
/** A results panel beside an editor, sidebar open, in a 1280 px window; and a wide panel on its own. */
const WIDTHS = [446, 1280];

/** Runs in the webview: every geometry fact the assertions need, in one round trip. */
function measure({ bars, repeated, firstDifference }) {
  const W = window.innerWidth;
  const client = document.documentElement.clientWidth;
  const describe = (el) => `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\s+/).join('.') : ''}`;
  const figure = (title) => [...document.querySelectorAll('figure')].find((f) => f.querySelector('figcaption')?.textContent?.trim() === title);
  const out = { width: W, overflow: [], bars: [], grid: undefined, wrapped: [], table: undefined, repeated: undefined, expectedDiffer: [], curve: undefined };

  // Nothing may reach past the panel's right edge unless a box inside the panel clips or scrolls it (an SVG
  // clips its own shapes; its box must then be inside the panel, or inside such a box in turn).
  if (document.scrollingElement.scrollWidth > client + 1) out.overflow.push(`the page scrolls sideways: ${document.scrollingElement.scrollWidth} px of content in ${client} px`);
  for (const el of document.querySelectorAll('#app *')) {
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height || r.right <= client + 1) continue;
    let clipped = false;
    for (let a = el.parentElement; a && a !== document.body && !clipped; a = a.parentElement) {
      clipped = /(auto|scroll|hidden|clip)/.test(getComputedStyle(a).overflowX) && a.getBoundingClientRect().right <= client + 1;
    }
    if (!clipped) out.overflow.push(`${describe(el)} ends at ${Math.round(r.right)} px (panel ${client} px)`);
  }
  out.overflow = out.overflow.slice(0, 12);

  // Bars: the fill's width over the track's must be the value's share of the largest |value|.
  for (const [title, { labels, values }] of Object.entries(bars)) {
    const f = figure(title);
    if (!f) { out.bars.push({ title, problem: 'not drawn' }); continue; }
    const rows = [...f.querySelectorAll('.bars-row')];
    const max = Math.max(...values.map(Math.abs));
    rows.forEach((row, i) => {
      const track = row.querySelector('.bars-track')?.getBoundingClientRect();
      const fill = row.querySelector('.bars-fill')?.getBoundingClientRect();
      out.bars.push({ title, label: labels[i], value: values[i], track: track?.width ?? 0, fill: fill?.width ?? 0, want: (track?.width ?? 0) * Math.abs(values[i]) / max });
    });
    if (rows.length !== values.length) out.bars.push({ title, problem: `${rows.length} rows for ${values.length} values` });
  }

  // The layer x head picker: one button per map, laid out as 4 rows (layers) of 4 columns (heads).
  const grid = figure('Attention of every layer and head');
  if (grid) {
    const picks = [...grid.querySelectorAll('.hm-pick')].map((b) => b.getBoundingClientRect());
    out.grid = { picks: picks.length, columns: new Set(picks.map((r) => Math.round(r.left))).size, rows: new Set(picks.map((r) => Math.round(r.top))).size };
  }

  // A number is one unbroken line: every table cell, bar value and legend number.
  const numeric = /^[-+−]?(\d[\d,.]*|\.\d+)(e[-+]?\d+)?%?$|^-?∞$|^NaN$/i;
  for (const el of document.querySelectorAll('td, th, .bars-value, .hm-legend span, code.scalar')) {
    const text = el.textContent.trim();
    if (!numeric.test(text)) continue;
    const range = document.createRange();
    range.selectNodeContents(el);
    const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
    if (tops.size > 1) out.wrapped.push(`${describe(el)} "${text}" on ${tops.size} lines`);
  }
  out.wrapped = out.wrapped.slice(0, 12);

  // The 31 x 31 pair: its first difference must be in view (not clipped by its box), with a way to see all.
  const big = [...document.querySelectorAll('li.check')].find((li) => li.textContent.includes('scores of 31 tokens'));
  if (big) {
    const cells = [...big.querySelectorAll('td.diff')];
    const visible = cells.filter((td) => {
      const r = td.getBoundingClientRect();
      if (!r.width) return false;
      for (let a = td.parentElement; a && a !== big; a = a.parentElement) {
        if (/(auto|scroll|hidden|clip)/.test(getComputedStyle(a).overflowX)) {
          const b = a.getBoundingClientRect();
          return r.left >= b.left - 1 && r.right <= b.right + 1;
        }
      }
      return r.right <= client + 1;
    });
    out.table = { diffCells: cells.length, visible: visible.length, showAll: big.querySelectorAll('button.show-all').length, at: firstDifference.join(', ') };
  }

  // One diagnosis repeated on six checks is written once, and every one of the six checks is still named.
  const messages = [...document.querySelectorAll('.message')].filter((m) => m.textContent.trim() === repeated.message).length;
  const hints = [...document.querySelectorAll('.hint')].filter((m) => m.textContent.includes(repeated.hint)).length;
  const named = [1, 2, 3, 4, 5, 6].filter((i) => document.body.textContent.includes(`softmax case ${i}:`)).length;
  out.repeated = { messages, hints, named };

  // Text meant to differ (LoRA before/after) in a passing check: nothing in it has a failure colour.
  const probe = document.createElement('span');
  document.body.append(probe);
  const colour = (v, prop) => { probe.style.setProperty(prop, `var(${v})`); const c = getComputedStyle(probe)[prop === 'color' ? 'color' : 'backgroundColor']; probe.style.removeProperty(prop); return c; };
  const failure = new Set([colour('--vscode-errorForeground', 'color'), colour('--vscode-testing-iconFailed', 'color'),
    colour('--vscode-diffEditor-removedTextBackground', 'background-color'), colour('--vscode-inputValidation-errorBorder', 'color')].filter((c) => c && c !== 'rgba(0, 0, 0, 0)'));
  probe.remove();
  const lora = figure('Greedy continuations, before and after fine-tuning');
  for (const el of lora ? [lora, ...lora.querySelectorAll('*')] : []) {
    const s = getComputedStyle(el);
    const used = [['color', s.color], ['background', s.backgroundColor]];
    if (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) used.push(['outline', s.outlineColor]);
    if (s.textDecorationLine !== 'none') used.push(['underline', s.textDecorationColor]);
    for (const [what, c] of used) if (failure.has(c)) out.expectedDiffer.push(`${describe(el)} ${what} ${c} "${el.textContent.slice(0, 24)}"`);
  }
  if (!lora) out.expectedDiffer.push('the before/after generation is not drawn');
  out.expectedDiffer = out.expectedDiffer.slice(0, 8);
  return out;
}

export async function layoutTests({ page, ws, out, log }) {
  const started = Date.now();
  const shots = path.join(path.dirname(out), 'layout');
  fs.rmSync(shots, { recursive: true, force: true });
  fs.mkdirSync(shots, { recursive: true });
  const learnerFile = path.join(ws, 'llm-lab', EXERCISE.lessonFolder, EXERCISE.file);
  const { title, result } = layoutFixture(learnerFile);
  let passed = 0, failed = 0;
  const failures = [];
  const test = async (name, fn) => {
    const shot = path.join(shots, `${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase().slice(0, 80)}.png`);
    try {
      await fn();
      await page.screenshot({ path: shot });
      console.log(`  ✔ ${name}`);
      passed++;
    } catch (e) {
      await page.screenshot({ path: shot.replace(/\.png$/, '-FAILED.png') }).catch(() => {});
      console.log(`  ✖ ${name}\n      ${String(e?.message ?? e).split('\n').join('\n      ')}`);
      failures.push(name);
      failed++;
    }
  };
  const consoleCsp = [];
  page.on('console', (m) => { if (/Content Security Policy|Refused to apply inline style/i.test(m.text())) consoleCsp.push(m.text().slice(0, 200)); });
  const treeRow = (text) => page.locator('.pane-body .monaco-list-row', { hasText: text }).first();

  await page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
  await page.locator('#workbench\\.parts\\.statusbar').waitFor({ timeout: 60_000 });
  log('workbench is up');

  // A learner starts with "Get Started" (VS Code creates the walkthrough service when it is first shown, and a
  // step only ticks on events that happen after that).
  await test('"LLM Lab: Get Started" opens the walkthrough', async () => {
    await runCommand(page, 'LLM Lab: Get Started', log);
    await page.locator('[data-done-step-id$="#readLesson"]').first().waitFor({ state: 'attached', timeout: 30_000 });
    await page.keyboard.press('Control+W');
  });

  await test('tree labels are short enough for the default sidebar, the full title in the tooltip', async () => {
    const icon = page.locator('.activitybar .action-item a[aria-label^="LLM Lab"]').first();
    await icon.waitFor({ timeout: 60_000 });
    await icon.click();
    await treeRow('Tensors').waitFor({ timeout: 30_000 });
    // Expand every lesson so that the exercises show too.
    for (let i = 0; i < 3; i++) {
      const collapsed = page.locator('.pane-body .monaco-list-row[aria-expanded="false"]');
      const n = await collapsed.count();
      for (let j = n - 1; j >= 0; j--) await collapsed.nth(j).click().catch(() => {});
      await page.waitForTimeout(300);
    }
    const cut = await page.evaluate(() => [...document.querySelectorAll('.pane-body .monaco-list-row')].flatMap((row) => {
      const label = row.querySelector('.label-name');
      const box = row.querySelector('.monaco-icon-label-container');
      if (!label || !box) return [];
      return box.scrollWidth > box.clientWidth + 1 ? [`"${label.textContent}" needs ${box.scrollWidth} px, has ${box.clientWidth}`] : [];
    }));
    if (cut.length) throw new Error(`${cut.length} tree labels are cut off:\n${cut.join('\n')}`);
  });

  await test('a lesson opened from the tree has no band behind its code lines', async () => {
    await treeRow('Tensors').click();
    const frame = await webviewWith(page, '.lesson-body pre code');
    const bands = await frame.evaluate(() => [...document.querySelectorAll('.lesson-body pre code')].map((c) => {
      const s = getComputedStyle(c);
      return s.backgroundColor === 'rgba(0, 0, 0, 0)' || s.backgroundColor === getComputedStyle(c.parentElement).backgroundColor ? '' : s.backgroundColor;
    }).filter(Boolean));
    if (bands.length) throw new Error(`${bands.length} code blocks paint ${bands[0]} behind each line`);
  });

  await test('an exercise opened from the tree opens its file', async () => {
    await treeRow('Strides').click();
    await waitFor(() => fs.existsSync(learnerFile), `${learnerFile} to exist`);
    await page.locator('.tabs-container .tab', { hasText: EXERCISE.file }).first().waitFor({ timeout: 20_000 });
  });

  await test('the walkthrough ticks "Read a lesson" and "Open an exercise" after tree clicks', async () => {
    await runCommand(page, 'LLM Lab: Get Started', log);
    // A step's check box carries data-done-step-id, and the class "complete" once the step is done.
    const box = (id) => page.locator(`[data-done-step-id$="#${id}"]`).first();
    await box('readLesson').waitFor({ state: 'attached', timeout: 30_000 });
    await page.waitForTimeout(500);
    const done = {};
    for (const id of ['openView', 'readLesson', 'openExercise', 'runCheck']) done[id] = /\bcomplete\b/.test((await box(id).getAttribute('class')) ?? '');
    log(`walkthrough steps done: ${JSON.stringify(done)}`);
    await page.screenshot({ path: path.join(shots, 'walkthrough.png') });
    await page.keyboard.press('Control+W');
    if (!done.readLesson || !done.openExercise || done.runCheck) throw new Error(`steps complete: ${JSON.stringify(done)}`);
  });

  await test('the settings editor lists the settings under "LLM Lab", without a "Llm Lab:" prefix', async () => {
    await runCommand(page, 'Preferences: Open Settings (UI)', log);
    const search = page.locator('.settings-editor .suggest-input-container textarea, .settings-editor .settings-header input').first();
    await search.waitFor({ timeout: 20_000 });
    const seen = async () => page.evaluate(() => ({
      categories: [...new Set([...document.querySelectorAll('.settings-editor .setting-item-category')].map((e) => e.textContent.trim()))],
      labels: [...document.querySelectorAll('.settings-editor .setting-item-label')].map((e) => e.textContent.trim()).slice(0, 3),
      toc: [...document.querySelectorAll('.settings-editor .settings-toc-container .monaco-list-row')].map((e) => e.textContent.trim()),
    }));
    // Searching (@ext:) prefixes every setting with its key's prefix, "llmLab" made into words by VS Code:
    // shown here for the record; the manifest cannot change it without renaming every setting.
    await search.fill('@ext:llm-lab.llm-lab');
    await page.locator('.settings-editor .setting-item-label').first().waitFor({ timeout: 20_000 });
    await page.waitForTimeout(800);
    log(`settings editor, searched: ${JSON.stringify(await seen())}`);
    await page.screenshot({ path: path.join(shots, 'settings-search.png') });
    // Browsing: the table of contents names the extension's group, and its settings carry no prefix.
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Backspace');
    await page.locator('.settings-editor .settings-count-widget', { hasText: /Found/ }).waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => {});
    await page.waitForTimeout(800);
    const row = (text) => page.locator('.settings-editor .settings-toc-container .monaco-list-row', { hasText: text }).first();
    if ((await row('Extensions').getAttribute('aria-expanded')) === 'false') await row('Extensions').click();
    await row('LLM Lab').click({ timeout: 10_000 });
    await page.waitForTimeout(800);
    const browsed = await seen();
    log(`settings editor, browsed: ${JSON.stringify(browsed)}`);
    await page.screenshot({ path: path.join(shots, 'settings.png') });
    await page.keyboard.press('Control+W');
    if (!browsed.toc.some((t) => /^LLM Lab/.test(t))) throw new Error(`no "LLM Lab" group in ${browsed.toc.join(', ')}`);
    if (browsed.categories.some((c) => /Llm Lab/.test(c))) throw new Error(`settings listed as ${browsed.categories.join(', ')}`);
  });

  let frame;
  await test('checking the scaffold shows each repeated diagnosis once', async () => {
    await page.locator('.tabs-container .tab', { hasText: EXERCISE.file }).first().click();
    await runCommand(page, 'LLM Lab: Check Exercise', log);
    frame = await webviewWith(page, '.results-head .summary');
    await frame.locator('.results-head .summary', { hasText: /\d+ of \d+ checks passed/ }).waitFor({ timeout: 90_000 });
    const dupes = await frame.evaluate(() => {
      const seen = new Map();
      for (const m of document.querySelectorAll('.message')) seen.set(m.textContent.trim(), (seen.get(m.textContent.trim()) ?? 0) + 1);
      return [...seen].filter(([, n]) => n > 1).map(([m, n]) => `${n} x "${m}"`);
    });
    if (dupes.length) throw new Error(`the same message is written more than once:\n${dupes.join('\n')}`);
  });
  if (!frame) frame = await webviewWith(page, '.results-head .summary');

  await frame.evaluate(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective}: ${e.sample || e.blockedURI}`));
  });
  const cspOf = () => frame.evaluate(() => window.__csp.splice(0));

  await test('no CSP violation while the lesson and the scaffold\'s results were drawn', async () => {
    const csp = [...(await cspOf()), ...consoleCsp.splice(0)];
    if (csp.length) throw new Error(`${csp.length} violations, e.g.\n${[...new Set(csp)].slice(0, 5).join('\n')}`);
  });

  await test('in the real webview, a style attribute is blocked by the CSP and a CSSOM write is not', async () => {
    const r = await frame.evaluate(async () => {
      const a = document.createElement('div');
      a.setAttribute('style', 'width: 123px; height: 1px');
      const b = document.createElement('div');
      b.style.setProperty('width', '77px');
      b.style.setProperty('--share', '0.25');
      const c = document.createElement('div');
      b.append(c);
      c.style.setProperty('width', 'calc(var(--share) * 100%)');
      document.body.append(a, b);
      await new Promise((res) => setTimeout(res, 200));
      const got = { attribute: a.getBoundingClientRect().width, cssom: b.getBoundingClientRect().width, customProperty: c.getBoundingClientRect().width, violations: window.__csp.splice(0) };
      a.remove();
      b.remove();
      return got;
    });
    log(`CSP probe: ${JSON.stringify(r)}`);
    await page.waitForTimeout(300);
    consoleCsp.splice(0); // the probe's own violation, reported on the console too
    if (r.attribute === 123 || !r.violations.length) throw new Error(`a style attribute was applied (${r.attribute} px) or not reported: the CSP is not what the panel ships`);
    if (r.cssom !== 77 || Math.abs(r.customProperty - 77 / 4) > 0.5 || r.violations.length !== 1) throw new Error(`CSSOM writes: ${JSON.stringify(r)}`);
  });

  await test('the results panel follows the exercise being edited', async () => {
    await treeRow('Scaled dot-product attention').click(); // another exercise, opened from the tree
    // Not checked in this window yet: its title, and a Check button instead of the other exercise's results.
    await frame.locator('.results-head h1', { hasText: 'Scaled dot-product attention' }).waitFor({ timeout: 30_000 });
    const checks = await frame.locator('.checks > li').count();
    const button = await frame.locator('.results-head vscode-button').first().textContent();
    // Back to the first exercise: its results again.
    await page.locator('.tabs-container .tab', { hasText: EXERCISE.file }).first().click();
    await frame.locator('.results-head h1', { hasText: 'Strides' }).waitFor({ timeout: 30_000 });
    const back = await frame.locator('.checks > li').count();
    log(`follow: the new exercise shows ${checks} checks and "${button?.trim()}", the first one ${back} again`);
    if (checks !== 0 || back === 0) throw new Error(`the panel showed ${checks} checks for an unchecked exercise, ${back} when back`);
  });

  /** Resizes the window until the results webview is `width` px wide (a panel beside an editor grows half as fast). */
  const fit = async (width, factor) => {
    let vw = page.viewportSize().width;
    for (let i = 0; i < 8; i++) {
      const now = await frame.evaluate(() => window.innerWidth);
      if (Math.abs(now - width) <= 1) return now;
      vw = Math.round(vw + (width - now) * factor);
      await page.setViewportSize({ width: vw, height: 900 });
      await page.waitForTimeout(400);
    }
    return frame.evaluate(() => window.innerWidth);
  };

  for (const width of WIDTHS) {
    if (width > 600) {
      // The panel on its own: the editor group beside it closed, and the sidebar too.
      await runCommand(page, 'View: Focus Right Editor Group', log); // the results panel opened beside the editor
      await runCommand(page, 'View: Close Editors in Other Groups', log);
      await runCommand(page, 'View: Close Primary Side Bar', log);
      await page.waitForTimeout(800);
    }
    for (const [themeName, theme] of Object.entries(THEMES)) {
      const combo = `${themeName}, ${width} px`;
      const dir = path.join(shots, `${themeName}-${width}`);
      fs.mkdirSync(dir, { recursive: true });
      if (!(await frame.evaluate((t) => document.body.classList.contains(`vscode-${t}`), themeName))) {
        await runCommand(page, 'Toggle between Light/Dark Themes', log);
        await waitFor(() => frame.evaluate((t) => document.body.classList.contains(`vscode-${t}`), themeName), `the ${themeName} theme (${theme})`, 30_000);
      }
      // (Re)size after the palette was used: the workbench may have moved a sash.
      const got = await fit(width, width > 600 ? 1 : 2);
      log(`results panel is ${got} px wide`);
      if (width === WIDTHS[0]) {
        // The theme as the webview gets it (its CSS variables, body class and VS Code's default webview styles), for
        // test/screenshots/capture.ts, which draws the README's pictures outside VS Code (copied to test/screenshots/themes/).
        const theme = await frame.evaluate(() => {
          const style = document.documentElement.style;
          const vars = Object.fromEntries([...style].filter((k) => k.startsWith('--vscode-')).sort().map((k) => [k, style.getPropertyValue(k).trim()]));
          return { bodyClass: document.body.className, defaultStyles: document.getElementById('_defaultStyles')?.textContent ?? '', vars };
        });
        fs.writeFileSync(path.join(shots, `theme-${themeName}.json`), JSON.stringify({ name: THEMES[themeName], ...theme }, null, 1) + '\n');
      }
      await frame.evaluate((m) => window.postMessage(m, '*'), { type: 'result', title, result });
      await frame.locator('.results-head h1', { hasText: title }).waitFor({ timeout: 20_000 });
      await frame.locator('.curve canvas').first().waitFor({ state: 'attached', timeout: 20_000 });
      await page.waitForTimeout(600);

      // Before anything is opened by hand: a passing check's curve is in view.
      const curve = await frame.evaluate(() => {
        const c = document.querySelector('li.check .curve canvas');
        const r = c?.getBoundingClientRect();
        // Folded into a closed <details>, it still has a box, but nobody sees it.
        return r ? { w: Math.round(r.width), h: Math.round(r.height), folded: !!c.closest('details:not([open])') } : undefined;
      });
      await page.screenshot({ path: path.join(dir, '00-workbench.png') });
      // Then every <details> opened, so that what is folded is measured too.
      await frame.evaluate(() => document.querySelectorAll('details').forEach((d) => { d.open = true; }));
      await page.waitForTimeout(300);
      const m = await frame.evaluate(measure, { bars: BARS, repeated: REPEATED, firstDifference: FIRST_DIFFERENCE });
      const csp = [...(await cspOf()), ...consoleCsp.splice(0)];
      const items = frame.locator('#app > *, .checks > li');
      const n = await items.count();
      for (let i = 0; i < n; i++) {
        await items.nth(i).screenshot({ path: path.join(dir, `${String(i + 1).padStart(2, '0')}.png`), timeout: 10_000 }).catch((e) => log(`screenshot ${i}: ${e.message.split('\n')[0]}`));
      }
      log(`${combo}: ${JSON.stringify({ width: m.width, grid: m.grid, table: m.table, repeated: m.repeated, curve })}`);

      await test(`${combo}: no CSP violation while drawing every artifact`, async () => {
        if (csp.length) throw new Error(`${csp.length} violations, e.g.\n${[...new Set(csp)].slice(0, 5).join('\n')}`);
      });
      await test(`${combo}: bar widths are proportional to their values (within 2 px)`, async () => {
        const bad = m.bars.filter((b) => b.problem || Math.abs(b.fill - b.want) > 2 || b.track < 40);
        if (bad.length) throw new Error(bad.slice(0, 6).map((b) => b.problem ? `${b.title}: ${b.problem}` : `${b.title} / ${b.label} = ${b.value}: bar ${b.fill.toFixed(1)} px of ${b.track.toFixed(1)}, should be ${b.want.toFixed(1)}`).join('\n'));
      });
      await test(`${combo}: the layer x head picker is a 4 x 4 grid`, async () => {
        if (!m.grid || m.grid.picks !== 16 || m.grid.columns !== 4 || m.grid.rows !== 4) throw new Error(`picker: ${JSON.stringify(m.grid)}`);
      });
      await test(`${combo}: nothing overflows the panel sideways`, async () => {
        if (m.overflow.length) throw new Error(m.overflow.join('\n'));
      });
      await test(`${combo}: no number is broken across lines`, async () => {
        if (m.wrapped.length) throw new Error(m.wrapped.join('\n'));
      });
      await test(`${combo}: a 31 x 31 table shows its first difference, with a way to see all`, async () => {
        if (!m.table || m.table.diffCells < 2 || m.table.visible < 2 || m.table.showAll < 1) throw new Error(`31 x 31 pair: ${JSON.stringify(m.table)}`);
      });
      await test(`${combo}: one diagnosis repeated on six checks is written once, naming all six`, async () => {
        if (m.repeated.messages !== 1 || m.repeated.hints !== 1 || m.repeated.named !== 6) throw new Error(`message shown ${m.repeated.messages} times, hint ${m.repeated.hints} times, ${m.repeated.named} of 6 checks named`);
      });
      await test(`${combo}: text meant to differ, in a passing check, has no failure colour`, async () => {
        if (m.expectedDiffer.length) throw new Error(m.expectedDiffer.join('\n'));
      });
      await test(`${combo}: a passing check's training curve stays in view`, async () => {
        if (!curve || curve.folded || curve.w < 200 || curve.h < 100) throw new Error(`curve: ${JSON.stringify(curve)}`);
      });
    }
    // The full 31 x 31 table, once asked for, scrolls in its own box.
    await test(`${width} px: "show all" of the 31 x 31 pair shows every cell and keeps the panel's width`, async () => {
      const r = await frame.evaluate(() => {
        const li = [...document.querySelectorAll('li.check')].find((x) => x.textContent.includes('scores of 31 tokens'));
        li?.querySelector('button.show-all')?.click();
        return new Promise((res) => setTimeout(() => res({
          cells: li ? li.querySelectorAll('table.tensor td:not(.more)').length : 0,
          scrolls: document.scrollingElement.scrollWidth <= document.documentElement.clientWidth + 1,
        }), 200));
      });
      await frame.locator('li.check', { hasText: 'scores of 31 tokens' }).screenshot({ path: path.join(shots, `show-all-${width}.png`) }).catch(() => {});
      if (r.cells < 2 * 31 * 31 || !r.scrolls) throw new Error(`after show all: ${JSON.stringify(r)}`);
    });
  }

  await test('Reset clears the stale errors of the old code', async () => {
    const problems = async () => {
      const label = await page.locator('#status\\.problems a, #status\\.problems').first().getAttribute('aria-label').catch(() => '');
      const m = /(\d+)/.exec(label ?? '');
      return { label, errors: m ? Number(m[1]) : 0 };
    };
    const before = await problems();
    log(`problems before reset: ${before.label}`);
    const tab = page.locator('.tabs-container .tab', { hasText: EXERCISE.file }).first();
    if (await tab.count()) await tab.click();
    else {
      await runCommand(page, 'LLM Lab: Open Exercise', log);
      await page.locator('.quick-input-list .monaco-list-row', { hasText: EXERCISE.id }).first().click();
      await tab.waitFor({ timeout: 20_000 });
    }
    await runCommand(page, 'LLM Lab: Reset Exercise', log);
    await page.locator('.monaco-dialog-box .monaco-button', { hasText: /^Reset$/ }).first().click({ timeout: 20_000 });
    await page.waitForTimeout(1500);
    const after = await problems();
    log(`problems after reset: ${after.label}`);
    if (before.errors === 0) throw new Error(`the scaffold's check left no errors to clear (${before.label})`);
    if (after.errors !== 0) throw new Error(`after Reset: ${after.label}`);
  });

  await test('after a window reload the results and lesson panels come back with their content', async () => {
    await runCommand(page, 'LLM Lab: Open Lesson', log);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Tensors' }).first().click();
    await webviewWith(page, '.lesson-body', 30_000);
    await page.waitForTimeout(1000); // the webviews save their state
    log(`tabs before the reload: ${JSON.stringify(await page.locator('.tabs-container .tab').allTextContents())}`);
    // As a learner reloads: through the workbench, which saves its editors before it goes.
    const reloaded = page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame(), timeout: 60_000 });
    await runCommand(page, 'Developer: Reload Window', log);
    await reloaded;
    await page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
    await page.locator('#workbench\\.parts\\.statusbar').waitFor({ timeout: 60_000 });
    await page.waitForTimeout(3000);
    log(`tabs after the reload: ${JSON.stringify(await page.locator('.tabs-container .tab').allTextContents())}`);
    for (const [tabText, selector] of [[/Tensors/, '.lesson-body'], [/LLM Lab Results|Every artifact/, '.results-head h1']]) {
      const tab = page.locator('.tabs-container .tab', { hasText: tabText }).first();
      await tab.waitFor({ timeout: 60_000 });
      await tab.click();
      await webviewWith(page, selector, 60_000);
    }
    const empty = await page.locator('.editor-group-container.empty').count();
    if (empty) throw new Error(`${empty} empty editor groups after the reload`);
  });

  await test('no panel page reported a script error while drawing all of the above', async () => {
    const errors = webviewPageErrors(out, started);
    if (errors.length) throw new Error(`${errors.length} script errors in the panels:\n${errors.slice(0, 5).join('\n')}`);
  });

  if (failures.length) log(`layout failures:\n  ${failures.join('\n  ')}`);
  log(`screenshots in ${shots}`);
  return { passed, failed };
}
