/** The rag lesson's course code (references, fixtures, data loaders its checks share). */
export {};
