// Public API of @shoal/cli: the program, for embedding and tests. The binary is bin/shoal.js.
export { buildProgram, main } from './main.js';
