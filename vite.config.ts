// Builds the web client: one HTML entry per audience so each loads only its own code
// (the respondent form stays light; chart and admin code load only on the dashboard).
import { defineConfig, type Plugin } from "vite";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { brotliCompressSync, constants as zlibConstants, gzipSync } from "node:zlib";

const client = resolve(import.meta.dirname, "client");

/** Files of client/public that the enumerator app needs offline. */
const COLLECT_PUBLIC = ["/collect.webmanifest", "/icon.svg", "/icon-192.png", "/icon-512.png"];
/** And those the respondent form needs: only its icon (it is no installable app). */
const RESPOND_PUBLIC = ["/icon.svg"];

/**
 * Builds the service worker of one entry (client/<entry>/sw.ts → dist/<entry>-sw.js, a fixed name
 * so browsers find updates) and writes into it the files to precache: the entry's page, every
 * chunk, stylesheet and asset it loads, and the public files given. The version is a hash of that
 * list, so a build that changes any of them yields a new worker and a new cache. Used for the
 * enumerator app (/collect) and the respondent form (/r).
 */
function entryServiceWorker(entryName: string, publicFiles: readonly string[]): Plugin {
  const swFile = `${entryName}-sw.js`;
  return {
    name: `chiso-${entryName}-service-worker`,
    apply: "build",
    buildStart() {
      this.emitFile({ type: "chunk", id: resolve(client, `${entryName}/sw.ts`), fileName: swFile });
    },
    generateBundle: {
      order: "post",
      handler(_options, bundle) {
        const entry = Object.values(bundle).find((f) => f.type === "chunk" && f.isEntry && f.name === entryName);
        const sw = bundle[swFile];
        if (!entry || !sw || sw.type !== "chunk") this.error(`${entryName} entry or service worker missing from the bundle`);
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
        const urls = [`/${entryName}.html`, ...publicFiles, ...[...files].sort().map((f) => `/${f}`)];
        const html = bundle[`${entryName}.html`];
        const version = createHash("sha256")
          .update(urls.join("\n"))
          .update(html && html.type === "asset" ? html.source : "")
          .digest("hex")
          .slice(0, 16);
        const code = sw.code.replace(/(["'`])__CHISO_SW_VERSION__\1/, JSON.stringify(version)).replace(/(["'`])__CHISO_SW_PRECACHE__\1/, JSON.stringify(urls));
        if (code.includes("__CHISO_SW_")) this.error("service worker placeholders were not replaced");
        sw.code = code;
      },
    },
  };
}

/** Text files the server sends precompressed (serveStatic's `precompressed`); others are sent as they are. */
const PRECOMPRESS = /\.(js|css|html|svg|json|webmanifest|txt)$/;

/**
 * Writes `file.br` (brotli 11) and `file.gz` (gzip 9) beside every text file of the build, so the
 * server sends the smallest form without compressing per request. Files under 1 KB are left alone.
 */
function precompressAssets(): Plugin {
  let outDir = "";
  return {
    name: "chiso-precompress",
    apply: "build",
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    closeBundle() {
      for (const entry of readdirSync(outDir, { recursive: true, withFileTypes: true })) {
        if (!entry.isFile() || !PRECOMPRESS.test(entry.name)) continue;
        const file = join(entry.parentPath, entry.name);
        const content = readFileSync(file);
        if (content.length < 1024) continue;
        writeFileSync(
          `${file}.br`,
          brotliCompressSync(content, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 11, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: content.length } }),
        );
        writeFileSync(`${file}.gz`, gzipSync(content, { level: 9 }));
      }
    },
  };
}

export default defineConfig({
  root: client,
  base: "/",
  publicDir: resolve(client, "public"),
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  plugins: [entryServiceWorker("collect", COLLECT_PUBLIC), entryServiceWorker("respond", RESPOND_PUBLIC), precompressAssets()],
  build: {
    outDir: resolve(import.meta.dirname, "dist"),
    emptyOutDir: true,
    target: "es2020",
    sourcemap: false,
    // Browsers without modulepreload (Safari before 17) still load every module through its
    // imports, a little later; the polyfill was a request of its own on every cold load.
    modulePreload: { polyfill: false },
    rollupOptions: {
      input: {
        index: resolve(client, "index.html"),
        respond: resolve(client, "respond.html"),
        collect: resolve(client, "collect.html"),
        dashboard: resolve(client, "dashboard.html"),
        admin: resolve(client, "admin.html"),
      },
      output: {
        advancedChunks: {
          // What a paged form needs (Preact, the form's pieces, fetching) in one chunk: on a slow
          // phone every extra file costs its headers and a request (test/browser/wire-weight.test.ts).
          groups: [
            {
              name: "form",
              test: /node_modules[\\/]preact|client[\\/]common[\\/](ui|net|i18n|form|pages|paged-form|questions|section-page|service-worker|unit-picker)\.|preload-helper/,
            },
          ],
        },
      },
    },
  },
  server: { proxy: { "/api": "http://127.0.0.1:3000" } },
});
