/**
 * A hook the runner uses to explain a failed check: while it is set, every Tensor the kit creates is handed to it
 * (with the learner's line, found from the stack, in the runner). Not part of the kit learners import, and not set
 * during ordinary runs: it costs nothing then.
 */
import type { Tensor } from './tensor';

let hook: ((t: Tensor) => void) | undefined;

/** Sets (or, with undefined, clears) the hook; returns the previous one. */
export function onTensorCreated(fn: ((t: Tensor) => void) | undefined): ((t: Tensor) => void) | undefined {
  const previous = hook;
  hook = fn;
  return previous;
}

/** Called by the Tensor constructor. */
export function tensorCreated(t: Tensor): void {
  if (hook) hook(t);
}

/** What each op's result was computed from, while the hook is set (t.parents holds them only when a gradient is recorded). */
const madeFrom = new WeakMap<Tensor, readonly Tensor[]>();

/** Called by fromOp. */
export function tensorMadeFrom(t: Tensor, parents: readonly Tensor[]): void {
  if (hook) madeFrom.set(t, parents);
}

/** The tensors `t` was computed from: recorded while the hook was set, or else its autograd parents. */
export function parentsOf(t: Tensor): readonly Tensor[] {
  return madeFrom.get(t) ?? t.parents;
}

/** What `countAllocations` saw: how many tensors the kit created, the largest one's and all of their element counts. */
export interface AllocationCount {
  count: number;
  largest: number;
  total: number;
}

/**
 * Runs `fn` and counts every Tensor the kit creates meanwhile (through the hook above, chained to any hook already
 * set, which still sees every tensor). Used by checks that bound the memory an algorithm needs (the FlashAttention
 * lesson: no T × T buffer). Counts kit tensors only; typed arrays made directly are the caller's to count.
 */
export function countAllocations<T>(fn: () => T): { result: T } & AllocationCount {
  const seen: AllocationCount = { count: 0, largest: 0, total: 0 };
  const previous = hook;
  hook = (t) => {
    const n = t.data.length;
    seen.count += 1;
    seen.total += n;
    if (n > seen.largest) seen.largest = n;
    if (previous) previous(t);
  };
  try {
    return { result: fn(), ...seen };
  } finally {
    hook = previous;
  }
}
