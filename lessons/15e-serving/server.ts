/**
 * The serving lesson, part 2: an HTTP server that streams tokens, on 127.0.0.1, with Node's own http module.
 *
 *   POST /generate   body { prompt, max_tokens, stop?, seed?, temperature?, stream? }
 *     stream false (default): 200, application/json, { text, tokens, finish_reason: 'stop' | 'length' }
 *     stream true:            200, text/event-stream, one event per piece of text as it is made:
 *                               data: {"token": "..."}\n\n          (as many as needed)
 *                               data: {"finish_reason": "...", "tokens": n}\n\n
 *                               data: [DONE]\n\n
 *     a bad request:          400, application/json, { error: "a clear message naming the field" }
 *   any other path: 404; GET (or any method but POST) on /generate: 405.
 *
 * The generation rule (the checks compare your text with it exactly):
 *   rng = new Rng(seed)  (seed 0 by default; temperature 1 by default; temperature 0 is greedy)
 *   state = model.start(model.encode(prompt))
 *   for n = 1 .. max_tokens:  token = model.sample(state.logits, temperature, rng);  text += model.decode([token])
 *                             if the generated text contains a stop sequence: cut it at the earliest one, 'stop'
 *                             else model.next(state, token) (not needed after the last token)
 *   'length' when max_tokens ran out; tokens = how many tokens were sampled (a stop sequence's included).
 * Stop sequences are looked for in the generated text only (not in the prompt), and the answer ends just BEFORE the
 * stop sequence. The context rule: prompt tokens + max_tokens must be at most model.blockSize, else 400 (there is no
 * sliding window).
 *
 * Your http is cut down for the exercise: createServer and STATUS_CODES, and the server always listens on 127.0.0.1.
 */
import * as http from 'node:http';
import { Rng, TODO } from '@llm-lab/kit';

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

/**
 * Checks the body of POST /generate and fills in the defaults (stop [], seed 0, temperature 1, stream false).
 *
 * TODO: throw new BadRequest('...') (a message naming the field) when the body is not JSON or not an object; prompt
 * is not a non-empty string; max_tokens is not a positive integer; stop is not a non-empty string or an array of
 * them; seed is not an integer; temperature is not a number >= 0; stream is not a boolean; model.encode(prompt)
 * throws (a character the model does not know); or prompt tokens + max_tokens > model.blockSize.
 */
export function parseRequest(body: string, model: ServeModel): GenerateRequest {
  return TODO('parseRequest');
}

/**
 * How many characters at the end of `text` could still be the start of one of the stop sequences: the largest k
 * (shorter than that stop) such that text ends with stop.slice(0, k). Those characters must wait before being sent.
 * heldBack('the wha', ['whale']) = 3; heldBack('the wh', ['xyz']) = 0.
 */
export function heldBack(text: string, stop: readonly string[]): number {
  return TODO('heldBack');
}

/**
 * Generates for one request, calling send(piece) with each piece of text that is safe to show (never part of a stop
 * sequence), and yields to the event loop after every token. Returns the whole answer.
 *
 * TODO: the generation rule of the header. After each token: look for every stop sequence in the WHOLE generated
 * text (a stop of several characters spans several tokens); if found, send what is left before it and return. Else
 * send text.slice(sent, text.length - heldBack(text, stop)) if it is not empty. Then
 * await new Promise((r) => setImmediate(r)): a macrotask that lets pending I/O (other requests, the socket) run first.
 * (setTimeout(r, 0) is a macrotask too, but when two generations each take longer than its 1 ms the timers can keep
 * the loop busy and starve the I/O: try it.)
 */
export async function generate(model: ServeModel, req: GenerateRequest, send: (piece: string) => void): Promise<{ text: string; tokens: number; finish_reason: 'stop' | 'length' }> {
  return TODO('generate');
}

/** Sends a JSON answer (given). */
function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/**
 * One request. TODO: 404 unless the path is /generate; 405 unless the method is POST; read the whole body
 * (for await (const chunk of req) body += chunk); parseRequest (a BadRequest becomes json(res, 400, { error }));
 * not streamed: json(res, 200, await generate(model, request, () => {})); streamed: writeHead(200) with
 * 'Content-Type': 'text/event-stream', one res.write(`data: ${JSON.stringify({ token: piece })}\n\n`) per piece
 * sent by generate, then the final event and data: [DONE], and res.end().
 */
async function handle(model: ServeModel, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  return TODO('handle');
}

/**
 * Starts the server on 127.0.0.1, port 0 (any free port), and resolves once it listens.
 *
 * TODO: http.createServer((req, res) => handle(...).catch(...)) (an unexpected error becomes a 500, or ends a
 * stream); listen(0, '127.0.0.1', ...); resolve { port: server.address().port, close }. close() stops listening AND
 * ends open connections (server.close(cb) with server.closeAllConnections()), and resolves when the server is closed.
 */
export function startServer(model: ServeModel): Promise<RunningServer> {
  return TODO('startServer');
}
