/**
 * The parallel lesson's grading-truth corpus (see test/unit/corpus.ts): learner files for parallel/parallel written
 * independently of the catalogue. Correct files in other styles than the reference (ceil-sized chunks, a float64
 * work buffer, the MLP in plain loops with PyTorch's erf GELU, the schedule found by simulating a greedy clock,
 * the ledger with a switch), and one-bug variants: most are mistakes no catalogue names (a wrong chunk index, a
 * loop bound, an idle tick, a dependency order, a stage that shards the wrong thing, floor for ceil), the others
 * catalogued mistakes written a new way (`catalogued`). Entries whose bug is in a function without threads run only
 * that function's check (`checks`); the thread checks take ~0.2 s each.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { type CorpusEntry, lineOf } from '../corpus';
import { LESSONS, withEdits } from '../helpers';

const EX = 'parallel/parallel';
const base = readFileSync(path.join(LESSONS, '14g-parallel', 'parallel.solution.ts'), 'utf8');

const RING = 'ringAllReduce: every rank gets the sum';
const RING2 = 'ringAllReduce: p = 3';
const AVG = 'averageGradients: the mean';
const TP = 'tensorParallelMLP: the full MLP';
const PIPE = 'gpipeSchedule:';
const ZERO = 'zeroLedger:';

function correct(name: string, edits: [string, string][], checks?: string[]): CorpusEntry {
  return { exercise: EX, name, kind: 'correct', source: withEdits(base, edits, name), ...(checks ? { checks } : {}) };
}

function bug(name: string, edits: [string, string][], opts: { catalogued?: string; kitOps?: boolean; checks?: string[]; at?: string } = {}): CorpusEntry {
  const source = withEdits(base, edits, name);
  const marker = opts.at ?? edits[0][1].split('\n').find((l) => l.trim() !== '')!.trim();
  return {
    exercise: EX, name, kind: 'bug', source, line: lineOf(source, marker, name),
    ...(opts.catalogued ? { catalogued: opts.catalogued } : {}), ...(opts.kitOps ? { kitOps: true } : {}), ...(opts.checks ? { checks: opts.checks } : {}),
  };
}

const CHUNK = `function chunkStart(n: number, p: number, c: number): number {
  return Math.floor((c * n) / p);
}`;
const RING_FN_START = 'export function ringAllReduce(comm: Comm, x: Float32Array): Float32Array {';
const RING_FN = base.slice(base.indexOf(RING_FN_START), base.indexOf('export function averageGradients'));
const TP_FN = base.slice(base.indexOf('export function tensorParallelMLP'), base.indexOf('export function gpipeSchedule'));
const PIPE_FN = base.slice(base.indexOf('export function gpipeSchedule'), base.indexOf('export function zeroLedger'));
const ZERO_FN = base.slice(base.indexOf('export function zeroLedger'));

export const CORPUS: CorpusEntry[] = [
  // ----- correct, in other styles
  correct('chunks of ceil(n / p) values, the last one shorter (or empty)', [[CHUNK, `function chunkStart(n: number, p: number, c: number): number {
  return Math.min(n, c * Math.ceil(n / p));
}`]], [RING, RING2, AVG]),
  correct('a float64 work buffer, chunks as [start, end) pairs computed once, helper send/recv functions', [[RING_FN, `export function ringAllReduce(comm: Comm, x: Float32Array): Float32Array {
  const p = comm.world;
  const acc = Float64Array.from(x);
  const bounds: [number, number][] = [];
  for (let c = 0; c < p; c++) bounds.push([Math.floor((c * x.length) / p), Math.floor(((c + 1) * x.length) / p)]);
  const right = (comm.rank + 1) % p;
  const left = (comm.rank + p - 1) % p;
  const pass = (c: number) => comm.send(right, Float32Array.from(acc.subarray(bounds[c][0], bounds[c][1])));
  for (let step = 0; step < p - 1; step++) {
    pass((comm.rank - step + p) % p);
    const [a] = bounds[(comm.rank - step - 1 + 2 * p) % p];
    comm.recv(left).forEach((v, i) => { acc[a + i] += v; });
  }
  for (let step = 0; step < p - 1; step++) {
    pass((comm.rank + 1 - step + p) % p);
    const [a] = bounds[(comm.rank - step + p) % p];
    comm.recv(left).forEach((v, i) => { acc[a + i] = v; });
  }
  return Float32Array.from(acc);
}

`]], [RING, RING2, AVG]),
  correct('the MLP in plain loops, PyTorch\'s erf GELU, the bias on rank 0 before the all-reduce', [[TP_FN, `function erf(x: number): number {
  const s = Math.sign(x), a = Math.abs(x), t = 1 / (1 + 0.3275911 * a);
  return s * (1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a));
}

export function tensorParallelMLP(comm: Comm, x: Float32Array, tokens: number, shard: MlpShard): Float32Array {
  const { d, h } = shard;
  const partial = new Float32Array(tokens * d);
  for (let t = 0; t < tokens; t++) {
    for (let k = 0; k < h; k++) {
      let z = shard.b1[k];
      for (let i = 0; i < d; i++) z += x[t * d + i] * shard.w1[i * h + k];
      const a = 0.5 * z * (1 + erf(z / Math.SQRT2));
      for (let j = 0; j < d; j++) partial[t * d + j] += a * shard.w2[k * d + j];
    }
    if (comm.rank === 0) for (let j = 0; j < d; j++) partial[t * d + j] += shard.b2[j];
  }
  return ringAllReduce(comm, partial);
}

`]], [TP]),
  correct('the schedule found by simulating a clock: each stage runs the first pass whose inputs are ready, forwards first', [[PIPE_FN, `export function gpipeSchedule(stages: number, micro: number): Slot[][] {
  const doneAt = new Map<string, number>();
  const ready = (key: string, tick: number) => (doneAt.get(key) ?? Infinity) < tick;
  const grid: Slot[][] = [];
  while (doneAt.size < 2 * stages * micro) {
    const tick = grid.length;
    const row: Slot[] = [];
    for (let s = 0; s < stages; s++) {
      let slot: Slot = null;
      for (let m = 0; m < micro && !slot; m++) {
        if (!doneAt.has(\`F\${s}:\${m}\`) && (s === 0 || ready(\`F\${s - 1}:\${m}\`, tick))) slot = { micro: m, pass: 'F' };
      }
      const forwardsDone = Array.from({ length: micro }, (_, m) => doneAt.has(\`F\${s}:\${m}\`)).every(Boolean);
      for (let m = 0; m < micro && !slot && forwardsDone; m++) {
        if (!doneAt.has(\`B\${s}:\${m}\`) && ready(\`F\${s}:\${m}\`, tick) && (s === stages - 1 || ready(\`B\${s + 1}:\${m}\`, tick))) slot = { micro: m, pass: 'B' };
      }
      row.push(slot);
    }
    row.forEach((slot, s) => { if (slot) doneAt.set(\`\${slot.pass}\${s}:\${slot.micro}\`, tick); });
    grid.push(row);
  }
  return grid;
}

`]], [PIPE]),
  correct('the ledger with a switch and the shard as what is left after the ranks before', [[ZERO_FN, `export function zeroLedger(stage: number, world: number, numel: number): RankBytes[] {
  const slice = Math.ceil(numel / world);
  return Array.from({ length: world }, (_, rank) => {
    const shard = Math.min(slice, Math.max(0, numel - rank * slice));
    const all = { params: 4 * numel, grads: 4 * numel, optimizer: 8 * numel };
    switch (stage) {
      case 3: all.params = 4 * shard; // falls through
      case 2: all.grads = 4 * shard; // falls through
      case 1: all.optimizer = 8 * shard;
    }
    return all;
  });
}
`]], [ZERO]),

  // ----- one bug each: not catalogued
  bug('all-gather overwrites the chunk one ahead of the one received', [['    const r = mod(rank - s);', '    const r = mod(rank - s + 1);']], { checks: [RING] }),
  bug('reduce-scatter stops one step early', [['  for (let s = 0; s < p - 1; s++) {\n    const c = mod(rank - s);', '  for (let s = 0; s < p - 2; s++) {\n    const c = mod(rank - s);']], { checks: [RING] }),
  bug('one idle tick too many at the end of the schedule', [['  const ticks = 2 * (micro + stages - 1);', '  const ticks = 2 * (micro + stages - 1) + 1;']], { checks: [PIPE] }),
  bug('backward passes ordered from the first stage to the last', [["      grid[micro + stages - 1 + (stages - 1 - s) + m][s] = { micro: m, pass: 'B' };", "      grid[micro + stages - 1 + s + m][s] = { micro: m, pass: 'B' };"]], { checks: [PIPE] }),
  bug('stage 2 shards the parameters instead of the gradients', [['      params: 4 * (stage >= 3 ? shard : numel),\n      grads: 4 * (stage >= 2 ? shard : numel),', '      params: 4 * (stage >= 2 ? shard : numel),\n      grads: 4 * (stage >= 3 ? shard : numel),']], { checks: [ZERO] }),
  bug('slices of floor(numel / world) values', [['  const shardSize = Math.ceil(numel / world);', '  const shardSize = Math.floor(numel / world);']], { checks: [ZERO] }),
  bug('the MLP hidden layer without its bias b1', [['tensor(shard.w1, [d, h])), tensor(shard.b1, [h])));', 'tensor(shard.w1, [d, h])), 0));']], { checks: [TP], kitOps: true, at: 'const hidden = gelu(' }),

  // ----- one bug each: catalogued mistakes written a new way
  bug('an all-reduce that already averages, then averageGradients divides again', [['  return out;\n}\n\nexport function averageGradients', '  for (let i = 0; i < n; i++) out[i] /= p;\n  return out;\n}\n\nexport function averageGradients']],
    { catalogued: 'averaged-twice', checks: [AVG] }),
  bug('all-gather receives before it sends', [[`    comm.send(next, out.slice(chunkStart(n, p, c), chunkStart(n, p, c + 1)));
    const r = mod(rank - s);
    const got = comm.recv(prev);
    out.set(got, chunkStart(n, p, r));`, `    const got = comm.recv(prev);
    comm.send(next, out.slice(chunkStart(n, p, c), chunkStart(n, p, c + 1)));
    const r = mod(rank - s);
    out.set(got, chunkStart(n, p, r));`]], { catalogued: 'deadlock', checks: [RING], at: 'const got = comm.recv(prev);\n    comm.send' }),
  bug('b2 added with the kit to the partial product on every rank', [['  const partial = matmul(hidden, tensor(shard.w2, [h, d])).data as Float32Array;', '  const partial = add(matmul(hidden, tensor(shard.w2, [h, d])), tensor(shard.b2, [d])).data as Float32Array;'],
    ['  for (let t = 0; t < tokens; t++) for (let j = 0; j < d; j++) y[t * d + j] += shard.b2[j];\n', '']], { catalogued: 'bias-every-rank', checks: [TP], kitOps: true }),
];
