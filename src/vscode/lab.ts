/**
 * Builds the extension's services and ties them to VS Code. Nothing heavy happens here: the course,
 * the Markdown renderer and the runner load on first use, and the checks' lists when first shown.
 */
import { readFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import { install } from '../core/install';
import { CheckService } from './checker';
import { CheckOnSave } from './checkOnSave';
import { createCompanion } from './companion';
import { CODELENS_SELECTOR, ExerciseCodeLens } from './codelens';
import { registerCommands, type Services } from './commands';
import { SOLUTION_SCHEME } from './commands/showSolution';
import { CourseService } from './course';
import { DiagnosticsService } from './diagnostics';
import { LearnerState } from './learner';
import { LessonPanel, panelSerializers, ResultsPanel } from './panels';
import { PlanService } from './plans';
import { affects } from './settings';
import { LessonStatusBar } from './statusBar';
import { TestingService } from './testing';
import { LessonsTree, LessonsView } from './tree';
import { WalkthroughProgress } from './walkthrough';
import { setWebviewLog } from './webview';

export function createServices(context: vscode.ExtensionContext): Services {
  const log = vscode.window.createOutputChannel('LLM Lab', { log: true });
  setWebviewLog(log);
  const inst = install(context.extensionUri.fsPath, { unpackTo: context.globalStorageUri.fsPath });
  const course = new CourseService(inst, log);
  const learner = new LearnerState(context.globalState);
  const results = new ResultsPanel(context.extensionUri);
  const lessonPanel = new LessonPanel(context.extensionUri, learner);
  const checks = new CheckService(inst, course, learner, results, log);
  const plans = new PlanService(inst, course, checks, log);
  const tree = new LessonsTree(course, learner);
  const lessonsView = new LessonsView(tree);
  const testing = new TestingService(course, learner, checks, plans);
  const codeLens = new ExerciseCodeLens(course, learner, plans);
  const diagnostics = new DiagnosticsService(checks);
  const statusBar = new LessonStatusBar(course, learner);
  const services: Services = {
    extensionId: context.extension.id, install: inst, course, learner, checks, plans, lessonPanel, results, tree, lessonsView,
    testing, codeLens, diagnostics, statusBar, log,
  };

  // Reference solutions open read-only through their own scheme: /<exercise id>/<file>.
  const solutions: vscode.TextDocumentContentProvider = {
    async provideTextDocumentContent(uri) {
      const id = uri.path.split('/').slice(1, -1).join('/');
      return readFile((await course.exercise(id)).exercise.solution, 'utf8');
    },
  };

  // The editor title's Check button shows on learner files only.
  const updateExerciseFiles = async () => {
    const files = learner.exerciseFiles(await course.get());
    await vscode.commands.executeCommand('setContext', 'llmLab.exerciseFiles', files);
  };
  void updateExerciseFiles();

  // The results panel follows the exercise being edited (its last results, or a Check button).
  const followEditor = async (editor: vscode.TextEditor | undefined) => {
    if (editor?.document.uri.scheme !== 'file') return;
    const id = learner.exerciseForFile(await course.get(), editor.document.uri.fsPath);
    if (!id) return;
    // A check of this file is likely next: have a runner waiting for it.
    checks.prewarm();
    results.follow(id, (await course.exercise(id)).exercise.title);
  };

  context.subscriptions.push(
    log, course, learner, results, lessonPanel, checks, plans, tree, lessonsView, testing, codeLens, diagnostics, statusBar,
    new CheckOnSave(course, learner, checks),
    new WalkthroughProgress(course, learner, lessonPanel, checks),
    ...panelSerializers(course, lessonPanel, results, log),
    vscode.window.onDidChangeActiveTextEditor((e) => void followEditor(e)),
    checks.onDidEnd(() => results.ended()),
    vscode.languages.registerCodeLensProvider(CODELENS_SELECTOR, codeLens),
    vscode.workspace.registerTextDocumentContentProvider(SOLUTION_SCHEME, solutions),
    course.onDidChange(updateExerciseFiles),
    learner.onDidChange((id) => { if (id === undefined) void updateExerciseFiles(); }),
    vscode.workspace.onDidChangeConfiguration((e) => { if (affects(e, 'exerciseFolder')) void updateExerciseFiles(); }),
    vscode.workspace.onDidChangeWorkspaceFolders(() => void updateExerciseFiles()),
    ...registerCommands(services),
    // The study companion (plan, weekly review, mistake notebook, review questions, blog drafts).
    ...createCompanion(context.extensionUri, { course, learner, checks, tree, log }).disposables,
  );
  return services;
}
