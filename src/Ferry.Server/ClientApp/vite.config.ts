import { defineConfig } from "vite";

// Two entry points, emitted as plain ES modules into the server's wwwroot/app (served by `ferry serve`; no CDN).
export default defineConfig({
  // Relative URLs: the checks worker resolves beside upload.js (/app/checks.worker.js), wherever the app is mounted.
  base: "./",
  // The upload page's checks worker (checks.worker.ts) is emitted as an ES module beside the entry points.
  worker: { format: "es", rollupOptions: { output: { entryFileNames: "[name].js" } } },
  build: {
    outDir: "../wwwroot/app",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: true,
    rollupOptions: {
      input: { upload: "src/upload.ts", sessions: "src/sessions.ts", exports: "src/exports.ts", contribute: "src/contribute.ts", donate: "src/donate.ts" },
      output: { entryFileNames: "[name].js", chunkFileNames: "[name]-[hash].js", assetFileNames: "[name][extname]" },
    },
  },
});
