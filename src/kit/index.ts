/**
 * @llm-lab/kit: the small tensor library this course builds on and teaches.
 * Exercises import from here; the checks and the bundled model use the same code.
 */
export { TODO, NotImplementedError } from './todo';
export { type NDArray, ndarray, numel } from './ndarray';
