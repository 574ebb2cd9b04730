import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

const hub = process.env.KEFU_HUB_URL ?? 'http://localhost:4000';

/**
 * React (rarely changes) is one long-lived vendor chunk; everything else is split by the bundler along
 * the lazy page imports in src/routes.tsx, so a page loads only the antd components and libraries it
 * uses (the workbench never loads the flow canvas). `node bench/ui.ts` reports the size of each route.
 */
function chunkOf(id: string): string | undefined {
  if (!id.includes('node_modules')) return undefined;
  if (/node_modules\/(react|react-dom|scheduler|react-router)\//.test(id)) return 'react';
  return undefined;
}

/** Writes a .gz beside every JS/CSS asset; the hub serves it to browsers that accept gzip. */
function precompress(): Plugin {
  let dir = '';
  return {
    name: 'kefu-precompress',
    apply: 'build',
    configResolved(c) { dir = join(c.root, c.build.outDir, c.build.assetsDir); },
    closeBundle() {
      for (const f of readdirSync(dir)) {
        if (/\.(js|css)$/.test(f)) writeFileSync(join(dir, `${f}.gz`), gzipSync(readFileSync(join(dir, f)), { level: 9 }));
      }
    },
  };
}

export default defineConfig({
  base: '/admin/',
  plugins: [react(), precompress()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    manifest: true,
    sourcemap: false,
    chunkSizeWarningLimit: 2000,
    rolldownOptions: { output: { manualChunks: chunkOf } },
  },
  server: {
    proxy: {
      '/graphql': { target: hub, ws: true, changeOrigin: true },
      '/auth': { target: hub, changeOrigin: true },
      '/plugins': { target: hub, changeOrigin: true },
    },
  },
});
