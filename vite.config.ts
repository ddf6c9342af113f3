// Builds the web client: one HTML entry per audience so each loads only its own code
// (the respondent form stays light; chart and admin code load only on the dashboard).
import { defineConfig } from "vite";
import { resolve } from "node:path";

const client = resolve(import.meta.dirname, "client");

export default defineConfig({
  root: client,
  base: "/",
  publicDir: resolve(client, "public"),
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: resolve(import.meta.dirname, "dist"),
    emptyOutDir: true,
    target: "es2020",
    sourcemap: false,
    rollupOptions: {
      input: {
        index: resolve(client, "index.html"),
        respond: resolve(client, "respond.html"),
        collect: resolve(client, "collect.html"),
        dashboard: resolve(client, "dashboard.html"),
      },
    },
  },
  server: { proxy: { "/api": "http://127.0.0.1:3000" } },
});
