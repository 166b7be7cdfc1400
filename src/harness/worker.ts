/**
 * The runner process: the only place learner code executes. Started by `host.ts`, it says `ready`, receives
 * the learner file, the lesson's checks and the course layer already bundled (with inline source maps, so every
 * stack trace points at the learner's own lines), runs the checks, and reports over IPC.
 *
 * The kit, the check library and the model layer are provided from this process's own copies, so the
 * learner's code and the checks share one Tensor class. Learner code can import only the kit.
 *
 * What keeps a verdict honest (see the README's threat model): every event after `ready` is signed with the
 * run's key (seal.ts), which learner code never sees; before learner code loads, the built-ins the checks rely
 * on are frozen and the rest watched (lockdown.ts), and after each check the watch is read: any change ends the
 * run as tampered. The host checks signatures, order and plan (host.ts), and starts this process under Node's
 * permission model where the runtime has it: no files but its own code and the model, no processes, no workers.
 */
import Module from 'node:module';
import * as path from 'node:path';
import { format } from 'node:util';
import { performance } from 'node:perf_hooks';
import * as kit from '../kit';
import * as check from '../core/grading';
import { checkId, localize, seededRandom, type CheckContext, type ExerciseChecks, type LocalArtifact } from '../core/grading/define';
import type { Artifact, CheckOutcome, RunError, RunResult } from '../core/grading/result';
import { type Locale, type Text, say, setLocale, t } from '../core/grading/text';
import { declarationOf, exportedNames, learnerStack, locationInStack } from './locate';
import type { BundledCode } from './bundle';
import { ForbiddenModule, LEARNER_BUILTINS, closeProcess, lockDown, warmWatch, type Lockdown } from './lockdown';
import { INTERNAL_ERROR_PREFIX, LOG_LIMITS, keepNonFinite, type FromWorker, type PlannedCheck, type SpareReply, type ToWorker, type WorkerRequest } from './protocol';
import { keyFromHex, macOf } from './seal';
import { learnerHttp, loopbackOnly } from './loopback';
import { close, cloneInstance, copyArgs, firstDivergence, type Divergence } from './diverge';
import { endThreads, isRankThread, makeThreads, rankThreadMain } from './threads';

// Captured before anything else can run: the process's own way out and its own channel.
const reallyExit = (process as unknown as { reallyExit(code: number): never }).reallyExit;
const ipcSend = (process as unknown as { _send?: (m: unknown, h: undefined, o: object, cb?: (e: Error | null) => void) => boolean })._send;
function rawSend(msg: unknown, done?: () => void): void {
  if (!ipcSend) return;
  ipcSend.call(process, msg, undefined, {}, done ? () => done() : undefined);
}

type Provider = (id: string) => unknown;

let modelLoaded = false;
/** Modules provided by the runner instead of being bundled with the learner's code. */
const provided: Record<string, () => unknown> = {
  '@llm-lab/kit': () => kit,
  '@llm-lab/check': () => check,
  // The model layer (protobuf parsing, onnxruntime) is its own bundle, loaded only by lessons that use it.
  '@llm-lab/model': () => { modelLoaded = true; return require(path.join(__dirname, 'model.js')); },
};

/**
 * What learner code may import: the kit, a few built-ins that reach nothing outside the computation, and `http`
 * cut down to a server (the serving lesson), which like everything in the runner can use loopback only (loopback.ts).
 */
const forLearner: Provider = (id) => {
  if (id === '@llm-lab/kit') return kit;
  const name = id.replace(/^node:/, '');
  if (name === 'http') return learnerHttp;
  if (id.startsWith('@llm-lab/') || id.startsWith('/') || id.startsWith('.') || /^[a-z]:[\\/]/i.test(id)) throw new ForbiddenModule(id);
  if (!LEARNER_BUILTINS.has(name)) throw new ForbiddenModule(id);
  return undefined; // the ordinary require
};

/**
 * The course layer (`@llm-lab/course/<part>`: references, fixtures, training loops, data) is for the checks
 * and the course itself: the host sends each part's bundle with the run, loaded here on first use with the same
 * kit, check library and model as everything else. Learner code cannot import it, nor read it from disk.
 */
let courseCode: Record<string, BundledCode> = {};
const courseParts = new Map<string, Record<string, unknown>>();
const forCourse: Provider = (id) => {
  if (provided[id]) return provided[id]();
  const m = /^@llm-lab\/course\/([a-z0-9-]+)$/.exec(id);
  if (!m) return undefined;
  let part = courseParts.get(m[1]);
  if (!part) {
    const code = courseCode[m[1]];
    if (!code) throw new Error(`the course layer has no part "${m[1]}" (a bug in the lesson or the installation)`);
    part = loadBundle(code.code, code.filename, forCourse);
    courseParts.set(m[1], part);
  }
  return part;
};

class ExitCalled extends Error {
  constructor(readonly code: unknown) {
    super(say(t(`your code called process.exit(${safeText(code)})`, `你的代码调用了 process.exit(${safeText(code)})`)));
    this.name = 'ExitCalled';
  }
}

/** Signs and sends one event (after `run` arrived with the key; before, only `ready` goes out unsigned). */
let sendEvent: (msg: FromWorker, done?: () => void) => void = (msg, done) => rawSend(msg, done);

function send(msg: FromWorker): void {
  sendEvent(msg);
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
/**
 * Every module loaded from a bundle, kept for the life of the process: Node caches a module's source map weakly,
 * by its Module object, so a module nothing refers to any more (once its exports were read) would lose its map at
 * the next garbage collection, and stack traces would point into the bundle instead of the learner's lines.
 */
const loadedModules: unknown[] = [];

function loadBundle(code: string, filename: string, provide: Provider): Record<string, unknown> {
  const M = Module as unknown as ModuleStatics;
  const mod = new M(filename);
  loadedModules.push(mod);
  mod.filename = filename;
  mod.paths = M._nodeModulePaths(path.dirname(filename));
  const normal = mod.require.bind(mod);
  mod.require = (id: string) => provide(id) ?? normal(id);
  mod._compile(code, filename);
  return mod.exports;
}

/** Two results, compared as numbers (tensors, typed arrays, arrays and plain objects by key), NaN equal to NaN. */
function sameResult(a: unknown, b: unknown, depth = 0): boolean {
  if (depth > 6) return true;
  if (typeof a === 'number' && typeof b === 'number') return close(a, b);
  if (a instanceof kit.Tensor || b instanceof kit.Tensor) {
    return a instanceof kit.Tensor && b instanceof kit.Tensor && a.shape.join() === b.shape.join() && sameResult(Array.from(a.data), Array.from(b.data), depth + 1);
  }
  const list = (v: unknown) => (ArrayBuffer.isView(v) && !(v instanceof DataView) ? Array.from(v as unknown as ArrayLike<number>) : Array.isArray(v) ? v : undefined);
  const la = list(a);
  const lb = list(b);
  if (la || lb) return !!la && !!lb && la.length === lb.length && la.every((x, i) => sameResult(x, lb[i], depth + 1));
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => sameResult((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], depth + 1));
  }
  return Object.is(a, b) || a === b;
}

/** Whether a value is a class (its source starts with `class`), not a plain function. */
function isClassFunction(v: unknown): boolean {
  return typeof v === 'function' && /^class\b/.test(Function.prototype.toString.call(v));
}

/** Whether a learner function is the reference's, character for character (a provided helper left as it was). */
function unchangedFromReference(own: unknown, ref: unknown): boolean {
  if (typeof own !== 'function' || typeof ref !== 'function') return false;
  const text = (f: unknown) => Function.prototype.toString.call(f).replace(/\s+/g, '');
  return text(own) === text(ref);
}

/** Text of any thrown or passed value, even one whose toString, name or message throws. */
function safeText(v: unknown): string {
  try {
    if (v === undefined) return '';
    if (typeof v === 'string') return v;
    const s = String(v);
    return typeof s === 'string' ? s : '?';
  } catch {
    try { return Object.prototype.toString.call(v); } catch { return '?'; }
  }
}

/** Any thrown value as an Error whose name, message and stack are plain strings (they are read later). */
function asError(e: unknown): Error {
  if (e instanceof Error) {
    try {
      const name = typeof e.name === 'string' ? e.name : 'Error';
      const message = typeof e.message === 'string' ? e.message : safeText(e.message);
      const stack = typeof e.stack === 'string' ? e.stack : undefined;
      if (name === e.name && message === e.message && stack === e.stack) return e;
      const copy = new Error(message);
      copy.name = name;
      copy.stack = stack;
      return copy;
    } catch {
      return new Error(say(t('a value whose properties throw when read', '一个读取属性就会抛错的值')));
    }
  }
  const err = new Error(say(t(`a non-Error value was thrown: ${safeText(e).slice(0, 200)}`, `抛出了一个不是 Error 的值：${safeText(e).slice(0, 200)}`)));
  err.name = 'Thrown';
  return err;
}

/** Turns whatever a check threw into an outcome the learner can act on. */
function outcomeOfError(e: unknown, base: Omit<CheckOutcome, 'status'>, req: WorkerRequest, source: string): CheckOutcome {
  const file = req.learnerFile;
  const declared = base.task ? declarationOf(source, base.task, file) : undefined;
  const err = asError(e);
  if (err instanceof ForbiddenModule) {
    return { ...base, status: 'error', message: say(t(err.message, `你的代码不能使用 '${err.id}' 模块：练习只用给定的值来计算（文件、进程、网络和运行时内部都不可访问）`)), location: locationInStack(err.stack, file) ?? declared };
  }
  const modelCode = (err as { code?: unknown }).code;
  if (modelCode === 'MODEL_FILE_MISSING' || modelCode === 'MODEL_FILE_CORRUPT' || modelCode === 'MODEL_FORMAT') {
    // The bundled model could not be used: the installation's problem, not the learner's code.
    setupProblem ??= { kind: 'setup', message: say(t(`the bundled model cannot be used (a problem with the installation, not your code): ${err.message}`,
      `无法使用内置模型（这是安装的问题，不是你的代码的问题）：${err.message}`)) };
    return { ...base, status: 'error', message: setupProblem.message };
  }
  if (err instanceof check.CheckFailure) {
    const d = err.details;
    return { ...base, status: 'failed', message: d.message, hint: d.hint ?? base.hint, expected: d.expected, actual: d.actual, firstDifference: d.firstDifference, location: declared,
      convention: typeof d.convention === 'string' ? d.convention : undefined };
  }
  const location = locationInStack(err.stack, file) ?? declared;
  const stack = learnerStack(err.stack, file);
  if (err instanceof kit.NotImplementedError) {
    const task = err.task;
    return { ...base, status: 'failed', message: say(t(`not implemented yet: ${task} still calls TODO('${task}')`, `尚未实现：${task} 仍在调用 TODO('${task}')`)), location, hint: base.hint };
  }
  if (err instanceof ExitCalled) {
    return { ...base, status: 'error', message: say(t(`${err.message}: return a value instead of exiting the process`, `${err.message}：请返回一个值，不要退出进程`)), location };
  }
  // Not one frame of the learner's file: the error came from the check's own code (or the course layer it uses),
  // working with what the learner's function returned. Said as that, never as the learner's function throwing.
  // (A thrown value that is not an Error, or one whose properties throw, is the learner's: lesson code throws plain Errors.)
  const learnerThrew = !(e instanceof Error) || err !== e || locationInStack(err.stack, file) !== undefined;
  const who = !learnerThrew ? t('the check\'s own code threw, while working with what your code returned:', '检查自身的代码在处理你的代码返回的结果时抛出了：')
    : base.task ? t(`${base.task}() threw`, `${base.task}() 抛出了`) : t('the check threw', '检查抛出了');
  return { ...base, status: 'error', message: `${say(who)} ${err.name}: ${err.message}`, location, stack, hint: base.hint };
}

type Spec = ExerciseChecks<Record<string, unknown>>;

/** Loads the lesson's checks; a string says why they are unusable (a lesson bug). */
function loadChecks(checks: BundledCode, checksFile: string): Spec | string {
  const spec = (loadBundle(checks.code, checks.filename, forCourse).default ?? {}) as Spec;
  if (!Array.isArray(spec.checks) || !Array.isArray(spec.exports)) {
    return `${path.basename(checksFile)} must \`export default defineChecks({ exports, checks })\``;
  }
  return spec;
}

function planOf(spec: Spec): PlannedCheck[] {
  return spec.checks.map((c) => ({ id: checkId(c.name), name: say(c.name), task: c.task }));
}

const SKIPPED: Text = t('not run: only the chosen checks ran', '未运行：这次只运行了选中的检查');

/** The first problem of the installation met while checking (a missing or damaged model): the run's error. */
let setupProblem: RunError | undefined;

/** Thrown when the watch over the built-ins finds a change: the run ends as tampered. */
class Tampered extends Error {
  constructor(readonly changes: string[]) {
    super(changes.join('; '));
    this.name = 'Tampered';
  }
}

/** What a check in progress needs to hear about from outside its own promise chain. */
interface Current {
  id: string;
  /** Set by the process-level handlers: an error thrown in a timer or an unhandled rejection during the check. */
  stray?: unknown;
  strayKind?: 'uncaught' | 'rejection';
}
let current: Current | undefined;

async function run(job: Extract<ToWorker, { type: 'run' }>, logs: string[]): Promise<RunResult> {
  const t0 = performance.now();
  const { request: req, source } = job;
  const locale: Locale = req.locale ?? 'en';
  const result = (status: RunResult['status'], checks: CheckOutcome[], error?: RunError): RunResult =>
    ({ exerciseId: req.exerciseId, file: req.learnerFile, status, checks, error, logs, durationMs: performance.now() - t0 });

  const spec = loadChecks(job.checks, req.checksFile);
  if (typeof spec === 'string') return result('error', [], { kind: 'setup', message: spec });
  const plan = planOf(spec);
  send({ type: 'plan', checks: plan });
  // When the file cannot run at all, every check is listed as not run, with the reason.
  const stopped = (error: RunError) => result('error', plan.map((p) => ({ ...p, status: 'skipped' as const, message: say(t(`not run: ${error.message}`, `未运行：${error.message}`)), artifacts: [], durationMs: 0 })), error);

  if ('error' in job.learner) return stopped(job.learner.error);
  const built: BundledCode = job.learner;

  // Everything the checks use is loaded: lock the built-ins down before the learner's first line runs.
  if (modelLoaded) {
    // onnxruntime loads on the model's first run: load it now, while its own set-up may still write to built-ins.
    require('onnxruntime-node');
  }
  const extras: Record<string, unknown> = { ...kit };
  if (modelLoaded) Object.assign(extras, require(path.join(__dirname, 'model.js')));
  const watch = lockDown(extras);
  closeProcess((code) => new ExitCalled(code));
  loopbackOnly();
  // After each check the watched built-ins are compared; the sweep over everything frozen (a runtime bug, not
  // something learner code can undo) runs after loading the file and at the end.
  const verify = (full = false): void => {
    const changes = watch.changes(full);
    if (changes.length) throw new Tampered(changes);
  };

  let learner: Record<string, unknown>;
  try {
    learner = loadBundle(built.code, built.filename, forLearner);
  } catch (e) {
    const err = asError(e);
    if (err instanceof ForbiddenModule) {
      return stopped({ kind: 'load', location: locationInStack(err.stack, req.learnerFile),
        message: say(t(err.message, `你的代码不能使用 '${err.id}' 模块：练习只用给定的值来计算（文件、进程、网络和运行时内部都不可访问）`)) });
    }
    return stopped({
      kind: err instanceof ExitCalled ? 'exit' : 'load',
      message: say(t(`your file threw while loading (top-level code): ${err.name}: ${err.message}`, `你的文件在加载时（顶层代码）抛出了 ${err.name}: ${err.message}`)),
      location: locationInStack(err.stack, req.learnerFile), detail: learnerStack(err.stack, req.learnerFile),
    });
  }
  verify(true);

  const missing = spec.exports.filter((name) => learner[name] === undefined);
  if (missing.length) {
    const found = exportedNames(learner);
    const names = missing.map((n) => `\`${n}\``).join(', ');
    const declared = missing.map((n) => declarationOf(source, n, req.learnerFile)).find(Boolean);
    const why = declared ? t(' It is declared but not exported: add `export` before it.', '它已声明但没有导出：在前面加上 `export`。')
      : t(' Did you rename or delete it?', '是不是改了名或删掉了？');
    const file = path.basename(req.learnerFile);
    const list = found.join(', ');
    return stopped({
      kind: 'missing-export', location: declared,
      message: say(t(`${file} must export ${names}; it exports ${found.length ? list : 'nothing'}.${why.en}`,
        `${file} 必须导出 ${names}；它现在导出的是${found.length ? ` ${list}` : '空'}。${why['zh-cn']}`)),
    });
  }
  const notFunctions = spec.exports.filter((name) => typeof learner[name] !== 'function');
  if (notFunctions.length) {
    const names = notFunctions.map((n) => `\`${n}\``).join(', ');
    return stopped({ kind: 'missing-export', message: say(t(`${names} must be a function`, `${names} 必须是函数`)) });
  }

  // What each of the learner's functions was last called with (copies), for explaining a failure (diverge.ts).
  // Not during checks that train: a copy per step would slow them down, and they are explained by their curves.
  // One copy per function per check (its first call), so loops and timed checks are not slowed down. For a class:
  // what its constructor was called with, and its last method call of the check (the object's fields then, the
  // method and its arguments).
  const lastArgs = new Map<string, unknown[][]>();
  const lastCall = new Map<string, { method: string; self: object; args: unknown[] }[]>();
  let capturing = false;
  /** Calls captured in this check, by function (or Class.method): the first few (a check often calls a function on an
   *  easy input first, 2-D or not causal, and on the one that shows the bug later), then a few later ones. */
  const capturedThisCheck = new Map<string, number>();
  /** Per store (lastArgs, lastCall), the names whose list was started in this check. */
  const startedThisCheck = new Map<unknown, Set<string>>();
  const CAPTURES = 3;
  const capture = <T>(key: string, into: Map<string, T[]>, name: string, make: () => T) => {
    if (!capturing) return;
    const n = (capturedThisCheck.get(key) ?? 0) + 1;
    capturedThisCheck.set(key, n);
    // The first calls, and later ones at the 4th, 8th, 16th... call in the last place (an object's later state:
    // BatchNorm in eval mode after training steps), without copying every call of a loop.
    if (n > CAPTURES && (n & (n - 1)) !== 0) return;
    try {
      // The calls kept for a name are this check's: the first one captured in a check starts a new list.
      const started = startedThisCheck.get(into) ?? new Set<string>();
      startedThisCheck.set(into, started);
      const list = started.has(name) ? (into.get(name) ?? []) : [];
      started.add(name);
      if (n > CAPTURES && list.length >= CAPTURES * 2) list.pop();
      list.push(make());
      into.set(name, list);
    } catch {
      // a value that cannot be copied (a getter that throws): this call is not kept
    }
  };
  const checked: Record<string, unknown> = {};
  const watchMethods = (name: string, instance: object) => {
    for (let p = Object.getPrototypeOf(instance) as object | null; p && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | null) {
      for (const m of Object.getOwnPropertyNames(p)) {
        const d = Object.getOwnPropertyDescriptor(p, m);
        if (m === 'constructor' || !d || typeof d.value !== 'function' || Object.prototype.hasOwnProperty.call(instance, m)) continue;
        const method = d.value as (...args: unknown[]) => unknown;
        Object.defineProperty(instance, m, {
          configurable: true, writable: true, enumerable: false,
          value: function (this: object, ...args: unknown[]) {
            capture(`${name}.${m}`, lastCall, name,
              () => ({ method: m, self: cloneInstance(this, Object.getPrototypeOf(this) as object | null), args: copyArgs(args) as unknown[] }));
            return method.apply(this, args);
          },
        });
      }
    }
  };
  for (const [name, value] of Object.entries(learner)) {
    const fn = value as (...args: unknown[]) => unknown;
    if (isClassFunction(fn)) {
      checked[name] = new Proxy(fn, {
        construct(target, args, newTarget) {
          capture(name, lastArgs, name, () => copyArgs(args) as unknown[]);
          // `new checked.Value(...)` is constructed as `new Value(...)`: with the proxy as new.target, V8 cannot use
          // the class's own object layout, and every instance gets a layout of its own (a chain of 25,000 such
          // objects ran 20 times slower). A subclass the check declares keeps its own new.target.
          const own = newTarget === checked[name];
          const instance = Reflect.construct(target, args, own ? target : newTarget) as object;
          if (own) watchMethods(name, instance);
          return instance;
        },
      });
      continue;
    }
    checked[name] = typeof fn !== 'function' ? value : function (this: unknown, ...args: unknown[]) {
      capture(name, lastArgs, name, () => copyArgs(args) as unknown[]);
      return fn.apply(this, args);
    };
  }
  let reference: Record<string, unknown> | undefined | null;
  const diagnoses = new Map<string, Divergence>();
  /**
   * The first line where the learner's `task` parts ways with the reference, on an input the check gave it (each
   * call captured in this check, until one shows a difference). A line found is kept for the task's later checks
   * (one explanation, said once); when none is found, the next failing check tries its own inputs.
   */
  /** Kit tensors the learner's code made in the reruns of the last explanation (none: plain numbers, loops over .data). */
  const traced = { tensors: 0 };
  /** Time spent explaining in this run: each explanation reruns the learner's and the reference's code on a few
   *  inputs, so it stops trying new inputs after a while, and the run stops explaining after a few seconds. */
  let explainMs = 0;
  const EXPLAIN_BUDGET_MS = 4000;
  const explain = (task: string, gradients: boolean): Divergence | undefined => {
    const known = diagnoses.get(task);
    if (known) return known;
    if (explainMs > EXPLAIN_BUDGET_MS) return undefined;
    const began = performance.now();
    const late = () => performance.now() - began > EXPLAIN_BUDGET_MS / 2;
    traced.tensors = 0;
    let found: Divergence | undefined;
    try {
      if (reference === undefined) reference = job.reference ? loadBundle(job.reference.code, job.reference.filename, forLearner) : null;
      const ref = reference?.[task];
      const own = learner[task];
      // A helper is taken to be right, so that a difference inside it is blamed on what it was called with, when it
      // is the reference's own code (a provided helper), or when every check of it that ran so far passed.
      const trusted = (fn: string) => fn !== task && (unchangedFromReference(learner[fn], reference?.[fn])
        || (outcomes.some((o) => o.task === fn) && outcomes.every((o) => o.task !== fn || o.status === 'passed' || o.status === 'skipped')));
      const exported = (fn: string) => typeof learner[fn] === 'function';
      if (isClassFunction(own) && typeof ref === 'function') {
        // A method: the learner's and the reference's, each run on a copy of the object as it was when called.
        for (const call of lastCall.get(task) ?? []) {
          const ownMethod = (own as { prototype: Record<string, unknown> }).prototype[call.method];
          const refMethod = (ref as { prototype: Record<string, unknown> }).prototype[call.method];
          if (typeof ownMethod !== 'function' || typeof refMethod !== 'function') continue;
          // What the method returns and the object's fields after it (running statistics, a cache): both compared.
          const run = (method: (...x: unknown[]) => unknown, proto: object) => (...a: unknown[]) => {
            const self = cloneInstance(call.self, proto, 0, true);
            const result = method.apply(self, a);
            return { result, state: { ...self } };
          };
          found = firstDivergence(run(ownMethod as (...x: unknown[]) => unknown, (own as { prototype: object }).prototype),
            run(refMethod as (...x: unknown[]) => unknown, (ref as { prototype: object }).prototype), call.args, req.learnerFile, trusted, gradients, traced, exported);
          if (found || late()) break;
        }
        // The constructor: what each makes of the same arguments.
        for (const args of found ? [] : lastArgs.get(task) ?? []) {
          found = firstDivergence((...a) => Reflect.construct(own as new (...x: unknown[]) => unknown, a),
            (...a) => Reflect.construct(ref as new (...x: unknown[]) => unknown, a), args, req.learnerFile, trusted, gradients, traced, exported);
          if (found || late()) break;
        }
      } else if (typeof ref === 'function' && typeof own === 'function') {
        // The learner's run gets inputs that require gradients, so the kit records what each tensor came from.
        for (const args of lastArgs.get(task) ?? []) {
          found = firstDivergence(own as (...a: unknown[]) => unknown, ref as (...a: unknown[]) => unknown, args, req.learnerFile, trusted, gradients, traced, exported);
          if (found || late()) break;
        }
      }
    } catch {
      found = undefined; // an explanation that cannot be made is left out, never guessed
    }
    explainMs += performance.now() - began;
    if (found) diagnoses.set(task, found);
    return found;
  };
  /**
   * Of the functions named, the one with the shortest source whose result, on an input this check gave it, differs
   * from the reference's (compared number by number); undefined when none can be compared or none differs.
   */
  const smallestDiffering = (names: string[]): string | undefined => {
    const differing: string[] = [];
    for (const name of names) {
      const own = learner[name];
      const ref = reference?.[name];
      if (typeof own !== 'function' || typeof ref !== 'function') continue;
      try {
        if ((lastArgs.get(name) ?? []).some((args) => !sameResult(
          (own as (...a: unknown[]) => unknown)(...(copyArgs(args) as unknown[])), (ref as (...a: unknown[]) => unknown)(...(copyArgs(args) as unknown[]))))) {
          differing.push(name);
        }
      } catch {
        // a function that throws on a copy of its input is not compared
      }
    }
    const size = (n: string) => Function.prototype.toString.call(learner[n]).length;
    return differing.sort((a, b) => size(a) - size(b))[0];
  };
  const sourceLines = source.split('\n');

  const outcomes: CheckOutcome[] = [];
  const only = req.only ? new Set(req.only) : undefined;
  // Shared results (a training run several checks look at): computed once, by the first check that asks.
  const shared = new Map<string, Promise<unknown>>();
  for (const c of spec.checks) {
    const id = checkId(c.name);
    const name = say(c.name);
    if (only && !only.has(id)) {
      const skipped: CheckOutcome = { id, name, task: c.task, status: 'skipped', message: say(SKIPPED), artifacts: [], durationMs: 0 };
      outcomes.push(skipped);
      send({ type: 'check-finished', outcome: skipped });
      continue;
    }
    const budget = c.timeoutSeconds;
    send({ type: 'check-started', id, timeoutMs: typeof budget === 'number' && budget > 0 ? budget * 1000 : undefined });
    const artifacts: Artifact[] = [];
    const live = new Map<string, Artifact>(); // the latest live artifact per title
    let lastSent = 0;
    const ctx: CheckContext = {
      artifact: (a: LocalArtifact) => void artifacts.push(localize<Artifact>(a, locale)),
      random: seededRandom(hash(c.name.en)),
      locale,
      progress: (raw: LocalArtifact) => {
        const a = localize<Artifact>(raw, locale);
        live.set(a.title, a);
        const now = performance.now();
        if (now - lastSent < PROGRESS_INTERVAL_MS) return; // coalesced: the final state is kept below
        lastSent = now;
        send({ type: 'check-progress', id, artifact: a });
      },
      threads: makeThreads({ workerFile: __filename, learner: built, course: courseCode, locale }),
      shared: <T>(key: string): Promise<T> => {
        const compute = spec.shared?.[key];
        if (!compute) return Promise.reject(new Error(`check bug: no shared result "${key}" in defineChecks({ shared })`));
        if (!shared.has(key)) shared.set(key, Promise.resolve().then(() => compute(checked, ctx)));
        return shared.get(key) as Promise<T>;
      },
    };
    const started = performance.now();
    const base = { id, name, task: c.task, hint: c.hint === undefined ? undefined : say(c.hint), artifacts, durationMs: 0 };
    const here: Current = { id };
    current = here;
    capturing = !(typeof budget === 'number' && budget > 0);
    capturedThisCheck.clear();
    startedThisCheck.clear();
    let outcome: CheckOutcome;
    try {
      const ran = c.run(checked, ctx);
      verify(); // before any callback the learner queued can put a patched built-in back
      await ran;
      verify();
      // An error thrown in a timer or an unhandled rejection while the check ran is the check's failure.
      if (here.stray !== undefined) throw here.stray;
      outcome = { ...base, hint: undefined, status: 'passed' };
    } catch (e) {
      if (e instanceof Tampered) throw e;
      try { verify(); } catch (t2) { if (t2 instanceof Tampered) throw t2; }
      outcome = outcomeOfError(e, base, req, source);
      if (here.stray !== undefined && e === here.stray) {
        const what = here.strayKind === 'rejection' ? t('a promise your code created was rejected and nothing caught it', '你的代码创建的一个 Promise 被拒绝了，却没有任何地方处理')
          : t('an error was thrown in a timer or callback your code scheduled', '你的代码安排的定时器或回调中抛出了错误');
        outcome.message = `${say(what)}: ${outcome.message}`;
      }
    } finally {
      current = undefined;
      capturing = false;
      endThreads();
    }
    // A failure with values to compare: point at the first line where the learner's computation parts ways.
    // (Only wrong values: an error thrown by the learner's code already points at the line that threw.)
    if (outcome.status === 'failed' && c.task && !outcome.convention && outcome.message && !/TODO\(/.test(outcome.message)) {
      // Where a gradient stops is looked for only when the check is about gradients (its English name says so).
      const d = explain(c.task, /gradient|backward|detach|noGrad/i.test(c.name.en));
      verify();
      if (d) {
        const code = (sourceLines[d.line - 1] ?? '').replace(/\s*\/\/.*$/, '').trim().slice(0, 120);
        const shape = `(${d.shape.join(', ')})`;
        outcome.location = { file: req.learnerFile, line: d.line, column: 1 + Math.max(0, (sourceLines[d.line - 1] ?? '').search(/\S/)) };
        outcome.message += `\n${say(t(`First difference from the reference solution (run on the same input): line ${d.line}, \`${code}\`, gives a ${shape} value where ${d.how.en}.`,
          `与参考答案（在同一输入上运行）的第一处不同：第 ${d.line} 行 \`${code}\` 得到的 ${shape} 结果中，${d.how['zh-cn']}。`))}`;
      } else {
        // Nothing to trace line by line (plain numbers, loops over .data): the smallest function this check called
        // whose result differs from the reference's on the same input.
        const f = smallestDiffering([...capturedThisCheck.keys()].filter((k) => !k.includes('.')));
        verify(); // the learner's functions ran again
        const at = f ? declarationOf(source, f, req.learnerFile) : undefined;
        if (f && at) {
          outcome.location = at;
          const why = traced.tensors === 0 && f === c.task
            ? t('It computes without kit tensors, so the line inside it could not be traced.', '它没有用 kit 的张量计算，所以无法追踪到它里面的哪一行。')
            : t('The line inside it where it parts ways could not be pinned down.', '没能确定它在里面的哪一行开始与参考答案不同。');
          outcome.message += `\n${say(t(`\`${f}\` (line ${at.line}) gives a different result from the reference solution's on the same input, and it is the smallest function this check called that does. ${why.en}`,
            `\`${f}\`（第 ${at.line} 行）在同一输入上的结果与参考答案不同，它是这项检查调用的函数中结果不同的最小的一个。${why['zh-cn']}`))}`;
        }
      }
    }
    outcome.durationMs = performance.now() - started;
    // Live artifacts end up with the result, in their final state, before anything added with artifact().
    if (live.size) outcome.artifacts = [...live.values(), ...outcome.artifacts.filter((a) => !live.has(a.title))];
    outcomes.push(outcome);
    send({ type: 'check-finished', outcome });
  }
  verify(true);
  if (setupProblem) return result('error', outcomes, setupProblem);
  // A run of chosen checks passes when every check it ran passed.
  const ran = only ? outcomes.filter((o) => only.has(o.id)) : outcomes;
  return result(ran.length > 0 && ran.every((o) => o.status === 'passed') ? 'passed' : 'failed', outcomes);
}

/** Live artifacts are sent at most this often (IPC and the webview redraw are not free). */
const PROGRESS_INTERVAL_MS = 100;

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** Console output of learner code: kept and forwarded up to LOG_LIMITS (lines and bytes), then counted only. */
function captureConsole(logs: string[], streams = true): void {
  let bytes = 0;
  let dropped = 0;
  const capture = (...args: unknown[]) => {
    let text: string;
    try { text = format(...args).slice(0, LOG_LIMITS.lineChars); } catch { text = '[a value that cannot be printed]'; }
    if (logs.length < LOG_LIMITS.lines && bytes + text.length <= LOG_LIMITS.bytes) {
      logs.push(text);
      bytes += text.length;
      send({ type: 'log', text });
      return;
    }
    if (dropped++ === 0) {
      const note = say(t(`... (output beyond ${LOG_LIMITS.lines} lines or ${LOG_LIMITS.bytes / 1024} KB was dropped)`, `……（超过 ${LOG_LIMITS.lines} 行或 ${LOG_LIMITS.bytes / 1024} KB 的输出已丢弃）`));
      logs.push(note);
      send({ type: 'log', text: note });
    }
  };
  for (const k of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) console[k] = capture;
  // Writes straight to stdout and stderr count too (the host caps what it keeps of them as well).
  if (streams) for (const stream of [process.stdout, process.stderr]) {
    (stream as unknown as { write: (chunk: unknown) => boolean }).write = (chunk: unknown) => { capture(safeText(chunk).replace(/\n$/, '')); return true; };
  }
}

/**
 * Waits for the host's one job (`run` or `plan`). A warm runner waits here for as long as it is the host's spare,
 * and answers each `ping` (are you still alive and responsive?) with a `pong` before its job arrives; nothing after.
 */
function nextJob(): Promise<Exclude<ToWorker, { type: 'ping' }>> {
  return new Promise((resolve) => {
    const onMessage = (m: unknown) => {
      if ((m as { type?: unknown } | null)?.type === 'ping') return rawSend({ type: 'pong' } satisfies SpareReply);
      process.off('message', onMessage);
      resolve(m as Exclude<ToWorker, { type: 'ping' }>);
    };
    process.on('message', onMessage);
  });
}

/** Plan only: loads the checks (lesson code, never learner code), reports their list and exits. */
function planOnly(job: Extract<ToWorker, { type: 'plan' }>): void {
  captureConsole([], false);
  setLocale(job.locale ?? 'en');
  courseCode = job.course ?? {};
  let spec: Spec | string;
  try {
    spec = loadChecks(job.checks, job.checksFile);
  } catch (e) {
    spec = `${path.basename(job.checksFile)} threw while loading: ${(e as Error)?.stack ?? e}`;
  }
  if (typeof spec === 'string') {
    process.stderr.write(`${spec}\n`);
    return reallyExit(1);
  }
  rawSend({ type: 'plan', checks: planOf(spec) } satisfies FromWorker, () => reallyExit(0));
}

/**
 * While waiting for its job (a warm spare, idle for seconds or minutes), the runner runs its own code that every run
 * needs, so that V8 has compiled it before the clock starts: the event signing (HMAC-SHA-256 in plain JavaScript) and
 * the watch over the built-ins (read only: nothing is frozen or changed). It starts only after a short wait (a cold
 * runner's job usually arrives first) and works in slices of a few milliseconds, stopping when the job arrives.
 * No kit, check or learner code runs here.
 */
function warmUp(): { stop(): void } {
  let stopped = false;
  let step = 0;
  const key = keyFromHex('5a'.repeat(32));
  const event: FromWorker = { type: 'check-finished', outcome: { id: 'warm-up', name: 'the runner compiles its own code', status: 'passed', artifacts: [], durationMs: NaN } };
  const slice = () => {
    if (stopped) return;
    if (step < 6) {
      for (let i = 0; i < 10; i++) macOf(key, JSON.stringify({ seq: step * 10 + i, event }, keepNonFinite));
    } else if (step < 9) {
      warmWatch(3);
    } else return;
    step++;
    setImmediate(slice);
  };
  const timer = setTimeout(slice, WARM_UP_AFTER_MS);
  return { stop: () => { stopped = true; clearTimeout(timer); } };
}
const WARM_UP_AFTER_MS = 50;

async function main(): Promise<void> {
  process.setSourceMapsEnabled(true);
  Error.stackTraceLimit = 50;
  // If the host goes away, so does this process.
  process.on('disconnect', () => reallyExit(0));
  const next = nextJob();
  rawSend({ type: 'ready', sandboxed: Boolean((process as unknown as { permission?: unknown }).permission) } satisfies FromWorker);
  // A runner that waits (a warm spare) compiles its own signing and watching code meanwhile; a cold one gets its job first.
  const warming = warmUp();
  const job = await next;
  warming.stop();
  if (job.type === 'plan') return planOnly(job);
  // The run's key: kept in this closure only, and used to sign every event from now on.
  const key = keyFromHex(job.key);
  job.key = '';
  let seq = 0;
  const stringify = JSON.stringify;
  sendEvent = (event, done) => {
    const body = stringify({ seq: ++seq, event }, keepNonFinite);
    rawSend({ body, mac: macOf(key, body) }, done);
  };
  courseCode = job.course;
  const req: WorkerRequest = job.request;
  setLocale(req.locale ?? 'en');
  const logs: string[] = [];
  captureConsole(logs);
  // Errors that escape the check's own promise chain are the running check's failure (or, between checks, logged).
  process.on('uncaughtException', (e) => {
    if (current) { current.stray ??= e; current.strayKind ??= 'uncaught'; } else logs.push(`uncaught: ${asError(e).message}`);
  });
  process.on('unhandledRejection', (e) => {
    if (current) { current.stray ??= e; current.strayKind ??= 'rejection'; } else logs.push(`unhandled promise rejection: ${asError(e).message}`);
  });
  let res: RunResult;
  try {
    res = await run(job, logs);
  } catch (e) {
    if (e instanceof Tampered) {
      sendEvent({ type: 'tampered', changes: e.changes }, () => undefined);
      return;
    }
    process.stderr.write(`${INTERNAL_ERROR_PREFIX} ${(e as Error)?.stack ?? e}\n`);
    res = { exerciseId: req.exerciseId, file: req.learnerFile, status: 'error', checks: [], logs, durationMs: 0,
      error: { kind: 'crash', message: say(t(`the runner failed: ${safeText((e as Error)?.message ?? e)}`, `运行器出错：${safeText((e as Error)?.message ?? e)}`)) } };
  }
  // The host ends this process (and anything it started) once it has the result.
  sendEvent({ type: 'finished', result: res });
}

if (isRankThread()) void rankThreadMain({ loadBundle, forLearner, provided, lockDown: () => { lockDown({ ...kit }); closeProcess((code) => new ExitCalled(code)); loopbackOnly(); } });
else void main();
