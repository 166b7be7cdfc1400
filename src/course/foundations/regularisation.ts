/** Course code for the foundations lesson "regularisation" (references and fixtures its checks use). */
export {};
