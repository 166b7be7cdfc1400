/**
 * LLM Lab inside a real VS Code extension host: activation, the tree, the commands, the runner and the
 * webview round trip. Needs a workspace folder (the harness opens an empty temporary one).
 */
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunResult } from '../../src/core/grading/result';
import type { Services } from '../../src/vscode/commands';
import type { Node } from '../../src/vscode/tree';

const EXTENSION_ID = 'llm-lab.llm-lab';
let s: Services;

async function firstExercise() {
  const catalog = await s.course.get();
  const lesson = catalog.lessons[0];
  return { lesson, exercise: lesson.exercises[0] };
}

suite('LLM Lab in the extension host', () => {
  suiteSetup(async () => {
    const ext = vscode.extensions.getExtension<Services>(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} not found`);
    s = await ext.activate();
    assert.ok(vscode.workspace.workspaceFolders?.length, 'the test run needs a workspace folder');
  });

  test('activates and registers every command of the manifest', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    assert.equal(ext.isActive, true);
    const manifest = ext.packageJSON as { contributes: { commands: { command: string }[] } };
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const c of manifest.contributes.commands) assert.ok(registered.has(c.command), `${c.command} is not registered`);
  });

  test('the Lessons tree shows parts, lessons and exercises with status and tooltips', async () => {
    const roots = await s.tree.getChildren();
    assert.ok(roots.length >= 1);
    assert.equal(roots[0].kind, 'part');
    const lessons = await s.tree.getChildren(roots[0]);
    assert.equal(lessons[0].kind, 'lesson');
    const lessonItem = s.tree.getTreeItem(lessons[0]);
    assert.ok(lessonItem.tooltip instanceof vscode.MarkdownString);
    assert.equal(lessonItem.command?.command, 'llmLab.openLesson');
    const exercises = await s.tree.getChildren(lessons[0]);
    const item = s.tree.getTreeItem(exercises[0] as Node);
    assert.equal(item.contextValue, 'exercise');
    assert.equal(item.command?.command, 'llmLab.openExercise');
    assert.ok(item.iconPath instanceof vscode.ThemeIcon);
  });

  test('Open Exercise copies the scaffold, opens it, and never overwrites the learner file', async () => {
    const { exercise } = await firstExercise();
    const file = await vscode.commands.executeCommand<string>('llmLab.openExercise', exercise.id);
    assert.ok(file && existsSync(file));
    assert.equal(readFileSync(file, 'utf8'), readFileSync(exercise.scaffold, 'utf8'));
    assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, file);
    assert.ok(existsSync(path.join(path.dirname(path.dirname(file)), 'tsconfig.json')));
    writeFileSync(file, '// my own work\n');
    await vscode.commands.executeCommand('llmLab.openExercise', exercise.id);
    assert.equal(readFileSync(file, 'utf8'), '// my own work\n');
    assert.equal(s.learner.get(exercise.id).status, 'in-progress');
  });

  test('Check Exercise on a correct file passes, updates progress, and the results webview round-trips', async () => {
    const { exercise } = await firstExercise();
    const file = await vscode.commands.executeCommand<string>('llmLab.openExercise', exercise.id);
    writeFileSync(file, readFileSync(exercise.solution, 'utf8'));
    const result = await vscode.commands.executeCommand<RunResult>('llmLab.checkExercise', exercise.id);
    assert.equal(result?.status, 'passed', JSON.stringify(result?.error ?? result?.checks.filter((c) => c.status !== 'passed')));
    assert.equal(s.learner.get(exercise.id).status, 'passed');
    assert.ok(s.results.current, 'the results panel is open');
    await s.results.current.whenReady();
    assert.equal(s.results.current.panel.title, 'LLM Lab Results');
  });

  test('Check Exercise on the scaffold fails and points at the learner file', async () => {
    const { exercise } = await firstExercise();
    const file = await vscode.commands.executeCommand<string>('llmLab.openExercise', exercise.id);
    writeFileSync(file, readFileSync(exercise.scaffold, 'utf8'));
    const result = await vscode.commands.executeCommand<RunResult>('llmLab.checkExercise', vscode.Uri.file(file));
    assert.equal(result?.status, 'failed');
    assert.equal(result?.checks[0].location?.file, file);
    assert.equal(s.learner.get(exercise.id).status, 'failed');
  });

  test('a file with a syntax error gives a syntax result, and the next check works', async () => {
    const { exercise } = await firstExercise();
    const file = await vscode.commands.executeCommand<string>('llmLab.openExercise', exercise.id);
    writeFileSync(file, 'export function (\n');
    const bad = await vscode.commands.executeCommand<RunResult>('llmLab.checkExercise', exercise.id);
    assert.equal(bad?.error?.kind, 'syntax');
    writeFileSync(file, readFileSync(exercise.solution, 'utf8'));
    const good = await vscode.commands.executeCommand<RunResult>('llmLab.checkExercise', exercise.id);
    assert.equal(good?.status, 'passed');
  });

  test('Check Exercise takes the waiting runner (from command to result: printed, never asserted)', async () => {
    const { exercise } = await firstExercise();
    const file = await vscode.commands.executeCommand<string>('llmLab.openExercise', exercise.id);
    writeFileSync(file, readFileSync(exercise.solution, 'utf8'));
    const times: number[] = [];
    const used = s.checks.runnerStats.used;
    // Where the time goes: when the run started, the runner's ready / plan / finished arrived, the result was out.
    const marks: Record<string, number[]> = { start: [], ready: [], plan: [], finished: [], result: [] };
    let t0 = 0;
    const since = () => performance.now() - t0;
    const subs = [
      s.checks.onDidStart(() => marks.start.push(since())),
      s.checks.onDidEvent(({ event }) => { if (event.type === 'ready' || event.type === 'plan' || event.type === 'finished') marks[event.type].push(since()); }),
      s.checks.onDidFinish(() => marks.result.push(since())),
    ];
    try {
      for (let i = 0; i < 10; i++) {
        s.checks.prewarm();
        assert.ok(await s.checks.runnerReady(), 'a runner is waiting');
        t0 = performance.now();
        const result = await vscode.commands.executeCommand<RunResult>('llmLab.checkExercise', exercise.id);
        times.push(since());
        assert.equal(result?.status, 'passed');
      }
    } finally {
      for (const d of subs) d.dispose();
    }
    assert.equal(s.checks.runnerStats.used - used, 10, 'every check took the waiting runner');
    const median = (xs: number[]) => { const l = xs.slice(2).sort((a, b) => a - b); return l[Math.floor(l.length / 2)]; };
    const later = times.slice(2).sort((a, b) => a - b);
    const shown = marks.result.slice(2).sort((a, b) => a - b);
    console.log(`      check latency in the extension host (${exercise.id}, warm runner, ${later.length} runs after 2): command to result shown p50 ${median(marks.result).toFixed(0)} ms, `
      + `p95 ${shown[Math.ceil(shown.length * 0.95) - 1].toFixed(0)} ms (to the command's return, progress saved: p50 ${median(times).toFixed(0)} ms, max ${later[later.length - 1].toFixed(0)} ms); `
      + `load average ${os.loadavg()[0].toFixed(2)}`);
    console.log(`      medians from the command: started ${median(marks.start).toFixed(0)}, runner ready ${median(marks.ready).toFixed(0)}, plan ${median(marks.plan).toFixed(0)}, `
      + `finished ${median(marks.finished).toFixed(0)}, result out ${median(marks.result).toFixed(0)}, command returned ${median(times).toFixed(0)} ms`);
  });

  test('Show Hint reveals hints one at a time', async () => {
    const { exercise } = await firstExercise();
    const before = s.learner.get(exercise.id).hintsShown;
    const hint = await vscode.commands.executeCommand<string>('llmLab.showHint', exercise.id);
    assert.equal(hint, exercise.hints[Math.min(before, exercise.hints.length - 1)]);
    assert.equal(s.learner.get(exercise.id).hintsShown, Math.min(before + 1, exercise.hints.length));
  });

  test('Show Solution opens the reference read-only after the exercise passed', async () => {
    const { exercise } = await firstExercise();
    const uri = await vscode.commands.executeCommand<vscode.Uri>('llmLab.showSolution', exercise.id);
    assert.ok(uri);
    const doc = await vscode.workspace.openTextDocument(uri);
    assert.equal(doc.getText(), readFileSync(exercise.solution, 'utf8'));
  });

  test('Reset Exercise restores the scaffold and keeps a backup that Restore brings back', async () => {
    const { exercise } = await firstExercise();
    const file = await vscode.commands.executeCommand<string>('llmLab.openExercise', exercise.id);
    writeFileSync(file, '// precious work\n');
    const backup = await vscode.commands.executeCommand<string>('llmLab.resetExercise', exercise.id, { confirmed: true });
    assert.ok(backup && existsSync(backup));
    assert.equal(readFileSync(backup, 'utf8'), '// precious work\n');
    assert.equal(readFileSync(file, 'utf8'), readFileSync(exercise.scaffold, 'utf8'));
    // The open editor shows the scaffold as soon as the command returns, without waiting for the file watcher.
    const editor = () => vscode.workspace.textDocuments.find((d) => d.uri.fsPath === file)?.getText();
    assert.equal(editor(), readFileSync(exercise.scaffold, 'utf8'));
    await vscode.commands.executeCommand('llmLab.restoreBackup', exercise.id, backup);
    assert.equal(readFileSync(file, 'utf8'), '// precious work\n');
    assert.equal(editor(), '// precious work\n');
  });

  test('Open Lesson renders the lesson in a webview that round-trips', async () => {
    const { lesson } = await firstExercise();
    await vscode.commands.executeCommand('llmLab.openLesson', lesson.id);
    assert.ok(s.lessonPanel.current);
    await s.lessonPanel.current.whenReady();
    assert.equal(s.lessonPanel.current.panel.title, lesson.title);
  });
});
