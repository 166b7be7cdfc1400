/**
 * The serving lesson's server exercise (serving/server), course side: the model object the checks hand the learner's
 * server (the bundled GPT one token at a time with a KV cache, on the decoding lessons' model parts), the reference
 * generation every answer is compared with, and an HTTP client for the checks (node:http, loopback only) that records
 * when each byte arrives and can destroy every socket it opened.
 *
 * The generation rule the lesson states (and serveGenerate implements):
 *   ids = encode(prompt); state = start(ids); rng = new Rng(seed)
 *   repeat until max_tokens tokens: token = sample(state.logits, temperature, rng); text += decode([token]);
 *     if the generated text (not the prompt) contains a stop sequence: cut it at the earliest occurrence, finish 'stop'
 *     else next(state, token)
 *   finish 'length' after max_tokens tokens. tokens = the number of tokens sampled (a stop's tokens included).
 * sample: temperature 0 is greedy (the lowest index among equal maxima); otherwise softmax(logits / temperature) in
 * float64 and rng.categorical (the kit's Rng, mulberry32). Defaults: temperature 1, seed 0. The request is refused
 * (400) when prompt length + max_tokens > blockSize: no sliding window.
 */
import * as http from 'node:http';
import type { Socket } from 'node:net';
import { Rng } from '@llm-lab/kit';
import { type BundledModel, shippedModel } from '@llm-lab/model';
import { type ModelParts, modelParts } from '@llm-lab/course/decoding';
import type { ServeConfig } from './serving-export';

/** A generation in progress: the logits for the next token. */
export interface ServeState {
  readonly logits: Float32Array;
  /** How many tokens (prompt included) the cache holds. */
  readonly length: number;
}

/** What the learner's server gets (the scaffold declares the same interface). */
export interface ServeModel {
  readonly blockSize: number;
  readonly vocabSize: number;
  /** Token ids of `text`; throws an Error naming the character when one is not in the vocabulary. */
  encode(text: string): number[];
  decode(ids: readonly number[]): string;
  /** Feeds the prompt (1..blockSize ids) and returns the state, with the logits for the first new token. */
  start(promptIds: readonly number[]): ServeState;
  /** Feeds one token; state.logits becomes the logits for the token after it. Throws past blockSize. */
  next(state: ServeState, token: number): void;
  /** The next token: greedy when temperature is 0, else a draw from softmax(logits / temperature) with rng. */
  sample(logits: Float32Array, temperature: number, rng: Rng): number;
}

interface InnerState extends ServeState {
  logits: Float32Array;
  length: number;
  /** Per layer: one key and one value vector (C) per position so far. */
  keys: Float32Array[][];
  values: Float32Array[][];
}

/** Samples as the lesson states (see the header). */
export function serveSample(logits: ArrayLike<number>, temperature: number, rng: Rng): number {
  if (!(temperature >= 0) || !Number.isFinite(temperature)) throw new Error(`sample: temperature must be a finite number >= 0, got ${temperature}`);
  if (temperature === 0) {
    let best = 0;
    for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
    return best;
  }
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]);
  const p = new Float64Array(logits.length);
  for (let i = 0; i < logits.length; i++) p[i] = Math.exp((logits[i] - max) / temperature);
  return rng.categorical(p);
}

/**
 * A ServeModel over a GPT's weights: the parts of the decoding lessons (src/course/decoding/model-parts: float32
 * vectors, float64 sums) one token at a time, and attention over a KV cache written here (float64 sums). The same
 * computation as the full forward pass, to float32 rounding.
 */
export function serveModelOf(config: ServeConfig, weights: ReadonlyMap<string, { data: Float32Array }>, vocab: readonly string[]): ServeModel {
  const index = new Map(vocab.map((ch, i) => [ch, i]));
  const parts: ModelParts = modelParts(config, weights);
  const { nLayer, nHead: nh, nEmbd: C } = config;
  const hs = C / nh;
  const scale = 1 / Math.sqrt(hs);
  /** Feeds one token at position state.length; returns the logits after it. */
  const feed = (s: InnerState, token: number): Float32Array => {
    let x = parts.embed(token, s.length);
    for (let l = 0; l < nLayer; l++) {
      const { q, k, v } = parts.qkv(l, x);
      const keys = s.keys[l];
      const values = s.values[l];
      keys.push(k);
      values.push(v);
      const y = new Float32Array(C);
      const w = new Float64Array(keys.length);
      for (let h = 0; h < nh; h++) {
        const o = h * hs;
        let max = -Infinity;
        for (let j = 0; j < keys.length; j++) {
          let dot = 0;
          const kj = keys[j];
          for (let d = 0; d < hs; d++) dot += q[o + d] * kj[o + d];
          w[j] = dot * scale;
          if (w[j] > max) max = w[j];
        }
        let z = 0;
        for (let j = 0; j < keys.length; j++) { w[j] = Math.exp(w[j] - max); z += w[j]; }
        for (let d = 0; d < hs; d++) {
          let acc = 0;
          for (let j = 0; j < keys.length; j++) acc += w[j] * values[j][o + d];
          y[o + d] = acc / z;
        }
      }
      const a = parts.project(l, y);
      for (let i = 0; i < C; i++) x[i] += a[i];
      const m = parts.mlp(l, x);
      x = Float32Array.from(x, (xi, i) => xi + m[i]);
    }
    s.length += 1;
    return parts.logits(x);
  };
  const model: ServeModel = {
    blockSize: config.blockSize,
    vocabSize: config.vocabSize,
    encode(text: string) {
      return [...text].map((ch) => {
        const id = index.get(ch);
        if (id === undefined) throw new Error(`the character ${JSON.stringify(ch)} is not in the model's vocabulary`);
        return id;
      });
    },
    decode(ids) {
      return ids.map((id) => vocab[id] ?? '').join('');
    },
    start(promptIds) {
      if (promptIds.length < 1 || promptIds.length > config.blockSize) throw new Error(`start: the prompt must have 1..${config.blockSize} tokens, got ${promptIds.length}`);
      const s: InnerState = { logits: new Float32Array(0), length: 0, keys: Array.from({ length: nLayer }, () => []), values: Array.from({ length: nLayer }, () => []) };
      for (const id of promptIds) s.logits = feed(s, id);
      return s;
    },
    next(state, token) {
      const s = state as InnerState;
      if (s.length >= config.blockSize) throw new Error(`next: the context is full (${config.blockSize} tokens)`);
      s.logits = feed(s, token);
    },
    sample: serveSample,
  };
  return Object.freeze(model);
}

let bundled: Promise<{ model: BundledModel; serve: ServeModel }> | undefined;

/** The bundled model as a ServeModel (weights read once per run). */
export function serveBundledModel(): Promise<{ model: BundledModel; serve: ServeModel }> {
  bundled ??= shippedModel().then((model) => {
    const weights = model.weights();
    const vocab = Array.from({ length: model.config.vocabSize }, (_, i) => model.tokenizer.decode([i]));
    return { model, serve: serveModelOf(model.config, weights, vocab) };
  });
  return bundled;
}

export interface ServeRequest {
  prompt: string;
  max_tokens: number;
  stop?: string | string[];
  seed?: number;
  temperature?: number;
}

export interface ServeResult {
  text: string;
  tokens: number;
  finish_reason: 'stop' | 'length';
}

const generated = new WeakMap<ServeModel, Map<string, ServeResult>>();

/** The reference generation (see the header), remembered per model and request (a run asks for the same ones twice). */
export function serveGenerate(model: ServeModel, req: ServeRequest): ServeResult {
  const key = JSON.stringify([req.prompt, req.max_tokens, req.stop ?? null, req.seed ?? 0, req.temperature ?? 1]);
  let memo = generated.get(model);
  if (!memo) generated.set(model, (memo = new Map()));
  const known = memo.get(key);
  if (known) return { ...known };
  const result = generateOnce(model, req);
  memo.set(key, result);
  return { ...result };
}

function generateOnce(model: ServeModel, req: ServeRequest): ServeResult {
  const stops = req.stop === undefined ? [] : Array.isArray(req.stop) ? req.stop : [req.stop];
  const rng = new Rng(req.seed ?? 0);
  const temperature = req.temperature ?? 1;
  const state = model.start(model.encode(req.prompt));
  let text = '';
  for (let n = 1; n <= req.max_tokens; n++) {
    const token = model.sample(state.logits, temperature, rng);
    text += model.decode([token]);
    const cut = Math.min(...stops.map((s) => text.indexOf(s)).filter((i) => i >= 0));
    if (Number.isFinite(cut)) return { text: text.slice(0, cut), tokens: n, finish_reason: 'stop' };
    if (n < req.max_tokens) model.next(state, token);
  }
  return { text, tokens: req.max_tokens, finish_reason: 'length' };
}

// ---- the checks' HTTP client ------------------------------------------------------------------------------------

export interface ServeResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Every chunk of the body with the time it arrived (ms since the request was sent). */
  chunks: { at: number; text: string }[];
  /** ms from sending to the end of the response. */
  ms: number;
}

/** Every socket the checks' client opened, so a check can end them all whatever the server does. */
export class ServeClient {
  readonly sockets = new Set<Socket>();
  readonly agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

  constructor(readonly port: number) {}

  request(method: string, path: string, body?: string, opts: { timeoutMs?: number; contentType?: string; onChunk?: (at: number, text: string) => void } = {}): Promise<ServeResponse> {
    return new Promise((resolve, reject) => {
      const t0 = performance.now();
      const req = http.request({ host: '127.0.0.1', port: this.port, method, path, agent: this.agent,
        headers: body === undefined ? {} : { 'Content-Type': opts.contentType ?? 'application/json', 'Content-Length': Buffer.byteLength(body) } }, (res) => {
        res.setEncoding('utf8');
        const chunks: { at: number; text: string }[] = [];
        res.on('data', (text: string) => {
          const at = performance.now() - t0;
          chunks.push({ at, text });
          opts.onChunk?.(at, text);
        });
        res.on('end', () => { clearTimeout(timer); resolve({ status: res.statusCode ?? 0, headers: res.headers, body: chunks.map((c) => c.text).join(''), chunks, ms: performance.now() - t0 }); });
        res.on('error', (e) => { clearTimeout(timer); reject(e); });
      });
      req.on('socket', (s: Socket) => { this.sockets.add(s); s.once('close', () => this.sockets.delete(s)); });
      const timer = setTimeout(() => { req.destroy(new Error(`no complete answer within ${opts.timeoutMs ?? 5000} ms`)); }, opts.timeoutMs ?? 5000);
      req.on('error', (e) => { clearTimeout(timer); reject(e); });
      if (body !== undefined) req.write(body);
      req.end();
    });
  }

  /** Ends every connection the client opened (the check's cleanup when a server will not close). */
  destroyAll(): void {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    this.agent.destroy();
  }
}

/** Resolves true when a TCP connection to 127.0.0.1:port is refused (or fails), false when it is accepted. */
export function serveRefuses(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'GET', path: '/', agent: false }, (res) => { res.resume(); resolve(false); });
    req.setTimeout(timeoutMs, () => { req.destroy(); resolve(false); });
    req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED' || e.code === 'ECONNRESET'));
    req.end();
  });
}

export interface ServeEvent { at: number; data: string }

/** The `data:` payloads of a text/event-stream body, each with the arrival time of the chunk that completed it. */
export function serveEvents(chunks: readonly { at: number; text: string }[]): ServeEvent[] {
  const events: ServeEvent[] = [];
  let buffer = '';
  for (const c of chunks) {
    buffer += c.text.replace(/\r\n/g, '\n');
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).replace(/^ /, '')).join('\n');
      if (block.split('\n').some((l) => l.startsWith('data:'))) events.push({ at: c.at, data });
    }
  }
  return events;
}
