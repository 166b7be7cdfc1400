/** The serving lesson's course code (serving/export, serving/server): see serving-export.ts and serving-server.ts. */
export * from './serving-export';
export * from './serving-server';
