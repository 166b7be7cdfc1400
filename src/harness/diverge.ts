/**
 * Where a failed check's computation first parts ways with the reference: the learner's function and the reference
 * solution's are run again on the input the check gave the learner (a copy of it), with the kit handing over every
 * tensor each creates (kit/trace.ts). Walking the learner's tensors in the order they were made, the first one that
 * matches none of the reference's (the same values at the same places, or the same values in another layout: a
 * transpose or a reshape) is where the two computations diverge; its line in the learner's file is reported, with
 * how it differs from the reference's tensor of the same shape (a factor, a sign, a transpose, NaN, a shift).
 *
 * This explains a failure; it never decides one. Code that computes without kit tensors (index loops over .data)
 * gives nothing to compare, and the failure keeps pointing at the function.
 */
import { Tensor } from '../kit/tensor';
import { onTensorCreated, parentsOf } from '../kit/trace';
import { type Text, t } from '../core/grading/text';
import { locationInStack } from './locate';

/** A deep copy of what a learner's function was called with: tensors and arrays copied, everything else shared. */
export function copyArgs(v: unknown, depth = 0, withGrad = false, map: (data: Float32Array) => Float32Array = (d) => Float32Array.from(d)): unknown {
  if (depth > 6) return v;
  if (v instanceof Tensor) return new Tensor(map(v.data), v.shape, withGrad || v.requiresGrad);
  if (v instanceof Float32Array) return map(v);
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return (v as unknown as { slice(): unknown }).slice();
  if (Array.isArray(v)) return v.map((x) => copyArgs(x, depth + 1, withGrad, map));
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [k, copyArgs(x, depth + 1, withGrad, map)]));
  // A plain object: a lesson-1 NDArray ({ data, shape }), a config, a bag of weights.
  if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, copyArgs(x, depth + 1, withGrad, map)]));
  }
  // An instance of a class (a layer, a random generator): the same class, its fields copied, so that two runs
  // start from the same state (a generator is not advanced by the first run).
  if (v && typeof v === 'object' && !(v instanceof Promise)) {
    return cloneInstance(v, Object.getPrototypeOf(v) as object | null, depth, withGrad, map);
  }
  return v;
}

/** A new object with prototype `proto` and copies of `v`'s own enumerable fields (see copyArgs). */
export function cloneInstance(v: object, proto: object | null, depth = 0, withGrad = false,
  map: (data: Float32Array) => Float32Array = (d) => Float32Array.from(d)): object {
  const out = Object.create(proto) as Record<string, unknown>;
  for (const [k, x] of Object.entries(v)) out[k] = copyArgs(x, depth + 1, withGrad, map);
  return out;
}

/**
 * The same numbers, each moved by up to ±5 % (a fixed pseudo-random factor per position), except arrays of
 * non-negative whole numbers (token ids, masks, targets, counts), which keep their meaning. A second run on perturbed inputs tells an
 * intermediate that equals the reference's by coincidence (a 0, a 1, one number) from one computed the same way.
 */
function perturber(): (d: Float32Array) => Float32Array {
  let seed = 0x9e3779b9; // one stream for all the arrays, so that no two get the same factors
  return (d) => {
    const out = Float32Array.from(d);
    if (out.every((v) => (Number.isInteger(v) && v >= 0) || !Number.isFinite(v))) return out;
    for (let i = 0; i < out.length; i++) {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      out[i] *= 1 + 0.1 * (seed / 2 ** 32 - 0.5);
    }
    return out;
  };
}

interface Made { t: Tensor; line?: number; frames?: Frame[] }

/** A stack frame in the learner's file: its line, and the function it is in (as V8 names it, when it has a name). */
interface Frame { line: number; fn?: string }

/** The frames of `stack` in `file`, innermost first. */
export function framesIn(stack: string | undefined, file: string): Frame[] {
  const out: Frame[] = [];
  for (const l of (stack ?? '').split('\n')) {
    const i = l.indexOf(file + ':');
    if (i < 0) continue;
    const m = /^:(\d+):\d+/.exec(l.slice(i + file.length));
    if (!m) continue;
    const named = /^\s*at\s+(?:async\s+)?([^\s(]+)\s+\(/.exec(l);
    out.push({ line: Number(m[1]), fn: named ? named[1].replace(/^new\s+/, '') : undefined });
  }
  return out;
}

/** Runs fn with the kit's hook set; for the learner's run (`file` given), keeps the learner's frames of each new tensor. */
/** What a run made, in order; `out` is what the function returned (when it returned). */
type Recording = Made[] & { out?: unknown };

function record(fn: () => unknown, file?: string): Recording | undefined {
  const made: Recording = [];
  const previous = onTensorCreated((tensor) => {
    if (made.length > 5000) return;
    if (!file) { made.push({ t: tensor }); return; }
    const frames = framesIn(new Error().stack, file);
    made.push({ t: tensor, line: frames[0]?.line, frames });
  });
  try {
    const out = fn();
    if (out && typeof (out as { then?: unknown }).then === 'function') return undefined; // async: not explained
    made.out = out;
  } catch {
    // What was made before a throw still counts.
  } finally {
    onTensorCreated(previous);
  }
  return made;
}

/** How many tensors `v` holds (as copyArgs walks it): the copies a run makes of its inputs. */
function countTensors(v: unknown, depth = 0): number {
  if (depth > 6) return 0;
  if (v instanceof Tensor) return 1;
  if (Array.isArray(v)) return v.reduce((n: number, x) => n + countTensors(x, depth + 1), 0);
  if (v instanceof Map) return [...v.values()].reduce((n: number, x) => n + countTensors(x, depth + 1), 0);
  if (v && typeof v === 'object' && !ArrayBuffer.isView(v)) return Object.values(v).reduce((n: number, x) => n + countTensors(x, depth + 1), 0);
  return 0;
}

/** A returned value that holds numbers: a Tensor, a lesson-1 NDArray ({ data, shape }) or a Float32Array. */
function asTensor(v: unknown): Tensor | undefined {
  if (v instanceof Tensor) return v;
  if (v instanceof Float32Array) return new Tensor(v, [v.length]);
  const nd = v as { data?: unknown; shape?: unknown };
  if (v && typeof v === 'object' && nd.data instanceof Float32Array && Array.isArray(nd.shape)) return new Tensor(nd.data, nd.shape as number[]);
  return undefined;
}

/**
 * The numbers a function returned (a tensor or an NDArray, alone, in an array or in an object, by key), paired with
 * the reference's: [what the learner returned, the learner's value as a tensor, the reference's as a tensor].
 */
function outputPairs(own: unknown, ref: unknown, depth = 0): [unknown, Tensor, Tensor][] {
  if (depth > 3 || own === null || ref === null || typeof own !== 'object' || typeof ref !== 'object') return [];
  const a = asTensor(own);
  if (a) { const b = asTensor(ref); return b ? [[own, a, b]] : []; }
  if (Array.isArray(own)) return Array.isArray(ref) && own.length === ref.length ? own.flatMap((x, i) => outputPairs(x, ref[i], depth + 1)) : [];
  if (Object.getPrototypeOf(own) !== Object.prototype || Object.getPrototypeOf(ref) !== Object.prototype) return [];
  return Object.keys(own).flatMap((k) => (k in ref ? outputPairs((own as Record<string, unknown>)[k], (ref as Record<string, unknown>)[k], depth + 1) : []));
}

/** Two numbers equal within the tolerance every comparison here uses (NaN equals NaN). */
export const close = (a: number, b: number) => (Number.isNaN(a) && Number.isNaN(b)) || a === b || Math.abs(a - b) <= 1e-6 + 2e-4 * Math.abs(b);

function sameAt(a: Tensor, b: Tensor): boolean {
  if (a.data.length !== b.data.length) return false;
  for (let i = 0; i < a.data.length; i++) if (!close(a.data[i], b.data[i])) return false;
  return true;
}

const sorted = new WeakMap<Tensor, Float64Array>();
function sortedOf(x: Tensor): Float64Array {
  let s = sorted.get(x);
  if (!s) { s = Float64Array.from(x.data).sort(); sorted.set(x, s); }
  return s;
}

function sameValues(a: Tensor, b: Tensor): boolean {
  if (a.data.length !== b.data.length) return false;
  const x = sortedOf(a);
  const y = sortedOf(b);
  for (let i = 0; i < x.length; i++) if (!close(x[i], y[i])) return false;
  return true;
}

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/** Swaps the last two axes of a tensor's values (for "is it the reference transposed?"). */
function transposedLast(x: Tensor): Float32Array | undefined {
  const n = x.shape.length;
  if (n < 2) return undefined;
  const r = x.shape[n - 2];
  const c = x.shape[n - 1];
  const out = new Float32Array(x.data.length);
  for (let b = 0; b < x.data.length; b += r * c) for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[b + j * r + i] = x.data[b + i * c + j];
  return out;
}

/** How `got` differs from the reference's `want` (same number of values), in words; `specific` unless only "values differ". */
function howItDiffers(got: Tensor, want: Tensor): Text & { specific?: boolean } {
  const specific = (text: Text) => ({ ...text, specific: true });
  const g = got.data;
  const w = want.data;
  const bad = [...g].findIndex((v, i) => !close(v, w[i]));
  if ([...g].some((v, i) => !Number.isFinite(v) && Number.isFinite(w[i]))) {
    return specific(t('it holds NaN or Infinity where the reference is finite', '在参考结果是有限值的地方，它是 NaN 或无穷大'));
  }
  const ratio = w[bad] !== 0 ? g[bad] / w[bad] : NaN;
  if (Number.isFinite(ratio) && ratio !== 0 && [...g].every((v, i) => close(v, ratio * w[i]))) {
    if (close(ratio, -1)) return specific(t('its sign is flipped', '它的符号反了'));
    const k = Math.abs(ratio) >= 0.01 ? ratio.toPrecision(4) : ratio.toExponential(3);
    return specific(t(`it is the reference's value times ${k}`, `它是参考值的 ${k} 倍`));
  }
  const tr = transposedLast(want);
  if (tr && sameShape(got.shape, [...want.shape.slice(0, -2), want.shape.at(-1)!, want.shape.at(-2)!]) && [...g].every((v, i) => close(v, tr[i]))) {
    return specific(t('it is the reference\'s value with its last two axes swapped', '它是把参考值最后两个轴交换后的结果'));
  }
  // Shifted by one along the last axis?
  const last = want.shape.at(-1) ?? 1;
  for (const s of [1, -1]) {
    let ok = true;
    let compared = 0;
    for (let i = 0; i < g.length && ok; i++) {
      const j = (i % last) + s;
      if (j < 0 || j >= last) continue;
      compared++;
      ok = close(g[i], w[i + s]);
    }
    if (ok && compared > 0) return specific(t(`it is the reference's value shifted by ${s > 0 ? 'one position' : 'minus one position'} along the last axis`, `它是参考值沿最后一个轴错开${s > 0 ? '一' : '负一'}个位置的结果`));
  }
  const at = bad >= 0 ? bad : 0;
  return t(`its values differ (the first at flat index ${at}: ${g[at]} where the reference has ${w[at]})`, `数值不同（第一个在展平下标 ${at}：是 ${g[at]}，参考结果是 ${w[at]}）`);
}

export interface Divergence {
  line: number;
  how: Text;
  shape: number[];
}

/**
 * How a learner tensor relates to the reference's: the same, a relayout of the same data, the same negated (a
 * style: CleanRL negates the advantages first and takes a max), shuffled, or different.
 */
type Match = 'same' | 'relaid' | 'negated' | 'shuffled' | 'different';

function negatedOf(x: Tensor, r: Tensor): boolean {
  if (r.data.length !== x.data.length) return false;
  let nonzero = false;
  for (let i = 0; i < x.data.length; i++) {
    if (!close(x.data[i], -r.data[i])) return false;
    if (r.data[i] !== 0) nonzero = true;
  }
  return nonzero;
}

/**
 * How the learner's tensor `x` relates to the reference's tensors, on the captured input; with the second run on
 * perturbed inputs (`x2`, `reference2`, made in the same order), a relation counts only if the same reference
 * tensor stands in it in both runs.
 */
function matchOf(x: Tensor, reference: Made[], x2?: Tensor, reference2?: Made[]): Match {
  const both = (j: number, rel: (a: Tensor, b: Tensor) => boolean) => rel(x, reference[j].t) && (!x2 || !reference2 || rel(x2, reference2[j].t));
  const any = (rel: (a: Tensor, b: Tensor) => boolean) => reference.some((_, j) => both(j, rel));
  if (any((a, b) => sameShape(b.shape, a.shape) && sameAt(b, a))) return 'same';
  // The same numbers in the same shape but another order: the layout went wrong. In another shape: another way
  // to lay out the same data (a reshape, a transpose), not a bug.
  if (any((a, b) => sameShape(b.shape, a.shape) && sameValues(b, a))) return 'shuffled';
  if (any((a, b) => sameValues(b, a))) return 'relaid';
  return any((a, b) => sameShape(b.shape, a.shape) && negatedOf(a, b)) ? 'negated' : 'different';
}

/** Every tensor `roots` were computed from (the kit's trace records what each op's result was made from). */
function ancestors(roots: Tensor[]): Set<Tensor> {
  const seen = new Set<Tensor>();
  const stack = [...roots];
  while (stack.length) {
    const x = stack.pop()!;
    for (const p of parentsOf(x)) if (!seen.has(p)) { seen.add(p); stack.push(p); }
  }
  return seen;
}

/**
 * The first tensor the learner's function makes that the reference's does not (see the header), or undefined
 * when there is nothing to compare or no such tensor.
 *
 * Correct code in another style makes intermediates the reference never makes (q scaled before the product
 * instead of after); such a detour feeds a later tensor that equals one of the reference's again. So a tensor that
 * matches nothing is reported only if no agreeing tensor was computed from it (the run's inputs require gradients,
 * so the kit records what each tensor was computed from). A negated copy of a reference tensor that the learner
 * computes further with is a style too (a sign carried through), never the place to blame; a negated result is not.
 *
 * Each relation is confirmed on a second run on perturbed inputs, where both made the same tensors. When no
 * intermediate parts ways, a returned value (or an object's field after a method) that differs from the reference's
 * is located where it was made, and for a check of gradients, the tensor where the gradient stops.
 *
 * The line reported is the innermost line of the learner's file on the tensor's stack, except inside a function
 * `trusted` says is right (a provided helper such as `clamp`, or one whose own checks passed) and the local
 * wrappers around it: there the mistake is in what it was called with, so the caller's line is reported.
 */
export function firstDivergence(learnerFn: (...args: unknown[]) => unknown, referenceFn: (...args: unknown[]) => unknown, args: unknown[],
  file: string, trusted: (fn: string) => boolean = () => false, gradients = false, seen?: { tensors: number },
  exported: (fn: string) => boolean = () => true): Divergence | undefined {
  const reference = record(() => referenceFn(...(copyArgs(args, 0, true) as unknown[])));
  const learner = record(() => learnerFn(...(copyArgs(args, 0, true) as unknown[])), file);
  if (seen) seen.tensors += learner?.filter((m) => m.line !== undefined).length ?? 0;
  if (!reference || !learner?.length) return undefined;
  // The second run, on perturbed inputs: used only where it made the same tensors in the same order.
  const args2 = copyArgs(args, 0, false, perturber()) as unknown[];
  const reference2 = record(() => referenceFn(...(copyArgs(args2, 0, true) as unknown[])));
  const learner2 = record(() => learnerFn(...(copyArgs(args2, 0, true) as unknown[])), file);
  const confirm = reference2?.length === reference.length && learner2?.length === learner.length
    && learner2.every((m, i) => sameShape(m.t.shape, learner[i].t.shape)) && reference2.every((m, i) => sameShape(m.t.shape, reference[i].t.shape));
  const ownAt = learner.flatMap((m, i) => (m.line !== undefined ? [i] : [])); // made inside the kit for another tensor, or by the check: skipped
  const own = ownAt.map((i) => learner[i]);
  const matches = ownAt.map((i) => matchOf(learner[i].t, reference, confirm ? learner2![i].t : undefined, confirm ? reference2 : undefined));
  // Agreement is evidence only where the values depend on the input: with the perturbed run, a tensor whose values
  // moved with it; without it, one of more than one value that are not all the same (a row of zeros after a relu,
  // a single number, agree by coincidence).
  const informative = (i: number): boolean => {
    const x = learner[ownAt[i]].t;
    if (confirm) return !sameAt(x, learner2![ownAt[i]].t);
    return x.data.length > 1 && x.data.some((v) => v !== x.data[0]);
  };
  const rejoined = ancestors(own.filter((m, i) => (matches[i] === 'same' || matches[i] === 'relaid') && informative(i)).map((m) => m.t));
  const used = new Set(learner.flatMap((m) => parentsOf(m.t)));
  const outputs = outputPairs(learner.out, reference.out);
  // What the results are computed from: the tensors returned (or whose numbers are returned), and the last one made.
  const results = own.filter((m, i) => i === own.length - 1 || outputs.some(([, mine]) => mine === m.t || mine.data === m.t.data)).map((m) => m.t);
  const live = new Set([...results, ...ancestors(results)]);
  /**
   * How the learner's i-th own tensor differs. A result of the function is compared with the reference's result of
   * the same name or place. Any other tensor: a factor, a sign, a transpose or a shift is claimed only against a
   * reference tensor of which it holds in both runs (on the input and on the perturbed one), so that it describes
   * how the computation differs, not a coincidence of numbers.
   */
  const describe = (i: number): Text => {
    const x = own[i].t;
    const paired = outputs.find(([, mine]) => mine === x || mine.data === x.data)?.[2];
    if (paired) {
      if (sameShape(paired.shape, x.shape) || paired.data.length === x.data.length) {
        const h = howItDiffers(x, paired);
        return h.specific || !sameValues(x, paired) ? h
          : t('it holds the reference\'s numbers in another order (a transpose or reshape in the wrong place?)', '它包含参考结果的那些数，但顺序不同（转置或 reshape 放错了地方？）');
      }
      return t(`the reference returns a (${paired.shape.join(', ')}) value here`, `参考实现在这里返回的是 (${paired.shape.join(', ')}) 的值`);
    }
    const x2 = confirm ? learner2![ownAt[i]].t : undefined;
    for (let j = 0; j < reference.length; j++) {
      if (!sameShape(reference[j].t.shape, x.shape)) continue;
      const h = howItDiffers(x, reference[j].t);
      if (!h.specific) continue;
      if (x2 && howItDiffers(x2, reference2![j].t).en !== h.en) continue;
      return h;
    }
    return matches[i] === 'shuffled'
      ? t('it holds the reference\'s numbers in another order (a transpose or reshape in the wrong place?)', '它包含参考结果的那些数，但顺序不同（转置或 reshape 放错了地方？）')
      : t('it matches none of the values the reference computes on the same input', '它与参考实现在同一输入上算出的任何值都不一致');
  };
  /**
   * A step left out: `x` is computed from a value that agrees with the reference's, where the reference first takes
   * one more simple step from that value (a factor, a sign, a transpose: a result of the same shape that the learner
   * never computes). The step belongs where that value was made, so that line is reported (no 1/√d: the scores'
   * line, not the softmax after it).
   */
  const skippedStep = (x: Tensor): Divergence | undefined => {
    for (const p of parentsOf(x)) {
      const at = own.findIndex((m) => m.t === p);
      if (at < 0 || (matches[at] !== 'same' && matches[at] !== 'relaid')) continue;
      // A value used more than once may get the step elsewhere (scaled later, in another style): not left out.
      if (learner.filter((m) => parentsOf(m.t).includes(p)).length > 1) continue;
      const j = reference.findIndex((r) => sameShape(r.t.shape, p.shape) && sameAt(r.t, p));
      if (j < 0) continue;
      const from = reference[j].t;
      const next = reference.find((r) => parentsOf(r.t).includes(from) && sameShape(r.t.shape, from.shape) && !sameAt(r.t, from)
        && !learner.some((m) => sameShape(m.t.shape, r.t.shape) && sameAt(m.t, r.t)));
      if (!next) continue;
      // Only a simple step (a factor, a sign, a transpose) counts as left out, and only when x is not itself such a
      // step from the same value (then x is the step, taken wrongly, on its own line: r / alpha instead of alpha / r).
      const step = howItDiffers(next.t, from);
      if (!step.specific) continue;
      if (x.data.length === p.data.length && howItDiffers(x, p).specific) continue;
      const what = step;
      return { line: lineOf(own[at]), shape: [...p.shape], how: t(
        `the reference takes one more step from this value before going on (${what.en.replace(/^it is the reference's value /, 'its result is this value ')}), and that step is missing here`,
        `参考实现在这个值之后还多做了一步再往下算（${what['zh-cn'].replace(/^它是参考值的/, '结果是这个值的')}），这里少了这一步`) };
    }
    return undefined;
  };
  /** A tensor's line: the innermost in the learner's file, or the caller's when that is a trusted (unchanged) helper. */
  const lineOf = (m: Made): number => {
    const frames = m.frames ?? [];
    let inTrusted = false;
    for (const f of frames) {
      const name = f.fn?.split('.').pop();
      if (name && trusted(name)) { inTrusted = true; continue; }
      // A local wrapper around a trusted helper (const ln = (t, which) => layerNorm(...)) passes its caller's values on.
      if (inTrusted && name && !exported(name)) continue;
      return f.line;
    }
    return frames[frames.length - 1]?.line ?? m.line!;
  };
  // A reference that computes with plain numbers makes no tensors of its own (only the copies of its inputs):
  // nothing to compare intermediates with, only results.
  const inputs = countTensors(args);
  for (let i = 0; reference.length > inputs && i < own.length; i++) {
    const x = own[i].t;
    if (matches[i] === 'same' || matches[i] === 'relaid' || rejoined.has(x)) continue;
    if (matches[i] === 'negated' && used.has(x)) continue;
    // A value the results do not depend on (a leftover) explains nothing.
    if (!live.has(x)) continue;
    const skipped = skippedStep(x);
    if (skipped) return skipped;
    const line = lineOf(own[i]);
    return { line, how: describe(i), shape: [...x.shape] };
  }
  // Every intermediate agrees with one of the reference's, yet a result differs from the reference's result of the
  // same name or place (dB returned before its last step, say): the line that made that result.
  for (const [, mine, theirs] of outputs) {
    if (sameShape(mine.shape, theirs.shape) && sameAt(mine, theirs)) continue;
    // The tensor that became this result: itself, the one whose numbers it holds, or else the last with its values.
    let at = own.findIndex((m) => m.t === mine || m.t.data === mine.data);
    if (at < 0) at = own.map((m) => m.t).findLastIndex((x) => sameAt(x, mine));
    if (at < 0) continue;
    const line = lineOf(own[at]);
    const how = sameShape(mine.shape, theirs.shape) || mine.data.length === theirs.data.length ? howItDiffers(mine, theirs)
      : t(`the reference returns a (${theirs.shape.join(', ')}) value here`, `参考实现在这里返回的是 (${theirs.shape.join(', ')}) 的值`);
    return { line, how, shape: [...mine.shape] };
  }
  // Every value agrees, and a check of gradients failed: look for where the gradient stops. Both runs' inputs
  // require gradients, so a tensor computed from them requires one too; the first learner tensor that does not,
  // where a tensor of the reference with the same values does, was detached or computed under noGrad.
  for (let i = 0; gradients && i < own.length; i++) {
    const x = own[i].t;
    if (x.requiresGrad || matches[i] !== 'same') continue;
    if (!reference.some((r) => r.t.requiresGrad && sameShape(r.t.shape, x.shape) && sameAt(r.t, x))) continue;
    const line = lineOf(own[i]);
    return { line, shape: [...x.shape], how: t('it has the reference\'s values, but no gradient flows through it (detached, or computed under noGrad) where the reference\'s depends on the inputs',
      '它的数值与参考结果相同，但梯度流不过它（被 detach 了，或是在 noGrad 里算的），而参考结果的这个值依赖于输入') };
  }
  return undefined;
}
