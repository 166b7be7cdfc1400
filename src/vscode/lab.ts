/**
 * Builds the extension's services and ties them to VS Code. Nothing heavy happens here: the course,
 * the Markdown renderer and the runner load on first use.
 */
import { readFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import { install } from '../core/install';
import { CheckService } from './checker';
import { registerCommands, type Services } from './commands';
import { SOLUTION_SCHEME } from './commands/showSolution';
import { CourseService } from './course';
import { LearnerState } from './learner';
import { LessonPanel, ResultsPanel } from './panels';
import { LessonsTree } from './tree';

export function createServices(context: vscode.ExtensionContext): Services {
  const log = vscode.window.createOutputChannel('LLM Lab', { log: true });
  const inst = install(context.extensionUri.fsPath);
  const course = new CourseService(inst, log);
  const learner = new LearnerState(context.globalState);
  const results = new ResultsPanel(context.extensionUri);
  const lessonPanel = new LessonPanel(context.extensionUri, learner);
  const checks = new CheckService(inst, course, learner, results, log);
  const tree = new LessonsTree(course, learner);
  const services: Services = { install: inst, course, learner, checks, lessonPanel, results, tree, log };

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

  context.subscriptions.push(
    log, course, learner, results, lessonPanel, checks, tree,
    vscode.window.registerTreeDataProvider('llmLab.lessons', tree),
    vscode.workspace.registerTextDocumentContentProvider(SOLUTION_SCHEME, solutions),
    course.onDidChange(updateExerciseFiles),
    vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration('llmLab.exerciseFolder')) void updateExerciseFiles(); }),
    vscode.workspace.onDidChangeWorkspaceFolders(() => void updateExerciseFiles()),
    ...registerCommands(services),
  );
  return services;
}
