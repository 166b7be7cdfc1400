/** The study companion's pure logic (no vscode): plan, history and notebook, questions, review, blog export. */
export * from './blog';
export * from './history';
export * from './plan';
export * from './questions';
export * from './review';
export * from './schedule';
export * from './store';
export * from './svg';
