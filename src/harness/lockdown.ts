/**
 * What the runner does before learner code loads, so that the code it checks cannot change the verdict:
 *
 * - **Freeze** the built-ins a check's arithmetic and comparisons rely on (Math, JSON, Number, Promise, arrays,
 *   typed arrays, ...), the kit's classes, and the global names that reach them: a learner's assignment to
 *   `Math.abs` or `Promise.prototype.then` fails instead of changing what the checks compute.
 * - **Watch** what cannot be frozen without breaking ordinary code (Object.prototype, Function.prototype and the
 *   error prototypes, where old-style code assigns `X.prototype.toString = ...`) or making it slow (the typed
 *   arrays): a snapshot of their properties is compared after loading the learner's file and after every
 *   check. Any change is tampering.
 * - **Close** the process's own exits and channels: process.send, exit, reallyExit, kill, abort, binding, dlopen
 *   throw a clear error; process.channel and process.mainModule are hidden.
 * - **Gate** what learner code may `require`: the kit and the model, and a short list of harmless built-ins.
 *
 * None of this is a sandbox against an expert attacker in the same process; the permission model (see
 * host.ts), the signed channel (seal.ts) and the host's own bookkeeping carry the rest. See the README's
 * threat model.
 */

type Obj = object;

/** A property's descriptor fields that matter (value identity, accessors, flags). */
type Snap = Map<PropertyKey, PropertyDescriptor>;

const getOwnPropertyDescriptors = Object.getOwnPropertyDescriptors;
const ownKeys = Reflect.ownKeys;
const getPrototypeOf = Object.getPrototypeOf;
const freeze = Object.freeze;
const defineProperty = Object.defineProperty;
const isFrozen = Object.isFrozen;

/** The global names of everything frozen (the constructor or namespace, and its prototype). */
const FROZEN_GLOBALS = [
  'Math', 'JSON', 'Reflect', 'Atomics', 'Number', 'Boolean', 'String', 'Symbol', 'BigInt', 'Array', 'ArrayBuffer',
  'SharedArrayBuffer', 'DataView', 'Promise', 'Map', 'Set', 'WeakMap', 'WeakSet', 'RegExp', 'Date', 'Proxy',
  'TextEncoder', 'TextDecoder', 'WebAssembly',
  'structuredClone', 'queueMicrotask', 'setTimeout', 'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval',
  'parseFloat', 'parseInt', 'isNaN', 'isFinite', 'Object', 'Function', 'Error', 'TypeError', 'RangeError',
] as const;

/**
 * Watched instead of frozen. Ordinary code assigns over the inherited properties of Object, Function and Error
 * prototypes; and freezing the typed arrays makes V8 take its slow paths for every typed-array operation (the
 * kit's training runs four times slower), so they are watched too.
 */
const TYPED = ['Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array',
  'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array'] as const;
const WATCHED: readonly [string, Obj][] = (() => {
  const g = globalThis as unknown as Record<string, Obj & { prototype: Obj }>;
  const typedArray = getPrototypeOf(Uint8Array) as Obj & { prototype: Obj };
  return [
    ['Object.prototype', Object.prototype], ['Function.prototype', Function.prototype], ['Error.prototype', Error.prototype],
    ['TypeError.prototype', TypeError.prototype], ['RangeError.prototype', RangeError.prototype], ['globalThis', globalThis],
    ['TypedArray', typedArray], ['TypedArray.prototype', typedArray.prototype],
    ...TYPED.filter((n) => n in g).flatMap((n): [string, Obj][] => [[n, g[n]], [`${n}.prototype`, g[n].prototype]]),
  ];
})();
const IS_WATCHED = new Set<unknown>(WATCHED.map(([, o]) => o));

/** Freezes a class, its prototype, and the classes and prototypes it extends (not Function or Object). */
function freezeClass(cls: Obj, seen: Set<unknown>): void {
  for (let c: Obj | null = cls; c && c !== Function.prototype && c !== Error && !seen.has(c); c = getPrototypeOf(c)) {
    seen.add(c);
    freeze(c);
    const proto = (c as { prototype?: unknown }).prototype;
    for (let p = proto; p && typeof p === 'object' && !IS_WATCHED.has(p) && !seen.has(p); p = getPrototypeOf(p)) {
      seen.add(p);
      freeze(p);
    }
  }
}

function snapshotOf(o: Obj): Snap {
  const d = getOwnPropertyDescriptors(o) as Record<PropertyKey, PropertyDescriptor>;
  const m: Snap = new Map();
  for (const k of ownKeys(d)) m.set(k, d[k as string]);
  return m;
}

function sameDescriptor(a: PropertyDescriptor, b: PropertyDescriptor): boolean {
  return Object.is(a.value, b.value) && a.get === b.get && a.set === b.set && a.writable === b.writable
    && a.enumerable === b.enumerable && a.configurable === b.configurable;
}

function label(name: string, key: PropertyKey): string {
  return `${name}.${typeof key === 'symbol' ? `[${key.description}]` : String(key)}`;
}

/** Deep-freezes a constructor or namespace, its prototype and their static functions' prototypes. */
function freezeDeep(o: unknown, seen: Set<unknown>): void {
  if ((typeof o !== 'object' && typeof o !== 'function') || o === null || seen.has(o)) return;
  if (IS_WATCHED.has(o)) return;
  seen.add(o);
  freeze(o);
  const d = getOwnPropertyDescriptors(o) as Record<PropertyKey, PropertyDescriptor>;
  for (const k of ownKeys(d)) {
    const desc = d[k as string];
    if ('value' in desc) freezeDeep(desc.value, seen);
  }
  freezeDeep(getPrototypeOf(o), seen);
}

export interface Lockdown {
  /**
   * What changed in the watched objects since lockdown, e.g. ["Object.prototype.toJSON was added"]; empty when
   * nothing did. `full` (the default) also sweeps every frozen object to see that it still is.
   */
  changes(full?: boolean): string[];
}

/**
 * Freezes and watches (see the header). `extra` are objects the course provides to learner code (the kit's
 * classes and namespaces), frozen too. Call once, after every module of the runner and the checks has loaded.
 */
export function lockDown(extra: Record<string, unknown>): Lockdown {
  const g = globalThis as unknown as Record<string, unknown>;
  const seen = new Set<unknown>();
  // Stack traces point at the learner's lines; they must not be rewritten or cut off (set before Error is frozen).
  for (const [key, value] of [['prepareStackTrace', undefined], ['stackTraceLimit', 50]] as const) {
    defineProperty(Error, key, { value, writable: false, configurable: false, enumerable: false });
  }
  // %TypedArray% and its prototype are reached through any typed array constructor.
  for (const name of FROZEN_GLOBALS) {
    if (!(name in g)) continue;
    freezeDeep(g[name], seen);
    defineProperty(globalThis, name, { value: g[name], writable: false, configurable: false, enumerable: false });
  }
  // The course's classes (the kit's Tensor, Module, Linear...) and their prototypes, not instances.
  for (const v of Object.values(extra)) if (typeof v === 'function') freezeClass(v as Obj, seen);

  const frozen = [...seen].filter((o): o is Obj => typeof o === 'object' || typeof o === 'function');
  const watched = watch();
  return {
    changes(full = true): string[] {
      const out = watched.changes();
      // Freezing cannot be undone; a check that it still holds catches a runtime bug (a sweep over every frozen
      // object: after loading and at the end of the run, not after every check).
      if (full) for (const o of frozen) if (!isFrozen(o)) { out.push('a frozen built-in was unfrozen'); break; }
      return out;
    },
  };
}

/**
 * Node defines some globals (fetch's AbortController, ReadableStream, File...) as getters that load their module on
 * first use and put the value in their place. That change is the runtime's own: the value now there is the one the
 * original getter gives (asked on a throwaway object, so globalThis is not touched).
 */
function lazyGlobalLoaded(was: PropertyDescriptor, now: PropertyDescriptor): boolean {
  if (!was.get || !('value' in now)) return false;
  try {
    return Object.is(now.value, was.get.call(Object.create(null)));
  } catch {
    return false;
  }
}

/** A snapshot of the watched objects now, and what changed in them since. */
function watch(): Lockdown {
  const watched: [string, Obj, Snap, object | null][] = WATCHED.map(([name, o]) => [name, o, snapshotOf(o), getPrototypeOf(o)]);
  return {
    changes(): string[] {
      const out: string[] = [];
      for (const [name, o, before, proto] of watched) {
        if (getPrototypeOf(o) !== proto) out.push(`${name}'s prototype was replaced`);
        const now = snapshotOf(o);
        for (const [k, d] of now) {
          const was = before.get(k);
          // New globals are the learner's own business (a helper function, a cache); built-in ones are frozen.
          if (!was) { if (name !== 'globalThis') out.push(`${label(name, k)} was added`); continue; }
          if (!sameDescriptor(was, d) && !(o === globalThis && lazyGlobalLoaded(was, d))) out.push(`${label(name, k)} was changed`);
        }
        for (const k of before.keys()) if (!now.has(k)) out.push(`${label(name, k)} was deleted`);
      }
      return out;
    },
  };
}

/**
 * Runs the watch's own code a few times without freezing anything, so that it is compiled before a run needs it
 * (a waiting runner does this while idle; what it compares is taken again at lockdown).
 */
export function warmWatch(times = 8): void {
  const w = watch();
  for (let i = 0; i < times; i++) w.changes();
}

/**
 * Built-in modules learner code may require: nothing that reaches files, processes, the network or the runtime's
 * insides. (`http` is given too, cut down to a loopback-only server: see loopback.ts.)
 */
export const LEARNER_BUILTINS = new Set(['assert', 'buffer', 'events', 'path', 'perf_hooks', 'string_decoder', 'timers', 'url', 'util', 'crypto']);

export class ForbiddenModule extends Error {
  constructor(readonly id: string) {
    super(`your code may not use the '${id}' module: an exercise computes with the values it is given (files, processes, the network and the runtime's insides are off limits)`);
    this.name = 'ForbiddenModule';
  }
}

/**
 * Closes the process's own exits and channels to learner code. `exitCalled` builds the error thrown by
 * process.exit (the runner reports it as the learner's call).
 */
export function closeProcess(exitCalled: (code: unknown) => Error): void {
  const p = process as unknown as Record<string, unknown>;
  const deny = (name: string) => () => { throw new Error(`process.${name} is not available to exercise code`); };
  const replace = (name: string, value: unknown) => {
    try { defineProperty(process, name, { value, writable: false, configurable: false, enumerable: false }); } catch { /* already locked */ }
  };
  replace('exit', (code?: unknown) => { throw exitCalled(code); });
  for (const name of ['reallyExit', 'abort', 'kill', '_kill', 'send', '_send', 'disconnect', 'binding', '_linkedBinding', 'dlopen',
    'getBuiltinModule', 'setUncaughtExceptionCaptureCallback', 'setSourceMapsEnabled', '_debugProcess', '_rawDebug', 'chdir', 'umask']) {
    if (name in p || name === 'getBuiltinModule') replace(name, deny(name));
  }
  for (const name of ['channel', 'mainModule', '_channel']) {
    try { defineProperty(process, name, { get: () => undefined, configurable: false, enumerable: false }); } catch { /* already locked */ }
  }
  // The host starts the runner with a minimal environment (not the editor's); it cannot be changed from here.
  replace('env', Object.freeze({ ...process.env }));
}
