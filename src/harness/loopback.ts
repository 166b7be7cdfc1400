/**
 * The network as a runner allows it: loopback only.
 *
 * The serving lesson has learners write an HTTP server, and its checks send it real requests; nothing else in a
 * run needs the network. So, before learner code loads:
 *
 * - learner code may `require('http')` (or `node:http`), and gets `learnerHttp`: `createServer`, `STATUS_CODES`
 *   and `METHODS`, no client (`request`, `get`, `Agent` are not there);
 * - every `listen` in the runner binds 127.0.0.1 (or ::1, when asked by name): no host means 127.0.0.1, any
 *   other host, a pipe path, a file descriptor or a handle is refused with a clear error;
 * - every outgoing connection (`net.Socket#connect`, which http, fetch and everything above them go through)
 *   must go to a loopback address; a pipe path is refused too.
 *
 * Both methods are made non-writable and non-configurable, so learner code cannot put others back. This is the
 * JavaScript level only: code that digs out the runtime's raw TCP handle (`socket._handle`) is below it, like
 * the rest of the in-process rules (see the README's threat model).
 */
import * as http from 'node:http';
import * as net from 'node:net';

/** Host names and addresses that stay on this machine. */
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost', '::ffff:127.0.0.1']);

export function isLoopback(host: unknown): boolean {
  return typeof host === 'string' && (LOOPBACK.has(host.toLowerCase()) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host));
}

export class LoopbackOnly extends Error {
  constructor(what: string) {
    super(`${what}: code checked by LLM Lab may only use the network on this machine's loopback address (127.0.0.1)`);
    this.name = 'LoopbackOnly';
  }
}

type AnyFn = (...args: unknown[]) => unknown;

/** `listen`'s arguments as { port, host, backlog } and a callback, whatever form they came in. */
function listenArgs(args: unknown[]): { options: { port: number; host: string; backlog?: number }; cb?: AnyFn } {
  const cb = typeof args[args.length - 1] === 'function' ? (args[args.length - 1] as AnyFn) : undefined;
  const first = args[0];
  let port: unknown = 0, host: unknown, backlog: unknown;
  if (first !== null && typeof first === 'object') {
    const o = first as Record<string, unknown>;
    if ('path' in o || 'fd' in o || 'handle' in o || '_handle' in o) throw new LoopbackOnly('listen on a pipe, a file descriptor or a handle');
    ({ port = 0, host, backlog } = o);
  } else if (typeof first === 'string' && !/^\d+$/.test(first)) {
    throw new LoopbackOnly(`listen on the pipe '${first}'`);
  } else if (typeof first === 'number' || typeof first === 'string') {
    port = Number(first);
    if (typeof args[1] === 'string') host = args[1];
    const b = typeof args[1] === 'number' ? args[1] : args[2];
    if (typeof b === 'number') backlog = b;
  } else if (first !== undefined && typeof first !== 'function' && first !== null) {
    throw new LoopbackOnly('listen with these arguments');
  }
  if (host === undefined || host === null || host === '') host = '127.0.0.1';
  if (!isLoopback(host)) throw new LoopbackOnly(`listen on '${String(host)}'`);
  return { options: { port: port as number, host: host as string, ...(typeof backlog === 'number' ? { backlog } : {}) }, cb };
}

/** The host and path an outgoing connection names, whatever form connect's arguments came in. */
function connectTarget(args: unknown[]): { host: unknown; path: unknown } {
  // net.connect() and http call socket.connect([options, cb]) with an already-normalised array.
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  if (first !== null && typeof first === 'object') {
    const o = first as Record<string, unknown>;
    return { host: o.path === undefined || o.path === null ? (o.host ?? 'localhost') : undefined, path: o.path ?? undefined };
  }
  if (typeof first === 'string' && !/^\d+$/.test(first)) return { host: undefined, path: first };
  return { host: typeof args[1] === 'string' ? args[1] : 'localhost', path: undefined };
}

let applied = false;

/** Make every listen and every outgoing connection of this thread loopback-only (idempotent). */
export function loopbackOnly(): void {
  if (applied) return;
  applied = true;
  const listen = net.Server.prototype.listen as unknown as AnyFn;
  const connect = net.Socket.prototype.connect as unknown as AnyFn;
  Object.defineProperty(net.Server.prototype, 'listen', {
    value: function listenOnLoopback(this: net.Server, ...args: unknown[]) {
      const { options, cb } = listenArgs(args);
      return cb ? listen.call(this, options, cb) : listen.call(this, options);
    },
    writable: false, configurable: false, enumerable: false,
  });
  Object.defineProperty(net.Socket.prototype, 'connect', {
    value: function connectToLoopback(this: net.Socket, ...args: unknown[]) {
      const { host, path } = connectTarget(args);
      if (path !== undefined) throw new LoopbackOnly(`connect to the pipe '${String(path)}'`);
      if (!isLoopback(host)) throw new LoopbackOnly(`connect to '${String(host)}'`);
      return connect.apply(this, args);
    },
    writable: false, configurable: false, enumerable: false,
  });
}

/** What `require('http')` gives learner code: a server and the names of statuses and methods, no client. */
export const learnerHttp = Object.freeze({
  createServer: http.createServer,
  STATUS_CODES: Object.freeze({ ...http.STATUS_CODES }),
  METHODS: Object.freeze([...http.METHODS]),
});
