/**
 * TODO markers for exercise scaffolds.
 *
 * Every scaffold function starts as `TODO('softmax')`. The runner recognises the error this throws and
 * reports "not implemented yet" instead of a crash, so an untouched scaffold fails politely.
 * (The idea comes from minitorch's `raise NotImplementedError("Need to implement for Task 0.1")`.)
 */

/** Thrown by {@link TODO}; the runner looks for this class name. */
export class NotImplementedError extends Error {
  constructor(readonly task: string) {
    super(`TODO(${task}): not implemented yet`);
    this.name = 'NotImplementedError';
  }
}

/** Marks a part of an exercise the learner still has to write. Always throws. */
export function TODO(task: string): never {
  throw new NotImplementedError(task);
}
