/**
 * Which exercise a command is about. Commands are called from the palette (no argument), the tree (a
 * node), the editor title (a Uri), the results panel or tests (an id string).
 */
import * as vscode from 'vscode';
import type { Services } from './types';

export async function exerciseIdFrom(s: Services, arg: unknown): Promise<string | undefined> {
  if (typeof arg === 'string') return arg;
  if (arg && typeof arg === 'object' && 'exerciseId' in arg && typeof arg.exerciseId === 'string') return arg.exerciseId;
  const catalog = await s.course.get();
  const file = arg instanceof vscode.Uri ? arg.fsPath : vscode.window.activeTextEditor?.document.uri.fsPath;
  const fromFile = file ? s.learner.exerciseForFile(catalog, file) : undefined;
  if (fromFile) return fromFile;
  const picked = await vscode.window.showQuickPick(
    catalog.lessons.flatMap((l) => l.exercises.map((e) => ({ label: e.title, description: e.id, detail: l.title, id: e.id }))),
    { title: vscode.l10n.t('Which exercise?'), matchOnDescription: true },
  );
  return picked?.id;
}

export async function lessonIdFrom(s: Services, arg: unknown): Promise<string | undefined> {
  if (typeof arg === 'string') return arg;
  if (arg && typeof arg === 'object' && 'lesson' in arg) return (arg as { lesson: { id: string } }).lesson.id;
  const catalog = await s.course.get();
  const picked = await vscode.window.showQuickPick(
    catalog.lessons.map((l) => ({ label: l.title, description: l.part, id: l.id })),
    { title: vscode.l10n.t('Which lesson?') },
  );
  return picked?.id;
}
