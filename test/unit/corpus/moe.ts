/**
 * The moe lesson's grading-truth corpus (see test/unit/corpus.ts): learner files for moe/moe written independently of
 * the catalogue. Correct files in other styles than the reference (loops over .data with a float64 softmax and a
 * repeated argmax, Mixtral's softmax over the top-k logits, a Map-counted dispatch, the aux loss as a matmul, an MoE
 * block run token by token), and one-bug variants: most of them mistakes no catalogue names (ties to the higher index,
 * the capacity rounded down, no throw for k > E, the logits changed in place, no residual, P divided by T · k), the
 * others catalogued mistakes written a new way (`catalogued`).
 *
 * The model check (moeBlock, a few hundred ms: it loads the bundled model) runs only for the entries whose change is
 * in moeBlock; the others run the quick checks (`checks`). Each bug's `line` is computed from its source.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { type CorpusEntry, lineOf } from '../corpus';
import { LESSONS, withEdits } from '../helpers';

const EX = 'moe/moe';
const SOLUTION = readFileSync(path.join(LESSONS, '14f-moe', 'moe.solution.ts'), 'utf8');

const HAND = 'route: hand-worked logits';
const SEEDED = 'route: seeded logits';
const DISPATCH = 'expertCapacity and dispatch';
const AUX = 'loadBalancingLoss:';
const BLOCK = 'moeBlock:';
const QUICK = [HAND, SEEDED, DISPATCH, AUX];

interface BugOptions { catalogued?: string; checks?: string[]; at?: string; kitOps?: boolean }

function correct(name: string, source: string, checks?: string[]): CorpusEntry {
  return { exercise: EX, name, kind: 'correct', source, ...(checks ? { checks } : {}) };
}

function bug(name: string, edits: [string, string][], opts: BugOptions = {}, base = SOLUTION): CorpusEntry {
  const source = withEdits(base, edits, name);
  const marker = opts.at ?? edits[0][1].split('\n').find((l) => l.trim() !== '')!.trim();
  return {
    exercise: EX, name, kind: 'bug', source, line: lineOf(source, marker, name),
    ...(opts.catalogued ? { catalogued: opts.catalogued } : {}),
    ...(opts.kitOps ? { kitOps: true } : {}),
    checks: opts.checks ?? QUICK,
  };
}

/** A whole file: loops over .data, a float64 softmax per row, top-k by repeated argmax, the block token by token. */
const LOOPS = `import { type Tensor, gelu, linear, mul, sum, tensor } from '@llm-lab/kit';

export interface Routing { experts: number[][]; gates: number[][] }
export interface RouteOptions { renormalize?: boolean }
export interface Expert { fcWeight: Tensor; fcBias: Tensor; projWeight: Tensor; projBias: Tensor }
export interface MoeOptions { k: number; capacityFactor: number; renormalize?: boolean }
export interface MoeOutput { y: Tensor; aux: Tensor; routing: Routing; kept: boolean[][] }

/** Softmax of one row in float64. */
function softmaxRow(row: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < row.length; i++) if (row[i] > max) max = row[i];
  const out = new Float64Array(row.length);
  let total = 0;
  for (let i = 0; i < row.length; i++) { out[i] = Math.exp(row[i] - max); total += out[i]; }
  for (let i = 0; i < row.length; i++) out[i] /= total;
  return out;
}

export function route(logits: Tensor, k: number, opts: RouteOptions = {}): Routing {
  const T = logits.shape[0];
  const E = logits.shape[1];
  if (!(Number.isInteger(k) && k >= 1 && k <= E)) throw new Error('bad k');
  const experts: number[][] = [];
  const gates: number[][] = [];
  for (let t = 0; t < T; t++) {
    const p = softmaxRow(logits.data.subarray(t * E, t * E + E));
    const taken = new Array<boolean>(E).fill(false);
    const chosen: number[] = [];
    for (let j = 0; j < k; j++) { // repeated argmax: the first maximum wins, so ties go to the lower index
      let best = -1;
      for (let e = 0; e < E; e++) if (!taken[e] && (best < 0 || p[e] > p[best])) best = e;
      taken[best] = true;
      chosen.push(best);
    }
    let total = 0;
    for (const e of chosen) total += p[e];
    experts.push(chosen);
    gates.push(chosen.map((e) => (opts.renormalize === false ? p[e] : p[e] / total)));
  }
  return { experts, gates };
}

export function expertCapacity(tokens: number, experts: number, k: number, capacityFactor: number): number {
  return Math.ceil((k * tokens * capacityFactor) / experts - 1e-9);
}

export function dispatch(experts: number[][], numExperts: number, capacity: number): boolean[][] {
  const used = new Int32Array(numExperts);
  const kept: boolean[][] = [];
  for (let t = 0; t < experts.length; t++) {
    const row: boolean[] = [];
    for (let j = 0; j < experts[t].length; j++) {
      const e = experts[t][j];
      const fits = used[e] < capacity;
      if (fits) used[e]++;
      row.push(fits);
    }
    kept.push(row);
  }
  return kept;
}

export function loadBalancingLoss(probs: Tensor, experts: number[][]): Tensor {
  const T = probs.shape[0];
  const N = probs.shape[1];
  let assignments = 0;
  const counts = new Float32Array(N);
  for (const row of experts) for (const e of row) { counts[e]++; assignments++; }
  const weights = new Float32Array(N);
  for (let i = 0; i < N; i++) weights[i] = (N * counts[i]) / (assignments * T);
  return sum(mul(sum(probs, 0), tensor(weights))); // N · Σ_i f_i · (Σ_t p_ti) / T
}

export function moeBlock(x: Tensor, routerWeight: Tensor, experts: Expert[], opts: MoeOptions): MoeOutput {
  const T = x.shape[0];
  const C = x.shape[1];
  const logits = linear(x, routerWeight);
  const routing = route(logits, opts.k, { renormalize: opts.renormalize });
  const kept = dispatch(routing.experts, experts.length, expertCapacity(T, experts.length, opts.k, opts.capacityFactor));
  const y = new Float32Array(x.data);
  for (let t = 0; t < T; t++) {
    for (let j = 0; j < opts.k; j++) {
      if (!kept[t][j]) continue;
      const ex = experts[routing.experts[t][j]];
      const xt = tensor(x.data.slice(t * C, t * C + C), [1, C]);
      const out = linear(gelu(linear(xt, ex.fcWeight, ex.fcBias)), ex.projWeight, ex.projBias).data;
      for (let c = 0; c < C; c++) y[t * C + c] += routing.gates[t][j] * out[c];
    }
  }
  const aux = loadBalancingLoss(softmaxTensor(logits), routing.experts);
  return { y: tensor(y, [T, C]), aux, routing, kept };
}

function softmaxTensor(logits: Tensor): Tensor {
  const [T, E] = logits.shape;
  const out = new Float32Array(T * E);
  for (let t = 0; t < T; t++) out.set(softmaxRow(logits.data.subarray(t * E, t * E + E)), t * E);
  return tensor(out, [T, E]);
}
`;

const GATES = 'gates.push(chosen.map((e) => (renormalize ? p[e] / total : p[e])));';
const SORT = 'sort((a, b) => p[b] - p[a] || a - b)';
const DISPATCH_BODY = `  return experts.map((choices) => choices.map((e) => {
    if (load[e] >= capacity) return false;
    load[e] += 1;
    return true;
  }));`;
const LOSS = 'return mul(sum(mul(P, tensor(f))), N);';
const PMEAN = 'const P = mul(sum(probs, 0), 1 / T); // (N,)';
const OUT = 'const out = Float32Array.from(x.data);';
const PUSH = 'if (c === e && kept[t][j]) { rows.push(t); weights.push(routing.gates[t][j]); }';

export const CORPUS: CorpusEntry[] = [
  correct('loops over .data, float64 softmax, repeated argmax, the block token by token', LOOPS),
  correct("Mixtral's form: a softmax over the k chosen logits", withEdits(SOLUTION, [[GATES, `const chosenLogits = chosen.map((e) => logits.data[t * E + e]);
    const top = Math.max(...chosenLogits);
    const w = chosenLogits.map((l) => Math.exp(l - top));
    const z = w.reduce((a, b) => a + b, 0);
    gates.push(renormalize ? w.map((v) => v / z) : chosen.map((e) => p[e]));`]], 'mixtral'), [HAND, SEEDED]),
  correct('dispatch with a Map and plain loops, capacity in integer arithmetic', withEdits(SOLUTION, [
    [DISPATCH_BODY, `  void load;
  const taken = new Map<number, number>();
  const kept: boolean[][] = [];
  for (const choices of experts) {
    const row: boolean[] = [];
    for (const e of choices) {
      const n = taken.get(e) ?? 0;
      row.push(n < capacity);
      if (n < capacity) taken.set(e, n + 1);
    }
    kept.push(row);
  }
  return kept;`],
    ['const exact = (k * tokens * capacityFactor) / experts;\n  return Math.abs(exact - Math.round(exact)) < 1e-9 ? Math.round(exact) : Math.ceil(exact); // 4.000000000001 is 4',
      'const scaled = Math.round(k * tokens * capacityFactor * 1e6); // the factor to six decimals, then integer ceil division\n  return Math.floor((scaled + experts * 1e6 - 1) / (experts * 1e6));'],
  ], 'map'), [DISPATCH]),
  correct('the aux loss as f (1, N) @ P (N, 1), and P from a matmul with ones', withEdits(SOLUTION, [[LOSS, `const meanP = matmul(tensor(new Float32Array(T).fill(1 / T), [1, T]), probs); // (1, N)
  return sum(mul(matmul(meanP, tensor(f, [N, 1])), N));`], [PMEAN, 'void sum;']], 'matmul')
    .replace("import { type Tensor, gelu, linear, mul, softmax, sum, tensor } from '@llm-lab/kit';", "import { type Tensor, gelu, linear, matmul, mul, softmax, sum, tensor } from '@llm-lab/kit';"), [AUX]),

  bug('ties go to the higher index', [[SORT, 'sort((a, b) => p[b] - p[a] || b - a)']], { checks: [HAND] }),
  bug('the capacity rounded down', [['return Math.abs(exact - Math.round(exact)) < 1e-9 ? Math.round(exact) : Math.ceil(exact);', 'return Math.floor(exact + 1e-9);']], { checks: [DISPATCH] }),
  bug('no throw for k > E', [["if (!Number.isInteger(k) || k < 1 || k > E) throw", "if (!Number.isInteger(k) || k < 1) throw"]], { checks: [HAND] }),
  bug('the logits shifted in place by their row maximum', [['const probs = softmax(logits, -1).data;', `for (let t = 0; t < T; t++) {
    const row = logits.data.subarray(t * E, (t + 1) * E);
    const m = Math.max(...row);
    for (let e = 0; e < E; e++) row[e] -= m;
  }
  const probs = softmax(logits, -1).data;`]], { checks: [HAND], at: 'for (let e = 0; e < E; e++) row[e] -= m;' }),
  bug("no residual: y is only the experts' sum", [[OUT, 'const out = new Float32Array(x.data.length);']], { checks: [BLOCK] }),
  bug('P divided by T · k', [[PMEAN, 'const P = mul(sum(probs, 0), 1 / (T * k)); // (N,)']], { checks: [AUX], kitOps: true }),
  bug('renormalize defaults to false', [['const renormalize = opts.renormalize ?? true;', 'const renormalize = opts.renormalize ?? false;']], { catalogued: 'no-renormalize', checks: [HAND] }),
  bug('gates replaced by 1 when collecting the rows', [[PUSH, 'if (c === e && kept[t][j]) { rows.push(t); weights.push(1); }']], { catalogued: 'no-gates', checks: [BLOCK] }),
  bug('the residual added only for tokens that kept an expert', [[OUT, `const out = new Float32Array(x.data.length);
  kept.forEach((row, t) => { if (row.some(Boolean)) out.set(x.data.subarray(t * C, (t + 1) * C), t * C); });`]], { catalogued: 'drop-zero', checks: [BLOCK], at: 'kept.forEach((row, t) => { if (row.some(Boolean))' }),
];
