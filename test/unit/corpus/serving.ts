/**
 * The serving lesson's grading-truth corpus (see test/unit/corpus.ts): learner files for serving/export and
 * serving/server written independently of the catalogue. Correct files in other styles than the reference (an additive
 * mask, q scaled before the product, wpe by Slice, ONNX's own LayerNormalization, x³ by Pow; the body read with
 * events, one event per character, sockets tracked by hand, a stop search over the tail only), and one-bug variants:
 * most are mistakes no catalogue names (softmax over the wrong axis, no final LayerNorm, a wrong GELU constant, a
 * mask that hides the diagonal, no MLP residual; 404 for GET, a wrong default temperature, an Rng per token, one token
 * short, a 400 in plain text, no [DONE]), the others catalogued mistakes written a new way (`catalogued`). Each entry
 * runs only the checks that can see its bug. None is written with kit ops (the graph is built from ONNX nodes; the
 * server from strings and node:http).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { type CorpusEntry, lineOf } from '../corpus';
import { LESSONS, withEdits } from '../helpers';

const EXPORT = 'serving/export';
const SERVER = 'serving/server';
const exportBase = readFileSync(path.join(LESSONS, '15e-serving', 'export.solution.ts'), 'utf8');
const serverBase = readFileSync(path.join(LESSONS, '15e-serving', 'server.solution.ts'), 'utf8');

const LOADS = 'exportWithCache: the graph declares';
const EMPTY = 'empty past (P = 0)';
const STEPS = 'one token at a time';
const BATCH = 'batch 2, a chunk of 5';
const SMALL = 'a second GPT';

const PLAIN = 'POST /generate without streaming';
const JOINED = 'streaming: the events, joined';
const FLUSH = 'streaming: events arrive one at a time';
const STOPS = 'stop sequences:';
const BAD = 'bad requests get 400';
const CONCURRENT = 'concurrency:';
const CLOSE = 'close():';

function entry(exercise: string, base: string, kind: 'correct' | 'bug', name: string, edits: [string, string][], checks: string[], opts: { catalogued?: string; at?: string } = {}): CorpusEntry {
  const source = withEdits(base, edits, name);
  if (kind === 'correct') return { exercise, name, kind, source, checks };
  const marker = opts.at ?? edits[edits.length - 1][1].split('\n').find((l) => l.trim() !== '')!.trim();
  return { exercise, name, kind, source, line: lineOf(source, marker, name), checks, ...(opts.catalogued ? { catalogued: opts.catalogued } : {}) };
}

const ex = (kind: 'correct' | 'bug', name: string, edits: [string, string][], checks: string[], opts?: { catalogued?: string; at?: string }) => entry(EXPORT, exportBase, kind, name, edits, checks, opts);
const sv = (kind: 'correct' | 'bug', name: string, edits: [string, string][], checks: string[], opts?: { catalogued?: string; at?: string }) => entry(SERVER, serverBase, kind, name, edits, checks, opts);

const MASKED = "  const masked = g.op('Where', [mask, scores, g.float(-Infinity)]);";
const SCORES = "  const scores = g.op('Div', [g.op('MatMul', [q, kT]), g.float(Math.sqrt(hs))]); // (B, nh, T, P+T)";
const WPE = "g.op('Gather', [g.weight('wpe.weight'), positions])";
const LN_BODY = exportBase.slice(exportBase.indexOf('  const lastAxis = { axes: [-1], keepdims: 1 };'), exportBase.indexOf('\n}\n', exportBase.indexOf('  const lastAxis')));
const X3 = "  const x3 = g.op('Mul', [g.op('Mul', [x, x]), x]);";
const KEYS = "  const keyPositions = g.op('Range', [g.int64(0), total, g.int64(1)]);";
const MASK = "  const mask = g.op('LessOrEqual', [g.op('Reshape', [keyPositions, g.int64s([1, -1])]), g.op('Reshape', [positions, g.int64s([-1, 1])])]);";
const SOFTMAX = "  const probs = g.op('Softmax', [masked], { axis: -1 });";
const LOGITS = "  g.output(g.op('MatMul', [layerNormNode(g, 'ln_f', x), wteT]), 'logits');";
const MLP_RESIDUAL = "    x = g.op('Add', [x1, m]);";
const KEY_CONCAT_AXIS = "{ axis: 2 }); // (B, nh, P+T, hs)";

const BODY = "  for await (const chunk of req) body += chunk;";
const HITS = '    const hits = req.stop.map((s) => text.indexOf(s)).filter((i) => i >= 0);';
const SEND = '  const answer = await generate(model, request, (token) => res.write(`data: ${JSON.stringify({ token })}\\n\\n`));';
const CLOSE_BODY = `        close: () => new Promise<void>((done, fail) => {
          server.close((err) => (err ? fail(err) : done()));
          server.closeAllConnections();
        }),`;
const YIELD = '    await new Promise((resolve) => setImmediate(resolve)); // a macrotask after the poll phase: pending I/O runs first';

export const CORPUS: CorpusEntry[] = [
  // ----- serving/export, correct in other styles
  ex('correct', 'an additive mask: scores + Where(mask, 0, -inf)', [[MASKED, "  const masked = g.op('Add', [scores, g.op('Where', [mask, g.float(0), g.float(-Infinity)])]);"]], [EMPTY, STEPS, BATCH]),
  ex('correct', 'q scaled by 1/sqrt(hs) before the product', [[SCORES, "  const scores = g.op('MatMul', [g.op('Mul', [q, g.float(1 / Math.sqrt(hs))]), kT]);"]], [EMPTY, STEPS]),
  ex('correct', 'wpe rows by Slice(P, P + T) instead of Gather(Range)', [[WPE, "g.op('Slice', [g.weight('wpe.weight'), g.op('Shape', [past[0].key], { start: 2, end: 3 }), g.op('Add', [g.op('Shape', [past[0].key], { start: 2, end: 3 }), g.op('Shape', [ids], { start: 1, end: 2 })]), g.int64s([0])])"]], [STEPS, BATCH, SMALL]),
  ex('correct', "ONNX's own LayerNormalization op (opset 17) and x³ by Pow", [
    [LN_BODY, "  return g.op('LayerNormalization', [x, g.weight(`${prefix}.weight`), g.weight(`${prefix}.bias`)], { axis: -1, epsilon: 1e-5 });"],
    [X3, "  const x3 = g.op('Pow', [x, g.float(3)]);"],
  ], [LOADS, EMPTY, STEPS]),
  ex('correct', 'the mask as NOT(key > query), built with Greater and Not', [[MASK, "  const mask = g.op('Not', [g.op('Greater', [g.op('Reshape', [keyPositions, g.int64s([1, -1])]), g.op('Reshape', [positions, g.int64s([-1, 1])])])]);"]], [BATCH, SMALL]),

  // ----- serving/export, one bug each
  ex('bug', 'softmax over the heads axis instead of the keys', [[SOFTMAX, "  const probs = g.op('Softmax', [masked], { axis: 1 });"]], [EMPTY]),
  ex('bug', 'no final LayerNorm before the head', [[LOGITS, "  g.output(g.op('MatMul', [x, wteT]), 'logits');"]], [EMPTY]),
  ex('bug', 'a GELU constant with a digit missing (0.04475)', [['g.float(0.044715)', 'g.float(0.04475)']], [EMPTY], { at: 'g.float(0.04475)' }),
  ex('bug', 'key positions from 1: the mask hides each token from itself', [[KEYS, "  const keyPositions = g.op('Range', [g.int64(1), g.op('Add', [total, g.int64(1)]), g.int64(1)]);"]], [EMPTY]),
  ex('bug', 'no residual around the MLP', [[MLP_RESIDUAL, '    x = m;']], [EMPTY]),
  ex('bug', 'wpe rows 0..T-1 by Slice (positions not offset)', [[WPE, "g.op('Slice', [g.weight('wpe.weight'), g.int64s([0]), g.op('Shape', [ids], { start: 1, end: 2 }), g.int64s([0])])"]], [STEPS, BATCH], { catalogued: 'no-position-offset' }),
  ex('bug', 'scores multiplied by 1/sqrt(C)', [[SCORES, "  const scores = g.op('Mul', [g.op('MatMul', [q, kT]), g.float(1 / Math.sqrt(config.nEmbd))]);"]], [EMPTY], { catalogued: 'scale-by-C' }),
  ex('bug', 'the keys concatenated on the batch axis', [[KEY_CONCAT_AXIS, '{ axis: 0 }); // (B, nh, P+T, hs)']], [LOADS], { catalogued: 'concat-wrong-axis' }),

  // ----- serving/server, correct in other styles
  sv('correct', "the body read with req.on('data') and req.on('end')", [[BODY, "  body = await new Promise<string>((resolve, reject) => {\n    let acc = '';\n    req.on('data', (chunk: string) => { acc += chunk; });\n    req.on('end', () => resolve(acc));\n    req.on('error', reject);\n  });"]], [PLAIN, BAD]),
  sv('correct', 'one event per character of every safe piece', [[SEND, '  const answer = await generate(model, request, (piece) => { for (const token of piece) res.write(`data: ${JSON.stringify({ token })}\\n\\n`); });']], [JOINED, FLUSH, STOPS]),
  sv('correct', 'sockets tracked in a Set and destroyed by close()', [
    ['  const server = http.createServer((req, res) => {', '  const sockets = new Set<import(\'node:net\').Socket>();\n  const server = http.createServer((req, res) => {'],
    ['  return new Promise((resolve, reject) => {\n    server.once', "  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });\n  return new Promise((resolve, reject) => {\n    server.once"],
    [CLOSE_BODY, `        close: () => new Promise<void>((done, fail) => {
          server.close((err) => (err ? fail(err) : done()));
          for (const s of sockets) s.destroy();
        }),`],
  ], [CLOSE, PLAIN]),
  sv('correct', 'the stop search limited to the tail that the last token can complete', [[HITS, '    const longest = Math.max(0, ...req.stop.map((s) => s.length));\n    const from = Math.max(0, text.length - longest);\n    const hits = req.stop.map((s) => text.indexOf(s, from)).filter((i) => i >= 0);']], [STOPS]),

  // ----- serving/server, one bug each
  sv('bug', 'GET /generate answered 404 instead of 405', [["  if (req.method !== 'POST') return json(res, 405, { error: 'use POST /generate' }, { Allow: 'POST' });", "  if (req.method !== 'POST') return json(res, 404, { error: 'use POST /generate' });"]], [PLAIN]),
  sv('bug', 'temperature 0 (greedy) by default instead of 1', [['  const temperature = r.temperature ?? 1;', '  const temperature = r.temperature ?? 0;']], [PLAIN]),
  sv('bug', 'a new Rng for every token', [['    const token = model.sample(state.logits, req.temperature, rng);', '    const token = model.sample(state.logits, req.temperature, new Rng(req.seed + n));']], [PLAIN]),
  sv('bug', 'one token short: the loop stops before max_tokens', [['  for (let n = 1; n <= req.max_tokens; n++) {', '  for (let n = 1; n < req.max_tokens; n++) {']], [PLAIN]),
  sv('bug', 'a 400 answered as plain text', [['    if (e instanceof BadRequest) return json(res, 400, { error: e.message });', "    if (e instanceof BadRequest) { res.writeHead(400, { 'Content-Type': 'text/plain' }); res.end(e.message); return; }"]], [BAD]),
  sv('bug', 'the stream ends without data: [DONE]', [["  res.end('data: [DONE]\\n\\n');", '  res.end(); // the stream is over']], [JOINED], { at: 'res.end(); // the stream is over' }),
  sv('bug', 'the stop compared with the last token only', [[HITS, '    const hits = req.stop.includes(model.decode([token])) ? [text.length - 1] : [];']], [STOPS], { catalogued: 'stop-split' }),
  sv('bug', 'a yield only every 1000 tokens', [[YIELD, '    if (n % 1000 === 0) await new Promise((resolve) => setImmediate(resolve));']], [FLUSH, CONCURRENT], { catalogued: 'blocking-loop' }),
  sv('bug', 'the context check off by one (prompt + max_tokens may be blockSize + 1)', [['  if (length + r.max_tokens > model.blockSize) {', '  if (length + r.max_tokens > model.blockSize + 1) {']], [BAD], { catalogued: 'no-context-check' }),
];
