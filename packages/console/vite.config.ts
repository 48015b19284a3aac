// Builds the console into dist/: one index.html and content-hashed assets, nothing loaded from
// elsewhere at run time. The control plane serves dist/ on its admin port.
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // The graph and the editor are their own chunks, loaded by the views that use them.
    chunkSizeWarningLimit: 600,
  },
  server: { proxy: { '/api': 'http://127.0.0.1:15000', '/debug': 'http://127.0.0.1:15000' } },
});
