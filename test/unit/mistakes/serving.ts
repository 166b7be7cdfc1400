/**
 * The serving lesson's mistake cases and library variants (see test/unit/catalogue.ts). Each case puts one catalogued bug
 * into lessons/15e-serving/export.solution.ts or server.solution.ts; the quick check that names it must fail with the
 * catalogue's message, in English and in Chinese. The server's cases send real HTTP requests on 127.0.0.1.
 */
import { type LibraryVariant, type MistakeCase, mistakeCases } from '../catalogue';
import { EXPORT_MISTAKES, SERVER_MISTAKES } from '../../../lessons/15e-serving/mistakes';

const EXPORT = 'serving/export';
const SERVER = 'serving/server';

const LOADS = 'exportWithCache: the graph declares';
const EMPTY = 'empty past (P = 0)';
const STEPS = 'one token at a time';
const BATCH = 'batch 2, a chunk of 5';
const SMALL = 'a second GPT';

const WPE = "g.op('Gather', [g.weight('wpe.weight'), positions])";
const MASK_QUERY = "g.op('Reshape', [positions, g.int64s([-1, 1])])";
const KEY_CONCAT = "const presentKey = g.op('Concat', [pastKey, splitHeads(g, linearNode(g, `${p}.k`, x), nh, hs)], { axis: 2 });";
const VALUE_CONCAT = "const presentValue = g.op('Concat', [pastValue, splitHeads(g, linearNode(g, `${p}.v`, x), nh, hs)], { axis: 2 });";

const FLUSH = 'streaming: events arrive one at a time';
const STOPS = 'stop sequences:';
const BAD = 'bad requests get 400';
const CONCURRENT = 'concurrency:';

const YIELD = '    await new Promise((resolve) => setImmediate(resolve));';
const STREAM_WRITE = '  const answer = await generate(model, request, (token) => res.write(`data: ${JSON.stringify({ token })}\\n\\n`));';
const HITS = '    const hits = req.stop.map((s) => text.indexOf(s)).filter((i) => i >= 0);';

export const CASES: MistakeCase[] = [
  ...mistakeCases(EXPORT_MISTAKES, EXPORT, [
    { key: 'no-position-offset', check: STEPS, edits: [[WPE, "g.op('Gather', [g.weight('wpe.weight'), g.op('Range', [g.int64(0), g.op('Reshape', [g.op('Shape', [ids], { start: 1, end: 2 }), g.int64s([])]), g.int64(1)])])"]] },
    { key: 'no-position-offset', check: BATCH, name: 'a chunk after a past', edits: [[WPE, "g.op('Gather', [g.weight('wpe.weight'), g.op('Range', [g.int64(0), g.op('Reshape', [g.op('Shape', [ids], { start: 1, end: 2 }), g.int64s([])]), g.int64(1)])])"]] },
    { key: 'mask-not-offset', check: BATCH, edits: [[MASK_QUERY, "g.op('Reshape', [g.op('Range', [g.int64(0), T, g.int64(1)]), g.int64s([-1, 1])])"]] },
    { key: 'mask-not-offset', check: STEPS, name: 'one token at a time', edits: [[MASK_QUERY, "g.op('Reshape', [g.op('Range', [g.int64(0), T, g.int64(1)]), g.int64s([-1, 1])])"]] },
    { key: 'scale-by-C', check: EMPTY, edits: [['g.float(Math.sqrt(hs))', 'g.float(Math.sqrt(config.nEmbd))']] },
    { key: 'concat-wrong-axis', check: LOADS, edits: [["{ axis: 2 }); // (B, nh, P+T, hs)", "{ axis: 1 }); // (B, nh, P+T, hs)"]] },
    { key: 'concat-wrong-axis', check: EMPTY, name: 'the last axis', edits: [["{ axis: 2 }); // (B, nh, P+T, hs)", "{ axis: 3 }); // (B, nh, P+T, hs)"]] },
    { key: 'present-without-past', check: STEPS, edits: [
      [KEY_CONCAT, 'const presentKey = splitHeads(g, linearNode(g, `${p}.k`, x), nh, hs);'],
      [VALUE_CONCAT, 'const presentValue = splitHeads(g, linearNode(g, `${p}.v`, x), nh, hs);'],
    ] },
    { key: 'present-without-past', check: SMALL, name: 'keys only, on the random model', edits: [[KEY_CONCAT, 'const presentKey = splitHeads(g, linearNode(g, `${p}.k`, x), nh, hs);']] },
    { key: 'unknown-op', check: LOADS, edits: [["return g.op('Mul', [g.op('Mul', [x, g.float(0.5)]), g.op('Add', [g.op('Tanh', [inner]), g.float(1)])]);", "return g.op('Gelu', [x]);"]] },
    { key: 'unknown-op', check: EMPTY, name: 'a lower-case op type', edits: [["const x3 = g.op('Mul', [g.op('Mul', [x, x]), x]);", "const x3 = g.op('mul', [g.op('Mul', [x, x]), x]);"]] },
  ]),
  ...mistakeCases(SERVER_MISTAKES, SERVER, [
    { key: 'no-flush', check: FLUSH, edits: [[STREAM_WRITE, '  const pieces: string[] = [];\n  const answer = await generate(model, request, (token) => pieces.push(token));\n  for (const token of pieces) res.write(`data: ${JSON.stringify({ token })}\\n\\n`);']] },
    { key: 'blocking-loop', check: FLUSH, edits: [[YIELD, '']] },
    { key: 'blocking-loop', check: CONCURRENT, name: 'no yield, two streams and a short request', edits: [[YIELD, '']] },
    { key: 'blocking-loop', check: CONCURRENT, name: 'a microtask instead of a macrotask', edits: [[YIELD, '    await Promise.resolve();']] },
    { key: 'stop-split', check: STOPS, edits: [[HITS, '    const piece = model.decode([token]);\n    const hits = req.stop.map((s) => (piece.includes(s) ? text.length - piece.length + piece.indexOf(s) : -1)).filter((i) => i >= 0);']] },
    { key: 'stop-included', check: STOPS, edits: [['      const cut = Math.min(...hits);', '      const cut = text.length;']] },
    { key: 'stream-leaks-stop', check: STOPS, edits: [['    const safe = text.length - heldBack(text, req.stop);', '    const safe = text.length;']] },
    { key: 'no-context-check', check: BAD, edits: [['  if (length + r.max_tokens > model.blockSize) {', '  if (length > model.blockSize) {']] },
  ]),
];

export const VARIANTS: LibraryVariant[] = [
  { library: 'Hugging Face transformers', name: 'the stop string kept in the output, as generate(stop_strings=...) does', exercise: SERVER, check: STOPS,
    edits: [['      const cut = Math.min(...hits);', '      const cut = text.length;']] },
  { library: 'Hugging Face transformers', name: "Concat on axis -2 (positions counted from the end), as DynamicCache's torch.cat(..., dim=-2)", exercise: EXPORT, check: STEPS,
    edits: [["{ axis: 2 }); // (B, nh, P+T, hs)", "{ axis: -2 }); // (B, nh, P+T, hs)"]] },
];
