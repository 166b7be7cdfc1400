/**
 * Each exercise's list of checks (names and the function each targets), for the Test Explorer and the
 * CodeLens. Listed by a plan-only runner that loads the lesson's checks and never the learner's code, one
 * at a time (the machine may be busy), cached until the course reloads, and refreshed by every real run.
 */
import * as vscode from 'vscode';
import type { Install } from '../core/install';
import { planInWorker } from '../harness/host';
import type { PlannedCheck } from '../harness/protocol';
import type { CheckService } from './checker';
import { type CourseService, currentLocale } from './course';
import { Disposable } from './dispose';

const PLAN_TIMEOUT_MS = 30_000;

export class PlanService extends Disposable {
  private readonly plans = new Map<string, Promise<PlannedCheck[]>>();
  private queue: Promise<unknown> = Promise.resolve();
  private readonly changed = this.register(new vscode.EventEmitter<string>());
  /** Fires with the exercise id whose plan became known or changed. */
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly install: Install,
    private readonly course: CourseService,
    checks: CheckService,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
    this.register(course.onDidChange(() => this.plans.clear()));
    // A real run reports the plan too: keep it (the lesson may have changed since it was listed).
    this.register(checks.onDidEvent(({ start, event }) => {
      if (event.type !== 'plan') return;
      const fresh = event.checks;
      void this.known(start.exerciseId).then((old) => {
        if (old && same(old, fresh)) return;
        this.plans.set(start.exerciseId, Promise.resolve(fresh));
        this.changed.fire(start.exerciseId);
      });
    }));
  }

  /** The plan if it was already listed (without starting a runner). */
  known(exerciseId: string): Promise<PlannedCheck[] | undefined> {
    return this.plans.get(exerciseId)?.catch(() => undefined) ?? Promise.resolve(undefined);
  }

  /** The exercise's checks; rejects with the reason when the lesson's checks cannot be loaded. */
  get(exerciseId: string): Promise<PlannedCheck[]> {
    let plan = this.plans.get(exerciseId);
    if (!plan) {
      plan = this.list(exerciseId);
      this.plans.set(exerciseId, plan);
      // A failure is not cached: the next request tries again (e.g. after the lesson was fixed).
      plan.then(() => this.changed.fire(exerciseId), () => { if (this.plans.get(exerciseId) === plan) this.plans.delete(exerciseId); });
    }
    return plan;
  }

  private async list(exerciseId: string): Promise<PlannedCheck[]> {
    const { exercise } = await this.course.exercise(exerciseId);
    const next = this.queue.then(() => planInWorker(exercise.checks, { workerPath: this.install.worker, timeoutMs: PLAN_TIMEOUT_MS, locale: currentLocale() }));
    this.queue = next.catch(() => undefined);
    try {
      const plan = await next;
      this.log.info(`listed ${plan.length} checks of ${exerciseId}`);
      return plan;
    } catch (e) {
      this.log.error(`listing the checks of ${exerciseId} failed: ${(e as Error).message}`);
      throw e;
    }
  }
}

function same(a: PlannedCheck[], b: PlannedCheck[]): boolean {
  return a.length === b.length && a.every((c, i) => c.id === b[i].id && c.name === b[i].name && c.task === b[i].task);
}
