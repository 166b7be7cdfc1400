/**
 * The runner process: the only place learner code executes. Started by `host.ts`, it says `ready`, receives
 * the learner file and the lesson's checks already bundled (with inline source maps, so every stack trace
 * points at the learner's own lines), runs each check, and reports over IPC.
 *
 * The kit, the check library and the model layer are provided from this process's own copies, so the
 * learner's code and the checks share one Tensor class.
 */
import Module from 'node:module';
import * as path from 'node:path';
import { format } from 'node:util';
import { performance } from 'node:perf_hooks';
import * as kit from '../kit';
import * as check from '../core/grading';
import { checkId, seededRandom, type ExerciseChecks } from '../core/grading/define';
import type { Artifact, CheckOutcome, RunError, RunResult } from '../core/grading/result';
import { declarationOf, exportedNames, learnerStack, locationInStack } from './locate';
import type { BundledCode } from './bundle';
import { INTERNAL_ERROR_PREFIX, type FromWorker, type PlannedCheck, type ToWorker, type WorkerRequest } from './protocol';

const MAX_LOG_LINES = 200;
const realExit = process.exit.bind(process);

/** Modules provided by the runner instead of being bundled with the learner's code. */
const provided: Record<string, () => unknown> = {
  '@llm-lab/kit': () => kit,
  '@llm-lab/check': () => check,
  // The model layer (protobuf parsing, onnxruntime) is its own bundle, loaded only by lessons that use it.
  '@llm-lab/model': () => require(path.join(__dirname, 'model.js')),
};

class ExitCalled extends Error {
  constructor(readonly code: unknown) {
    super(`your code called process.exit(${code ?? ''})`);
    this.name = 'ExitCalled';
  }
}

function send(msg: FromWorker): void {
  process.send?.(msg);
}

interface InternalModule {
  filename: string;
  paths: string[];
  exports: Record<string, unknown>;
  require(id: string): unknown;
  _compile(code: string, filename: string): void;
}
type ModuleStatics = { new (id: string): InternalModule; _nodeModulePaths(dir: string): string[] };

/** Evaluates bundled CommonJS code as if it were the file `filename`, so source maps and stacks name it. */
function loadBundle(code: string, filename: string): Record<string, unknown> {
  const M = Module as unknown as ModuleStatics;
  const mod = new M(filename);
  mod.filename = filename;
  mod.paths = M._nodeModulePaths(path.dirname(filename));
  const normal = mod.require.bind(mod);
  mod.require = (id: string) => (provided[id] ? provided[id]() : normal(id));
  mod._compile(code, filename);
  return mod.exports;
}

/** Turns whatever a check threw into an outcome the learner can act on. */
function outcomeOfError(e: unknown, base: Omit<CheckOutcome, 'status'>, req: WorkerRequest, source: string): CheckOutcome {
  const file = req.learnerFile;
  const declared = base.task ? declarationOf(source, base.task, file) : undefined;
  const err = e instanceof Error ? e : new Error(String(e));
  if (err instanceof check.CheckFailure) {
    const d = err.details;
    return { ...base, status: 'failed', message: d.message, hint: d.hint ?? base.hint, expected: d.expected, actual: d.actual, firstDifference: d.firstDifference, location: declared };
  }
  const location = locationInStack(err.stack, file) ?? declared;
  const stack = learnerStack(err.stack, file);
  if (err instanceof kit.NotImplementedError) {
    return { ...base, status: 'failed', message: `not implemented yet: ${err.task} still calls TODO('${err.task}')`, location, hint: base.hint };
  }
  if (err instanceof ExitCalled) {
    return { ...base, status: 'error', message: `${err.message}: return a value instead of exiting the process`, location };
  }
  const who = base.task ? `${base.task}() threw` : 'the check threw';
  return { ...base, status: 'error', message: `${who} ${err.name}: ${err.message}`, location, stack, hint: base.hint };
}

type Spec = ExerciseChecks<Record<string, unknown>>;

/** Loads the lesson's checks; a string says why they are unusable (a lesson bug). */
function loadChecks(checks: BundledCode, checksFile: string): Spec | string {
  const spec = (loadBundle(checks.code, checks.filename).default ?? {}) as Spec;
  if (!Array.isArray(spec.checks) || !Array.isArray(spec.exports)) {
    return `${path.basename(checksFile)} must \`export default defineChecks({ exports, checks })\``;
  }
  return spec;
}

function planOf(spec: Spec): PlannedCheck[] {
  return spec.checks.map((c) => ({ id: checkId(c.name), name: c.name, task: c.task }));
}

async function run(job: Extract<ToWorker, { type: 'run' }>, logs: string[]): Promise<RunResult> {
  const t0 = performance.now();
  const { request: req, source } = job;
  const result = (status: RunResult['status'], checks: CheckOutcome[], error?: RunError): RunResult =>
    ({ exerciseId: req.exerciseId, file: req.learnerFile, status, checks, error, logs, durationMs: performance.now() - t0 });

  const spec = loadChecks(job.checks, req.checksFile);
  if (typeof spec === 'string') return result('error', [], { kind: 'setup', message: spec });
  const plan = planOf(spec);
  send({ type: 'plan', checks: plan });
  // When the file cannot run at all, every check is listed as not run, with the reason.
  const stopped = (error: RunError) => result('error', plan.map((p) => ({ ...p, status: 'skipped' as const, message: `not run: ${error.message}`, artifacts: [], durationMs: 0 })), error);

  if ('error' in job.learner) return stopped(job.learner.error);
  const built: BundledCode = job.learner;

  let learner: Record<string, unknown>;
  try {
    learner = loadBundle(built.code, built.filename);
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    return stopped({
      kind: err instanceof ExitCalled ? 'exit' : 'load',
      message: `your file threw while loading (top-level code): ${err.name}: ${err.message}`,
      location: locationInStack(err.stack, req.learnerFile), detail: learnerStack(err.stack, req.learnerFile),
    });
  }

  const missing = spec.exports.filter((name) => learner[name] === undefined);
  if (missing.length) {
    const found = exportedNames(learner);
    const names = missing.map((n) => `\`${n}\``).join(', ');
    const declared = missing.map((n) => declarationOf(source, n, req.learnerFile)).find(Boolean);
    const why = declared ? ' It is declared but not exported: add `export` before it.' : ' Did you rename or delete it?';
    return stopped({
      kind: 'missing-export', location: declared,
      message: `${path.basename(req.learnerFile)} must export ${names}; it exports ${found.length ? found.join(', ') : 'nothing'}.${why}`,
    });
  }
  const notFunctions = spec.exports.filter((name) => typeof learner[name] !== 'function');
  if (notFunctions.length) {
    return stopped({ kind: 'missing-export', message: `${notFunctions.map((n) => `\`${n}\``).join(', ')} must be a function` });
  }

  const outcomes: CheckOutcome[] = [];
  for (const c of spec.checks) {
    const id = checkId(c.name);
    const budget = c.timeoutSeconds;
    send({ type: 'check-started', id, timeoutMs: typeof budget === 'number' && budget > 0 ? budget * 1000 : undefined });
    const artifacts: Artifact[] = [];
    const live = new Map<string, Artifact>(); // the latest live artifact per title
    let lastSent = 0;
    const ctx = {
      artifact: (a: Artifact) => void artifacts.push(a),
      random: seededRandom(hash(c.name)),
      progress: (a: Artifact) => {
        live.set(a.title, a);
        const now = performance.now();
        if (now - lastSent < PROGRESS_INTERVAL_MS) return; // coalesced: the final state is kept below
        lastSent = now;
        send({ type: 'check-progress', id, artifact: a });
      },
    };
    const started = performance.now();
    const base = { id, name: c.name, task: c.task, hint: c.hint, artifacts, durationMs: 0 };
    let outcome: CheckOutcome;
    try {
      await c.run(learner, ctx);
      outcome = { ...base, hint: undefined, status: 'passed' };
    } catch (e) {
      outcome = outcomeOfError(e, base, req, source);
    }
    outcome.durationMs = performance.now() - started;
    // Live artifacts end up with the result, in their final state, before anything added with artifact().
    if (live.size) outcome.artifacts = [...live.values(), ...outcome.artifacts.filter((a) => !live.has(a.title))];
    outcomes.push(outcome);
    send({ type: 'check-finished', outcome });
  }
  return result(outcomes.every((o) => o.status === 'passed') ? 'passed' : 'failed', outcomes);
}

/** Live artifacts are sent at most this often (IPC and the webview redraw are not free). */
const PROGRESS_INTERVAL_MS = 100;

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

function captureConsole(logs: string[]): void {
  const capture = (...args: unknown[]) => {
    const text = format(...args).slice(0, 2000);
    if (logs.length < MAX_LOG_LINES) logs.push(text);
    else if (logs.length === MAX_LOG_LINES) logs.push(`... (more output was cut after ${MAX_LOG_LINES} lines)`);
    send({ type: 'log', text });
  };
  for (const k of ['log', 'info', 'warn', 'error', 'debug'] as const) console[k] = capture;
}

/** Waits for the host's one `run` message. */
function nextJob(): Promise<ToWorker> {
  return new Promise((resolve) => process.once('message', (m) => resolve(m as ToWorker)));
}

/** Plan only: loads the checks (lesson code, never learner code), reports their list and exits. */
function planOnly(job: Extract<ToWorker, { type: 'plan' }>): void {
  captureConsole([]);
  let spec: Spec | string;
  try {
    spec = loadChecks(job.checks, job.checksFile);
  } catch (e) {
    spec = `${path.basename(job.checksFile)} threw while loading: ${(e as Error)?.stack ?? e}`;
  }
  if (typeof spec === 'string') {
    process.stderr.write(`${spec}\n`);
    return realExit(1);
  }
  process.send?.({ type: 'plan', checks: planOf(spec) } satisfies FromWorker, () => realExit(0));
}

async function main(): Promise<void> {
  process.setSourceMapsEnabled(true);
  Error.stackTraceLimit = 50;
  const next = nextJob();
  send({ type: 'ready' });
  const job = await next;
  if (job.type === 'plan') return planOnly(job);
  const req: WorkerRequest = job.request;
  const logs: string[] = [];
  captureConsole(logs);
  process.exit = ((code?: unknown) => { throw new ExitCalled(code); }) as typeof process.exit;
  process.on('unhandledRejection', (e) => logs.push(`unhandled promise rejection: ${e instanceof Error ? e.message : String(e)}`));
  let res: RunResult;
  try {
    res = await run(job, logs);
  } catch (e) {
    process.stderr.write(`${INTERNAL_ERROR_PREFIX} ${(e as Error)?.stack ?? e}\n`);
    res = { exerciseId: req.exerciseId, file: req.learnerFile, status: 'error', checks: [], logs, durationMs: 0,
      error: { kind: 'crash', message: `the runner failed: ${(e as Error)?.message ?? e}` } };
  }
  // Exit even if learner code left timers running.
  process.send?.({ type: 'finished', result: res } satisfies FromWorker, () => realExit(0));
}

void main();
