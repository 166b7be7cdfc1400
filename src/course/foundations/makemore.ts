/** Course code for the foundations lesson "makemore" (references and fixtures its checks use). */
export {};
