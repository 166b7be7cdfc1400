/**
 * Reference solution for the serving lesson's server (serving/server): POST /generate over node:http, with server-sent
 * events, stop sequences across token boundaries, validation, concurrent requests and a clean shutdown.
 */
import * as http from 'node:http';
import { Rng } from '@llm-lab/kit';

/** A generation in progress (from the model object): the logits for the next token. */
export interface ModelState {
  readonly logits: Float32Array;
  readonly length: number;
}

/** The model the checks hand you: the bundled GPT, one token at a time, with a KV cache. */
export interface ServeModel {
  readonly blockSize: number;
  readonly vocabSize: number;
  encode(text: string): number[];
  decode(ids: readonly number[]): string;
  start(promptIds: readonly number[]): ModelState;
  next(state: ModelState, token: number): void;
  sample(logits: Float32Array, temperature: number, rng: Rng): number;
}

export interface GenerateRequest {
  prompt: string;
  max_tokens: number;
  stop: string[];
  seed: number;
  temperature: number;
  stream: boolean;
}

export interface RunningServer {
  port: number;
  close(): Promise<void>;
}

/** Thrown by parseRequest; the server answers 400 with { error: message }. */
export class BadRequest extends Error {}

/** Checks the body of POST /generate and fills in the defaults (stop [], seed 0, temperature 1, stream false). */
export function parseRequest(body: string, model: ServeModel): GenerateRequest {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new BadRequest('malformed JSON: the body must be a JSON object');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new BadRequest('the body must be a JSON object');
  const r = json as Record<string, unknown>;
  if (typeof r.prompt !== 'string' || r.prompt.length === 0) throw new BadRequest('prompt must be a non-empty string');
  if (typeof r.max_tokens !== 'number' || !Number.isInteger(r.max_tokens) || r.max_tokens < 1) throw new BadRequest('max_tokens must be a positive integer');
  const stop = r.stop === undefined ? [] : typeof r.stop === 'string' ? [r.stop] : r.stop;
  if (!Array.isArray(stop) || stop.some((s) => typeof s !== 'string' || s === '')) throw new BadRequest('stop must be a non-empty string or an array of them');
  const seed = r.seed ?? 0;
  if (typeof seed !== 'number' || !Number.isInteger(seed)) throw new BadRequest('seed must be an integer');
  const temperature = r.temperature ?? 1;
  if (typeof temperature !== 'number' || !Number.isFinite(temperature) || temperature < 0) throw new BadRequest('temperature must be a number >= 0');
  const stream = r.stream ?? false;
  if (typeof stream !== 'boolean') throw new BadRequest('stream must be true or false');
  let length: number;
  try {
    length = model.encode(r.prompt).length;
  } catch (e) {
    throw new BadRequest(`prompt: ${(e as Error).message}`);
  }
  if (length + r.max_tokens > model.blockSize) {
    throw new BadRequest(`prompt (${length} tokens) + max_tokens (${r.max_tokens}) is more than the context of ${model.blockSize} tokens`);
  }
  return { prompt: r.prompt, max_tokens: r.max_tokens, stop: stop as string[], seed, temperature, stream };
}

/** How many characters at the end of `text` could still be the start of one of the stop sequences. */
export function heldBack(text: string, stop: readonly string[]): number {
  let keep = 0;
  for (const s of stop) {
    for (let k = Math.min(s.length - 1, text.length); k > keep; k--) {
      if (text.endsWith(s.slice(0, k))) { keep = k; break; }
    }
  }
  return keep;
}

/**
 * Generates for one request, calling send(piece) with each piece of text that is safe to show (never part of a stop
 * sequence), and yields to the event loop after every token. Returns the whole answer.
 */
export async function generate(model: ServeModel, req: GenerateRequest, send: (piece: string) => void): Promise<{ text: string; tokens: number; finish_reason: 'stop' | 'length' }> {
  const rng = new Rng(req.seed);
  const state = model.start(model.encode(req.prompt));
  let text = '';
  let sent = 0;
  for (let n = 1; n <= req.max_tokens; n++) {
    const token = model.sample(state.logits, req.temperature, rng);
    text += model.decode([token]);
    const hits = req.stop.map((s) => text.indexOf(s)).filter((i) => i >= 0);
    if (hits.length > 0) {
      const cut = Math.min(...hits);
      if (cut > sent) send(text.slice(sent, cut));
      return { text: text.slice(0, cut), tokens: n, finish_reason: 'stop' };
    }
    const safe = text.length - heldBack(text, req.stop);
    if (safe > sent) {
      send(text.slice(sent, safe));
      sent = safe;
    }
    if (n < req.max_tokens) model.next(state, token);
    await new Promise((resolve) => setImmediate(resolve)); // a macrotask after the poll phase: pending I/O runs first
  }
  if (text.length > sent) send(text.slice(sent));
  return { text, tokens: req.max_tokens, finish_reason: 'length' };
}

function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

async function handle(model: ServeModel, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  if (path !== '/generate') return json(res, 404, { error: `no such path: ${path}` });
  if (req.method !== 'POST') return json(res, 405, { error: 'use POST /generate' }, { Allow: 'POST' });
  let body = '';
  req.setEncoding('utf8');
  for await (const chunk of req) body += chunk;
  let request: GenerateRequest;
  try {
    request = parseRequest(body, model);
  } catch (e) {
    if (e instanceof BadRequest) return json(res, 400, { error: e.message });
    throw e;
  }
  if (!request.stream) {
    const answer = await generate(model, request, () => {});
    return json(res, 200, answer);
  }
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
  const answer = await generate(model, request, (token) => res.write(`data: ${JSON.stringify({ token })}\n\n`));
  res.write(`data: ${JSON.stringify({ finish_reason: answer.finish_reason, tokens: answer.tokens })}\n\n`);
  res.end('data: [DONE]\n\n');
}

/** Starts the server on 127.0.0.1, port 0 (any free port). */
export function startServer(model: ServeModel): Promise<RunningServer> {
  const server = http.createServer((req, res) => {
    handle(model, req, res).catch((e: unknown) => {
      if (!res.headersSent) json(res, 500, { error: String((e as Error)?.message ?? e) });
      else res.end();
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      resolve({
        port,
        close: () => new Promise<void>((done, fail) => {
          server.close((err) => (err ? fail(err) : done()));
          server.closeAllConnections();
        }),
      });
    });
  });
}
