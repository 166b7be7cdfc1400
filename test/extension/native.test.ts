/**
 * LLM Lab's native VS Code integration, in a real extension host: the Test Explorer (items, plan-only
 * listing, the run profile through the one check path, runs from elsewhere), CodeLens, diagnostics, the
 * status bar, the Lessons view in a trusted workspace, and the settings that turn things off.
 */
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { CheckStatus, RunResult } from '../../src/core/grading/result';
import { learnerFile } from '../../src/core/workspace';
import type { Services } from '../../src/vscode/commands';
import { outcomeMessage, type ReportedState } from '../../src/vscode/testing';
import { reloadFromDisk } from '../../src/vscode/reload';

const EXTENSION_ID = 'llm-lab.llm-lab';
let s: Services;

const STATE_OF: Record<CheckStatus, ReportedState> = { passed: 'passed', failed: 'failed', error: 'errored', skipped: 'skipped' };

async function first() {
  const catalog = await s.course.get();
  const lesson = catalog.lessons[0];
  const exercise = lesson.exercises[0];
  const file = await vscode.commands.executeCommand<string>('llmLab.openExercise', exercise.id);
  return { lesson, exercise, file };
}

async function exerciseItem(id: string): Promise<vscode.TestItem> {
  await s.testing.refresh();
  const item = s.testing.controller.items.get(id);
  assert.ok(item, `no test item for ${id}`);
  await s.testing.resolve(item);
  assert.equal(item.error, undefined);
  return item;
}

function children(item: vscode.TestItem): vscode.TestItem[] {
  const out: vscode.TestItem[] = [];
  item.children.forEach((c) => out.push(c));
  return out.sort((a, b) => (a.sortText ?? '').localeCompare(b.sortText ?? ''));
}

/** Runs a request through the run profile's handler, as the Test Explorer does, and returns the runner's result. */
async function runProfile(include: vscode.TestItem[]): Promise<RunResult> {
  let result: RunResult | undefined;
  const d = s.checks.onDidFinish((r) => { result = r.result; });
  try {
    const token = new vscode.CancellationTokenSource().token;
    await s.testing.runProfile.runHandler(new vscode.TestRunRequest(include), token);
  } finally {
    d.dispose();
  }
  assert.ok(result, 'the run profile did not go through CheckService.check');
  return result;
}

/** Writes a learner file behind VS Code's back, as a learner's other tools might, and waits until an open editor has it. */
async function write(file: string, text: string): Promise<void> {
  writeFileSync(file, text);
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === file);
  if (!doc) return;
  const synced = async (ms: number) => {
    for (let t = 0; doc.getText() !== text && t < ms; t += 50) await new Promise((r) => setTimeout(r, 50));
    return doc.getText() === text;
  };
  // VS Code's file watcher usually reloads the editor within a second; on a busy machine it can lag
  // for longer, so ask for the reload the learner would get from "Revert File" (the product's own helper).
  if (await synced(3000)) return;
  await reloadFromDisk(file);
  assert.ok(await synced(5000), `the open editor of ${file} never showed what was written to disk`);
}

function ourDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'LLM Lab');
}

suite('LLM Lab native integration', () => {
  suiteSetup(async () => {
    const ext = vscode.extensions.getExtension<Services>(EXTENSION_ID);
    assert.ok(ext);
    s = await ext.activate();
  });

  test('the Test Explorer lists one item per exercise, on the learner file once it exists, else on the scaffold', async () => {
    const { exercise, file } = await first();
    await s.testing.refresh();
    const catalog = await s.course.get();
    const folder = s.learner.folder()!;
    for (const lesson of catalog.lessons) {
      for (const e of lesson.exercises) {
        const item = s.testing.controller.items.get(e.id);
        assert.ok(item, `no test item for ${e.id}`);
        assert.equal(item.label, e.title);
        const mine = learnerFile(folder, lesson, e);
        assert.equal(item.uri?.fsPath, existsSync(mine) ? mine : e.scaffold);
      }
    }
    assert.equal(s.testing.controller.items.get(exercise.id)?.uri?.fsPath, file);
  });

  test('an exercise item lists its checks (from the checks file, without running learner code) at their functions', async () => {
    const { exercise, file } = await first();
    await write(file, readFileSync(exercise.scaffold, 'utf8'));
    const item = await exerciseItem(exercise.id);
    const plan = await s.plans.get(exercise.id);
    const kids = children(item);
    assert.deepEqual(kids.map((c) => c.label), plan.map((p) => p.name));
    assert.ok(kids.length >= 4);
    const source = readFileSync(file, 'utf8').split('\n');
    for (const [i, c] of kids.entries()) {
      assert.equal(c.uri?.fsPath, file);
      assert.ok(c.range, `${c.label} has no range`);
      assert.match(source[c.range.start.line], new RegExp(`export function ${plan[i].task}\\b`));
    }
  });

  test('running the exercise through the run profile reports the runner\'s outcome for every check (scaffold: failed)', async () => {
    const { exercise, file } = await first();
    await write(file, readFileSync(exercise.scaffold, 'utf8'));
    const item = await exerciseItem(exercise.id);
    const result = await runProfile([item]);
    assert.equal(result.status, 'failed');
    assert.equal(s.testing.states.get(item.id), 'failed');
    for (const o of result.checks) assert.equal(s.testing.states.get(`${exercise.id}#${o.id}`), STATE_OF[o.status], o.name);
    assert.equal(s.learner.get(exercise.id).status, 'failed', 'the run went through the one check path (progress recorded)');
  });

  test('running the exercise on a correct file passes every check', async () => {
    const { exercise, file } = await first();
    await write(file, readFileSync(exercise.solution, 'utf8'));
    const item = await exerciseItem(exercise.id);
    const result = await runProfile([item]);
    assert.equal(result.status, 'passed', JSON.stringify(result.error ?? result.checks.filter((c) => c.status !== 'passed')));
    assert.equal(s.testing.states.get(item.id), 'passed');
    for (const c of children(item)) assert.equal(s.testing.states.get(c.id), 'passed', String(c.label));
  });

  test('running some checks (as "Re-run Failed" does) maps them back to their exercise and reports only those', async () => {
    const { exercise, file } = await first();
    await write(file, readFileSync(exercise.scaffold, 'utf8'));
    const item = await exerciseItem(exercise.id);
    const [a, b, ...rest] = children(item);
    for (const c of children(item)) s.testing.states.delete(c.id);
    const before = s.learner.get(exercise.id).status;
    const result = await runProfile([a, b]);
    assert.equal(result.exerciseId, exercise.id);
    assert.equal(s.testing.states.get(a.id), 'failed');
    assert.equal(s.testing.states.get(b.id), 'failed');
    for (const c of rest) assert.equal(s.testing.states.get(c.id), undefined, `${c.label} was not requested`);
    // Only those ran in the runner: the others came back skipped, untouched by the learner's code.
    const ran = result.checks.filter((c) => c.status !== 'skipped').map((c) => `${exercise.id}#${c.id}`);
    assert.deepEqual(ran, [a.id, b.id]);
    assert.equal(s.learner.get(exercise.id).status, before, 'a run of some checks does not change the exercise\'s progress');
  });

  test('Check Exercise from the palette shows its results in the Test Explorer too', async () => {
    const { exercise, file } = await first();
    await write(file, readFileSync(exercise.solution, 'utf8'));
    const item = await exerciseItem(exercise.id);
    for (const c of children(item)) s.testing.states.set(c.id, 'failed');
    const result = await vscode.commands.executeCommand<RunResult>('llmLab.checkExercise', exercise.id);
    assert.equal(result?.status, 'passed');
    assert.equal(s.testing.states.get(item.id), 'passed');
    for (const c of children(item)) assert.equal(s.testing.states.get(c.id), 'passed', String(c.label));
  });

  test('a failure with expected and actual values is a diff message at the learner\'s line', () => {
    const msg = outcomeMessage({
      id: 'x', name: 'softmax rows sum to 1', task: 'softmax', status: 'failed', durationMs: 1, artifacts: [],
      message: 'softmax(x, 1)[0, 1] is 0.5, expected 0.25', firstDifference: { index: [0, 1], expected: 0.25, actual: 0.5 },
      expected: { kind: 'tensor', shape: [2, 2], data: [0.75, 0.25, 0.5, 0.5] },
      actual: { kind: 'tensor', shape: [2, 2], data: [0.5, 0.5, 0.5, 0.5] },
      location: { file: '/ws/llm-lab/01-tensors/basics.ts', line: 12, column: 3 },
    });
    assert.equal(msg.expectedOutput, 'shape [2, 2]\n[[0.75, 0.25],\n [ 0.5,  0.5]]');
    assert.equal(msg.actualOutput, 'shape [2, 2]\n[[0.5, 0.5],\n [0.5, 0.5]]');
    assert.match(String(msg.message), /expected 0\.25\n.*\[0, 1\]/);
    assert.equal(msg.location?.uri.fsPath, '/ws/llm-lab/01-tensors/basics.ts');
    assert.equal(msg.location?.range.start.line, 11);
    const plain = outcomeMessage({ id: 'y', name: 'throws', status: 'error', durationMs: 1, artifacts: [], message: 'offset() threw TypeError: boom' });
    assert.equal(plain.expectedOutput, undefined);
    assert.equal(plain.message, 'offset() threw TypeError: boom');
  });

  test('with llmLab.checkOnSave on, saving the exercise file checks it', async () => {
    const { exercise, file } = await first();
    await write(file, readFileSync(exercise.solution, 'utf8'));
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    const config = vscode.workspace.getConfiguration('llmLab');
    await config.update('checkOnSave', true, vscode.ConfigurationTarget.Global);
    try {
      const finished = new Promise<RunResult>((resolve) => { const d = s.checks.onDidFinish((r) => { d.dispose(); resolve(r.result); }); });
      const edit = new vscode.WorkspaceEdit();
      edit.insert(doc.uri, new vscode.Position(doc.lineCount, 0), '// saved\n');
      assert.ok(await vscode.workspace.applyEdit(edit));
      assert.ok(await doc.save());
      const result = await Promise.race([finished, new Promise<undefined>((r) => setTimeout(() => r(undefined), 30_000))]);
      assert.equal(result?.exerciseId, exercise.id);
      assert.equal(result?.status, 'passed');
    } finally {
      await config.update('checkOnSave', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  test('CodeLens: Check and Hint above each function a check targets', async () => {
    const { exercise, file } = await first();
    await write(file, readFileSync(exercise.scaffold, 'utf8'));
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    const lenses = await s.codeLens.provideCodeLenses(doc);
    const tasks = [...new Set((await s.plans.get(exercise.id)).map((p) => p.task).filter(Boolean))];
    assert.equal(lenses.length, tasks.length * 2);
    const lines = doc.getText().split('\n');
    for (const [i, task] of tasks.entries()) {
      const [check, hint] = [lenses[2 * i], lenses[2 * i + 1]];
      assert.match(lines[check.range.start.line], new RegExp(`export function ${task}\\b`));
      assert.equal(check.command?.command, 'llmLab.checkExercise');
      assert.deepEqual(check.command?.arguments, [exercise.id]);
      assert.match(check.command?.title ?? '', /\$\(play\)/);
      assert.equal(hint.command?.command, 'llmLab.showHint');
      assert.deepEqual(hint.command?.arguments, [exercise.id]);
    }
    // The registered provider gives the same lenses to the editor.
    const all = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
    assert.equal(all.filter((l) => l.command?.command === 'llmLab.checkExercise').length, tasks.length);
    // Not on other TypeScript files.
    const other = await vscode.workspace.openTextDocument({ language: 'typescript', content: 'export function strides() {}\n' });
    assert.deepEqual(await s.codeLens.provideCodeLenses(other), []);
  });

  test('a failing check puts an error at the learner\'s line; a passing run clears it', async () => {
    const { exercise, file } = await first();
    await write(file, readFileSync(exercise.scaffold, 'utf8'));
    const uri = vscode.Uri.file(file);
    const failed = await vscode.commands.executeCommand<RunResult>('llmLab.checkExercise', exercise.id);
    assert.equal(failed?.status, 'failed');
    const diags = ourDiagnostics(uri);
    const located = failed.checks.filter((c) => c.status !== 'passed' && c.location?.file === file);
    assert.equal(diags.length, located.length);
    assert.ok(diags.length > 0);
    assert.ok(diags.every((d) => d.severity === vscode.DiagnosticSeverity.Error));
    const key = (line: number, text: string) => `${line}: ${text}`;
    assert.deepEqual(
      diags.map((d) => key(d.range.start.line, d.message.split(':')[0])).sort(),
      located.map((c) => key(c.location!.line - 1, c.name.split(':')[0])).sort(),
    );
    await write(file, readFileSync(exercise.solution, 'utf8'));
    const passed = await vscode.commands.executeCommand<RunResult>('llmLab.checkExercise', exercise.id);
    assert.equal(passed?.status, 'passed');
    assert.deepEqual(ourDiagnostics(uri), []);
  });

  test('a syntax error is one diagnostic at its line', async () => {
    const { exercise, file } = await first();
    await write(file, 'export function strides(\n');
    const r = await vscode.commands.executeCommand<RunResult>('llmLab.checkExercise', exercise.id);
    assert.equal(r?.error?.kind, 'syntax');
    const diags = ourDiagnostics(vscode.Uri.file(file));
    assert.equal(diags.length, 1);
    assert.equal(diags[0].code, 'syntax');
    await write(file, readFileSync(exercise.solution, 'utf8'));
    assert.equal((await vscode.commands.executeCommand<RunResult>('llmLab.checkExercise', exercise.id))?.status, 'passed');
  });

  test('the status bar shows the current lesson and the course progress, and opens the lesson', async () => {
    const { lesson } = await first();
    await s.statusBar.update();
    const catalog = await s.course.get();
    const all = catalog.lessons.flatMap((l) => l.exercises);
    const passed = all.filter((e) => s.learner.get(e.id).status === 'passed').length;
    const short = lesson.title.split(/[:：]/)[0].trim();
    assert.equal(s.statusBar.item.text, `$(mortar-board) ${short} · ${passed}/${all.length}`);
    assert.ok(passed >= 1, 'the previous test left the first exercise passed');
    const command = s.statusBar.item.command as vscode.Command;
    assert.equal(command.command, 'llmLab.openLesson');
    assert.deepEqual(command.arguments, [lesson.id]);
  });

  test('the Lessons view has no Restricted Mode message in a trusted workspace', () => {
    assert.equal(vscode.workspace.isTrusted, true);
    assert.equal(s.lessonsView.view.message, undefined);
  });

  test('with llmLab.showResultsOnCheck off, a check does not open the results panel', async () => {
    const { exercise } = await first();
    s.results.current?.panel.dispose();
    const config = vscode.workspace.getConfiguration('llmLab');
    await config.update('showResultsOnCheck', false, vscode.ConfigurationTarget.Global);
    try {
      const r = await vscode.commands.executeCommand<RunResult>('llmLab.checkExercise', exercise.id);
      assert.equal(r?.status, 'passed');
      assert.equal(s.results.current, undefined);
    } finally {
      await config.update('showResultsOnCheck', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  test('with llmLab.codeLens off, there are no lenses', async () => {
    const { file } = await first();
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    const config = vscode.workspace.getConfiguration('llmLab');
    await config.update('codeLens', false, vscode.ConfigurationTarget.Global);
    try {
      assert.deepEqual(await s.codeLens.provideCodeLenses(doc), []);
    } finally {
      await config.update('codeLens', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  test('the manifest contributes a walkthrough and a welcome view, and Get Started is a command', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const c = (ext.packageJSON as { contributes: { walkthroughs: { id: string; steps: unknown[] }[]; viewsWelcome: { view: string }[] } }).contributes;
    assert.equal(c.walkthroughs[0].id, 'llmLab.getStarted');
    assert.ok(c.walkthroughs[0].steps.length >= 5);
    assert.ok(c.viewsWelcome.some((w) => w.view === 'llmLab.lessons'));
    assert.ok((await vscode.commands.getCommands(true)).includes('llmLab.getStarted'));
  });
});
