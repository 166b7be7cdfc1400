/**
 * The Test Explorer: one test item per exercise (its uri is the learner's file once it exists, else the
 * lesson's scaffold), with the exercise's checks as children, listed without running learner code.
 *
 * Running an item goes through CheckService.check, the one check path; the runner's events are mapped
 * onto the TestRun as they arrive. Runs started elsewhere (palette, tree, editor, CodeLens, results
 * panel) get a TestRun of their own, mapped the same way, so every result shows here.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CheckOutcome, RunError, RunResult, SourceLocation } from '../core/grading/result';
import { learnerFile } from '../core/workspace';
import { valueText } from '../core/valueText';
import { declarationOf } from '../harness/locate';
import type { FromWorker, PlannedCheck } from '../harness/protocol';
import type { CheckService, CheckStart } from './checker';
import type { CourseService } from './course';
import { Disposable } from './dispose';
import type { LearnerState } from './learner';
import type { PlanService } from './plans';
import { affects } from './settings';

type ItemData =
  | { kind: 'exercise'; exerciseId: string }
  | { kind: 'check'; exerciseId: string; checkId: string; task?: string };

const itemData = new WeakMap<vscode.TestItem, ItemData>();

/** What LLM Lab knows about a test item; every item it creates has data, so a miss is a bug. */
export function dataOf(item: vscode.TestItem): ItemData {
  const data = itemData.get(item);
  if (!data) throw new Error(`LLM Lab: test item "${item.id}" has no data. This is a bug in LLM Lab, please report it.`);
  return data;
}

export type ReportedState = 'enqueued' | 'started' | 'passed' | 'failed' | 'errored' | 'skipped';

/** The id of a check's test item: unique across the controller. */
export function checkItemId(exerciseId: string, checkId: string): string {
  return `${exerciseId}#${checkId}`;
}

function location(loc: SourceLocation): vscode.Location {
  return new vscode.Location(vscode.Uri.file(loc.file), new vscode.Position(Math.max(0, loc.line - 1), Math.max(0, loc.column - 1)));
}

/** A failed or errored check as Test Explorer messages: a diff when there are expected and actual values. */
export function outcomeMessage(o: CheckOutcome): vscode.TestMessage {
  const lines = o.convention ? [vscode.l10n.t('A convention of {0}, not a mistake: this lesson does it the other way.', o.convention), o.message ?? o.name] : [o.message ?? o.name];
  if (o.firstDifference) lines.push(vscode.l10n.t('first difference at [{0}]', o.firstDifference.index.join(', ')));
  if (o.hint) lines.push(vscode.l10n.t('Hint: {0}', o.hint));
  if (o.stack) lines.push('', o.stack);
  const text = lines.join('\n');
  const msg = o.expected && o.actual ? vscode.TestMessage.diff(text, valueText(o.expected), valueText(o.actual)) : new vscode.TestMessage(text);
  if (o.location) msg.location = location(o.location);
  return msg;
}

function errorMessage(e: RunError): vscode.TestMessage {
  const msg = new vscode.TestMessage(e.detail ? `${e.message}\n\n${e.detail}` : e.message);
  if (e.location) msg.location = location(e.location);
  return msg;
}

/** Which checks of one exercise a run reports. */
interface Wanted {
  item: vscode.TestItem;
  /** Only these check ids (undefined: every check). */
  only?: Set<string>;
  excluded: Set<string>;
}

/** Maps one check run's events onto a TestRun, live. */
class RunMapper {
  private readonly reported = new Set<string>();

  constructor(private readonly testing: TestingService, private readonly run: vscode.TestRun, private readonly w: Wanted) {}

  private wants(checkId: string): boolean {
    return (!this.w.only || this.w.only.has(checkId)) && !this.w.excluded.has(checkId);
  }

  private children(): vscode.TestItem[] {
    const out: vscode.TestItem[] = [];
    this.w.item.children.forEach((c) => {
      const data = dataOf(c);
      if (data.kind === 'check' && this.wants(data.checkId)) out.push(c);
    });
    return out;
  }

  private mark(item: vscode.TestItem, state: ReportedState, messages?: vscode.TestMessage[], ms?: number): void {
    this.testing.states.set(item.id, state);
    switch (state) {
      case 'enqueued': this.run.enqueued(item); break;
      case 'started': this.run.started(item); break;
      case 'passed': this.run.passed(item, ms); break;
      case 'failed': this.run.failed(item, messages ?? [], ms); break;
      case 'errored': this.run.errored(item, messages ?? [], ms); break;
      case 'skipped': this.run.skipped(item); break;
    }
  }

  enqueue(): void {
    this.mark(this.w.item, 'enqueued');
    for (const c of this.children()) this.mark(c, 'enqueued');
  }

  onEvent(e: FromWorker): void {
    switch (e.type) {
      case 'plan':
        this.testing.setChildren(this.w.item, e.checks);
        this.mark(this.w.item, 'started');
        break;
      case 'check-started': {
        const child = this.child(e.id);
        if (child) this.mark(child, 'started');
        break;
      }
      case 'check-finished': this.outcome(e.outcome); break;
      case 'log': this.run.appendOutput(`${e.text.replace(/\r?\n/g, '\r\n')}\r\n`, undefined, this.w.item); break;
      case 'ready': case 'finished': break;
    }
  }

  private child(checkId: string): vscode.TestItem | undefined {
    if (!this.wants(checkId)) return undefined;
    return this.w.item.children.get(checkItemId(dataOf(this.w.item).exerciseId, checkId));
  }

  private outcome(o: CheckOutcome): void {
    const child = this.child(o.id);
    if (!child || this.reported.has(o.id)) return;
    this.reported.add(o.id);
    switch (o.status) {
      case 'passed': this.mark(child, 'passed', undefined, o.durationMs); break;
      case 'failed': this.mark(child, 'failed', [outcomeMessage(o)], o.durationMs); break;
      case 'error': this.mark(child, 'errored', [outcomeMessage(o)], o.durationMs); break;
      case 'skipped': this.mark(child, 'skipped'); break;
    }
  }

  /** The whole result: checks that never sent an event (the process ended early), then the exercise. */
  finish(result: RunResult): void {
    for (const o of result.checks) this.outcome(o);
    const item = this.w.item;
    if (result.error?.kind === 'cancelled') {
      for (const c of this.children()) if (this.testing.states.get(c.id) === 'enqueued' || this.testing.states.get(c.id) === 'started') this.mark(c, 'skipped');
      this.mark(item, 'skipped');
    } else if (result.error) {
      this.mark(item, 'errored', [errorMessage(result.error)], result.durationMs);
    } else if (result.status === 'passed') {
      this.mark(item, 'passed', undefined, result.durationMs);
    } else {
      const failed = result.checks.filter((c) => c.status !== 'passed').length;
      this.mark(item, 'failed', [new vscode.TestMessage(vscode.l10n.t('{0} of {1} checks failed', failed, result.checks.length))], result.durationMs);
    }
  }

  /** The check did not start (no file yet, Restricted Mode, no folder): nothing ran. */
  notStarted(why?: string): void {
    if (why) this.mark(this.w.item, 'errored', [new vscode.TestMessage(why)]);
    else this.mark(this.w.item, 'skipped');
    for (const c of this.children()) this.mark(c, 'skipped');
  }
}

export class TestingService extends Disposable {
  readonly controller: vscode.TestController;
  readonly runProfile: vscode.TestRunProfile;
  /** The last state reported for each test item id (what the Test Explorer shows; read by tests). */
  readonly states = new Map<string, ReportedState>();
  /** Runs started elsewhere, each with a TestRun of its own. */
  private readonly outside = new Map<CheckStart, { run: vscode.TestRun; mapper: RunMapper }>();
  private refreshing: Promise<void> = Promise.resolve();
  /** Debounced range updates, per document. */
  private readonly pending = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(
    private readonly course: CourseService,
    private readonly learner: LearnerState,
    private readonly checks: CheckService,
    private readonly plans: PlanService,
  ) {
    super();
    this.controller = this.register(vscode.tests.createTestController('llmLab', vscode.l10n.t('LLM Lab Exercises')));
    this.controller.resolveHandler = (item) => this.resolve(item);
    this.controller.refreshHandler = () => { this.course.reload(); return this.refresh(); };
    this.runProfile = this.register(this.controller.createRunProfile(vscode.l10n.t('Check'), vscode.TestRunProfileKind.Run, (req, token) => this.runHandler(req, token), true));

    const refresh = () => void this.refresh();
    this.register(course.onDidChange(refresh));
    // A learner file appears when an exercise is opened: the item's uri follows it.
    this.register(learner.onDidChange(refresh));
    this.register(vscode.workspace.onDidChangeWorkspaceFolders(refresh));
    this.register(vscode.workspace.onDidChangeConfiguration((e) => { if (affects(e, 'exerciseFolder')) refresh(); }));
    this.register(plans.onDidChange((id) => {
      const item = this.controller.items.get(id);
      if (item) void plans.known(id).then((plan) => plan && this.setChildren(item, plan));
    }));
    // Children's ranges follow the learner's edits; an opened learner file lists its checks (gutter buttons).
    this.register(vscode.workspace.onDidOpenTextDocument((doc) => this.documentChanged(doc)));
    this.register(vscode.workspace.onDidChangeTextDocument((e) => {
      const key = e.document.uri.toString();
      clearTimeout(this.pending.get(key));
      this.pending.set(key, setTimeout(() => { this.pending.delete(key); this.documentChanged(e.document); }, 250));
    }));

    this.register(checks.onDidStart((start) => this.startOutside(start)));
    this.register(checks.onDidEvent(({ start, event }) => this.outside.get(start)?.mapper.onEvent(event)));
    this.register(checks.onDidFinish(({ start, result }) => this.outside.get(start)?.mapper.finish(result)));
    this.register(checks.onDidEnd((start) => {
      const o = this.outside.get(start);
      if (!o) return;
      this.outside.delete(start);
      o.run.end();
    }));
    refresh();
  }

  override dispose(): void {
    for (const t of this.pending.values()) clearTimeout(t);
    for (const o of this.outside.values()) o.run.end();
    this.outside.clear();
    super.dispose();
  }

  /** The top-level items, one per exercise, in course order. Resolves once they are in place. */
  refresh(): Promise<void> {
    this.refreshing = this.refreshing.then(() => this.build(), () => this.build());
    return this.refreshing;
  }

  private async build(): Promise<void> {
    const catalog = await this.course.get();
    const folder = this.learner.folder();
    const items: vscode.TestItem[] = [];
    for (const lesson of catalog.lessons) {
      for (const [i, exercise] of lesson.exercises.entries()) {
        const mine = folder ? learnerFile(folder, lesson, exercise) : undefined;
        const file = mine && existsSync(mine) ? mine : exercise.scaffold;
        let item = this.controller.items.get(exercise.id);
        // A TestItem's uri cannot change: a new file means a new item (its children follow).
        if (!item || item.uri?.fsPath !== file) {
          item = this.controller.createTestItem(exercise.id, exercise.title, vscode.Uri.file(file));
          itemData.set(item, { kind: 'exercise', exerciseId: exercise.id });
          item.canResolveChildren = true;
          const plan = await this.plans.known(exercise.id);
          if (plan) this.setChildren(item, plan);
        }
        item.label = exercise.title;
        item.description = lesson.title;
        item.sortText = `${String(lesson.order).padStart(6, '0')}-${String(i).padStart(4, '0')}`;
        items.push(item);
      }
    }
    this.controller.items.replace(items);
  }

  /** Lists an exercise's checks as its children (without running learner code). */
  async resolve(item?: vscode.TestItem): Promise<void> {
    if (!item) return this.refresh();
    const data = dataOf(item);
    if (data.kind !== 'exercise') return;
    item.busy = true;
    try {
      this.setChildren(item, await this.plans.get(data.exerciseId));
      item.error = undefined;
    } catch (e) {
      item.error = vscode.l10n.t('Could not list the checks: {0}', (e as Error).message);
    } finally {
      item.busy = false;
    }
  }

  /** Makes an exercise item's children match a plan, keeping the items that still exist. */
  setChildren(item: vscode.TestItem, plan: PlannedCheck[]): void {
    const { exerciseId } = dataOf(item);
    const source = item.uri ? this.source(item.uri) : '';
    const children = plan.map((p, i) => {
      const id = checkItemId(exerciseId, p.id);
      let child = item.children.get(id);
      if (!child || child.label !== p.name) {
        child = this.controller.createTestItem(id, p.name, item.uri);
        itemData.set(child, { kind: 'check', exerciseId, checkId: p.id, task: p.task });
      }
      child.sortText = String(i).padStart(4, '0');
      child.description = p.task ? `${p.task}()` : undefined;
      child.range = this.taskRange(source, p.task, item.uri);
      return child;
    });
    item.children.replace(children);
    item.canResolveChildren = false;
  }

  /** The file's text as the editor has it when it is open (ranges must fit the editor's lines), else from disk. */
  private source(uri: vscode.Uri): string {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === uri.fsPath);
    if (open) return open.getText();
    try { return readFileSync(uri.fsPath, 'utf8'); } catch { return ''; }
  }

  private taskRange(source: string, task: string | undefined, uri: vscode.Uri | undefined): vscode.Range | undefined {
    const loc = task && uri ? declarationOf(source, task, uri.fsPath) : undefined;
    return loc ? new vscode.Range(loc.line - 1, loc.column - 1, loc.line - 1, loc.column - 1) : undefined;
  }

  private documentChanged(doc: vscode.TextDocument): void {
    if (doc.uri.scheme !== 'file') return;
    let found: vscode.TestItem | undefined;
    this.controller.items.forEach((item) => { if (item.uri?.fsPath === doc.uri.fsPath) found = item; });
    if (!found) return;
    const item = found;
    if (item.canResolveChildren) { void this.resolve(item); return; }
    const source = doc.getText();
    item.children.forEach((child) => {
      const data = dataOf(child);
      if (data.kind === 'check') child.range = this.taskRange(source, data.task, item.uri);
    });
  }

  /** Which exercises (and which of their checks) a request asks for. */
  private wanted(request: vscode.TestRunRequest): Map<string, Wanted> {
    const out = new Map<string, Wanted>();
    const include: vscode.TestItem[] = [];
    if (request.include) include.push(...request.include);
    else this.controller.items.forEach((i) => include.push(i));
    for (const item of include) {
      const data = dataOf(item);
      const parent = this.controller.items.get(data.exerciseId);
      if (!parent) continue;
      const w = out.get(data.exerciseId) ?? { item: parent, excluded: new Set<string>(), only: new Set<string>() };
      if (data.kind === 'exercise') w.only = undefined;
      else w.only?.add(data.checkId);
      out.set(data.exerciseId, w);
    }
    for (const item of request.exclude ?? []) {
      const data = dataOf(item);
      if (data.kind === 'exercise') out.delete(data.exerciseId);
      else out.get(data.exerciseId)?.excluded.add(data.checkId);
    }
    return out;
  }

  /** The check ids a request runs, when it does not ask for the whole exercise (undefined: every check). */
  private onlyIds(w: Wanted): string[] | undefined {
    if (!w.only && !w.excluded.size) return undefined;
    const ids: string[] = [];
    w.item.children.forEach((c) => {
      const data = dataOf(c);
      if (data.kind === 'check' && (!w.only || w.only.has(data.checkId)) && !w.excluded.has(data.checkId)) ids.push(data.checkId);
    });
    if (w.only) for (const id of w.only) if (!ids.includes(id) && !w.excluded.has(id)) ids.push(id);
    return ids;
  }

  /** Whether the item points at the learner's own file (not the lesson's scaffold). */
  private opened(item: vscode.TestItem, folder: string | undefined): boolean {
    return !!folder && !!item.uri && path.resolve(item.uri.fsPath).startsWith(path.resolve(folder) + path.sep) && existsSync(item.uri.fsPath);
  }

  /** The run profile: each requested exercise through CheckService.check, one after another. */
  async runHandler(request: vscode.TestRunRequest, token: vscode.CancellationToken): Promise<void> {
    const run = this.controller.createTestRun(request);
    try {
      const wanted = this.wanted(request);
      const folder = this.learner.folder();
      for (const [id, w] of wanted) {
        const mapper = new RunMapper(this, run, w);
        if (token.isCancellationRequested) { mapper.notStarted(); continue; }
        // "Run all" leaves exercises alone that the learner has not opened yet.
        if (!request.include && !this.opened(w.item, folder)) continue;
        if (!vscode.workspace.isTrusted) {
          mapper.notStarted(vscode.l10n.t('Checks run your code, so they are off in Restricted Mode. Trust this workspace to run them.'));
          continue;
        }
        mapper.enqueue();
        try {
          const result = await this.checks.check(id, { token, origin: 'testing', only: this.onlyIds(w), onEvent: (e) => mapper.onEvent(e) });
          if (result) mapper.finish(result);
          else mapper.notStarted();
        } catch (e) {
          mapper.notStarted((e as Error).message);
        }
      }
    } finally {
      run.end();
    }
  }

  private startOutside(start: CheckStart): void {
    if (start.origin === 'testing') return;
    const item = this.controller.items.get(start.exerciseId);
    if (!item) return;
    const run = this.controller.createTestRun(new vscode.TestRunRequest([item]), start.title, true);
    const mapper = new RunMapper(this, run, { item, excluded: new Set() });
    mapper.enqueue();
    this.outside.set(start, { run, mapper });
  }
}
