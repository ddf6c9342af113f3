// Builds the web client: one HTML entry per audience so each loads only its own code
// (the respondent form stays light; chart and admin code load only on the dashboard).
import { defineConfig, type Plugin } from "vite";
import { createHash } from "node:crypto";
import { resolve } from "node:path";

const client = resolve(import.meta.dirname, "client");

/** Files of client/public that the enumerator app needs offline. */
const COLLECT_PUBLIC = ["/collect.webmanifest", "/icon.svg", "/icon-192.png", "/icon-512.png"];

/**
 * Builds the enumerator app's service worker (client/collect/sw.ts → dist/collect-sw.js, a fixed
 * name so browsers find updates) and writes into it the files to precache: the collect page, every
 * chunk, stylesheet and asset the collect entry loads, and its manifest and icons. The version is a
 * hash of that list, so a build that changes any of them yields a new worker and a new cache.
 */
function collectServiceWorker(): Plugin {
  const swFile = "collect-sw.js";
  return {
    name: "chiso-collect-service-worker",
    apply: "build",
    buildStart() {
      this.emitFile({ type: "chunk", id: resolve(client, "collect/sw.ts"), fileName: swFile });
    },
    generateBundle: {
      order: "post",
      handler(_options, bundle) {
        const entry = Object.values(bundle).find((f) => f.type === "chunk" && f.isEntry && f.name === "collect");
        const sw = bundle[swFile];
        if (!entry || !sw || sw.type !== "chunk") this.error("collect entry or service worker missing from the bundle");
        const files = new Set<string>();
        const visit = (fileName: string) => {
          const file = bundle[fileName];
          if (!file || files.has(fileName)) return;
          files.add(fileName);
          if (file.type !== "chunk") return;
          file.imports.forEach(visit);
          file.dynamicImports.forEach(visit);
          file.viteMetadata?.importedCss.forEach(visit);
          file.viteMetadata?.importedAssets.forEach(visit);
        };
        visit(entry.fileName);
        const urls = ["/collect.html", ...COLLECT_PUBLIC, ...[...files].sort().map((f) => `/${f}`)];
        const html = bundle["collect.html"];
        const version = createHash("sha256")
          .update(urls.join("\n"))
          .update(html && html.type === "asset" ? html.source : "")
          .digest("hex")
          .slice(0, 16);
        const code = sw.code
          .replace(/(["'`])__CHISO_SW_VERSION__\1/, JSON.stringify(version))
          .replace(/(["'`])__CHISO_SW_PRECACHE__\1/, JSON.stringify(urls));
        if (code.includes("__CHISO_SW_")) this.error("service worker placeholders were not replaced");
        sw.code = code;
      },
    },
  };
}

export default defineConfig({
  root: client,
  base: "/",
  publicDir: resolve(client, "public"),
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  plugins: [collectServiceWorker()],
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
        admin: resolve(client, "admin.html"),
      },
    },
  },
  server: { proxy: { "/api": "http://127.0.0.1:3000" } },
});
